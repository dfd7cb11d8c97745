/*
 * The operator console (/admin): sources with their last and next runs, the runs table, pages
 * indexed per day per source group, alerts, and buttons to run, pause and resume.
 *
 * The operator key is kept in sessionStorage (gone when the tab closes) and sent as a bearer
 * token; every value shown is inserted as text, since source names, errors and log lines can
 * come from crawled sites.
 */
(function () {
  "use strict";
  const KEY = "smesearch-operator-key";
  const $ = (id) => document.getElementById(id);
  const GROUP_COLOURS = ["#0b5cad", "#b42318", "#027a48", "#b54708", "#6941c6", "#475467", "#c11574"];
  let refresh = 0;

  // What the script writes itself, in the page's language (pages.py holds the page's own labels).
  const TEXT = {
    en: {
      refused: "The key was refused: ", failed: "Sign-in failed: ", signedOut: "Signed out.", neverRun: "never run",
      alerts: (n) => `${n} alerts`, runNow: "Run now", pause: "Pause", resume: "Resume", paused: "paused",
      queued: (id, source) => `Run ${id} of ${source} queued`, didPause: (s) => `${s} paused`, didResume: (s) => `${s} resumed`,
      cancel: "Cancel", cancelRequested: (id) => `Run ${id}: cancel requested`, cancelling: "cancelling",
      every: (n, unit) => `every ${n}${unit}`, seconds: (n) => `${n} s`, day: "Day", tip: (day, group, n, measure) => `${day} ${group}: ${n} pages ${measure}`,
      sent: "sent", notSent: (e) => `not sent: ${e}`, updated: "Updated ", open: "(", close: ")",
      status: { queued: "queued", running: "running", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", skipped: "skipped" },
      trigger: { schedule: "schedule", manual: "run now", cli: "command line", demo: "demo" },
      role: { admin: "admin", read: "read only" },
      group: { shenyang: "Shenyang", liaoning: "Liaoning", national: "National", japan: "Japan", listing: "Listings", other: "Other" },
    },
    zh: {
      refused: "密钥被拒绝：", failed: "登录失败：", signedOut: "已退出。", neverRun: "从未运行",
      alerts: (n) => `${n} 条告警`, runNow: "立即运行", pause: "暂停", resume: "恢复", paused: "已暂停",
      queued: (id, source) => `${source} 的第 ${id} 次运行已排队`, didPause: (s) => `${s} 已暂停`, didResume: (s) => `${s} 已恢复`,
      cancel: "取消", cancelRequested: (id) => `已请求取消第 ${id} 次运行`, cancelling: "正在取消",
      every: (n, unit) => `每 ${n} ${{ s: "秒", m: "分钟", h: "小时", d: "天" }[unit]}`, seconds: (n) => `${n} 秒`, day: "日期", tip: (day, group, n, measure) => `${day} ${group}：${measure} ${n} 个网页`,
      sent: "已发送", notSent: (e) => `未发送：${e}`, updated: "更新于 ", open: "（", close: "）",
      status: { queued: "排队中", running: "运行中", succeeded: "成功", failed: "失败", cancelled: "已取消", skipped: "已跳过" },
      trigger: { schedule: "定时", manual: "手动", cli: "命令行", demo: "演示" },
      role: { admin: "管理员", read: "只读" },
      group: { shenyang: "沈阳", liaoning: "辽宁", national: "全国", japan: "日本", listing: "供需信息", other: "其他" },
    },
    ja: {
      refused: "キーが拒否されました：", failed: "サインインに失敗しました：", signedOut: "サインアウトしました。", neverRun: "未実行",
      alerts: (n) => `アラート ${n} 件`, runNow: "今すぐ実行", pause: "一時停止", resume: "再開", paused: "一時停止中",
      queued: (id, source) => `${source} の実行 ${id} を登録しました`, didPause: (s) => `${s} を一時停止しました`, didResume: (s) => `${s} を再開しました`,
      cancel: "取り消し", cancelRequested: (id) => `実行 ${id} の取り消しを依頼しました`, cancelling: "取り消し中",
      every: (n, unit) => `${n}${{ s: "秒", m: "分", h: "時間", d: "日" }[unit]}ごと`, seconds: (n) => `${n} 秒`, day: "日付", tip: (day, group, n, measure) => `${day} ${group}：${measure} ${n} ページ`,
      sent: "送信済み", notSent: (e) => `未送信：${e}`, updated: "更新 ", open: "（", close: "）",
      status: { queued: "待機中", running: "実行中", succeeded: "成功", failed: "失敗", cancelled: "取り消し", skipped: "スキップ" },
      trigger: { schedule: "スケジュール", manual: "手動", cli: "コマンド", demo: "デモ" },
      role: { admin: "管理者", read: "閲覧のみ" },
      group: { shenyang: "瀋陽", liaoning: "遼寧", national: "全国", japan: "日本", listing: "ニーズ・シーズ", other: "その他" },
    },
  };
  const LANG = TEXT[document.documentElement.lang] ? document.documentElement.lang : "en";
  const T = TEXT[LANG];
  const named = (table, value) => table[value] || value;
  // "every 6h" in the reader's words; a cron expression stays as written (it is configuration).
  const schedule = (text) => { const m = /^every (\d+)([smhd])$/.exec(text); return m ? T.every(m[1], m[2]) : text; };

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, String(value));
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  async function call(method, path) {
    const response = await fetch(path, { method, headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY) } });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) { signOut(T.refused + (body && body.detail)); throw new Error("unauthorized"); }
    if (!response.ok) throw new Error((body && body.detail) || "HTTP " + response.status);
    return body;
  }

  function say(text, isError) {
    const box = $("message");
    box.textContent = text;
    box.className = isError ? "error" : "";
  }

  function signOut(reason) {
    sessionStorage.removeItem(KEY);
    clearInterval(refresh);
    $("console").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = reason || "";
    $("key").focus();
  }

  async function signIn(key) {
    sessionStorage.setItem(KEY, key);
    try {
      const me = await call("GET", "/api/admin/me");
      $("who").replaceChildren(el("span", { translate: "no", text: me.name }), ` ${T.open}${named(T.role, me.role)}${T.close}`);
      document.body.dataset.role = me.role;
      $("signin").hidden = true;
      $("console").hidden = false;
      await load();
      clearInterval(refresh);
      refresh = setInterval(() => load().catch(() => {}), 5000);
    } catch (e) {
      if (e.message !== "unauthorized") signOut(T.failed + e.message);
    }
  }

  function button(label, action, disabled) {
    const b = el("button", { type: "button", text: label, disabled: disabled || document.body.dataset.role !== "admin" });
    b.addEventListener("click", async () => {
      b.disabled = true;
      try { say(await action()); await load(); } catch (e) { say(e.message, true); } finally { b.disabled = false; }
    });
    return b;
  }

  function sourceRow(s) {
    const last = s.last_run;
    const status = el("td", { text: last ? named(T.status, last.status) : T.neverRun, class: last ? "status-" + last.status : "" });
    const flag = s.alerts ? el("span", { class: "alert-flag", role: "img", "aria-label": T.alerts(s.alerts), text: `⚠ ${s.alerts}` }) : null;
    const actions = el("td", {},
      button(T.runNow, async () => { const r = await call("POST", `/api/admin/sources/${encodeURIComponent(s.id)}/run`); return T.queued(r.id, s.id); }),
      s.schedule ? button(s.paused ? T.resume : T.pause, async () => {
        await call("POST", `/api/admin/schedules/${encodeURIComponent(s.id)}/${s.paused ? "resume" : "pause"}`);
        return s.paused ? T.didResume(s.id) : T.didPause(s.id);
      }) : null);
    return el("tr", { "data-source": s.id },
      el("th", { scope: "row" }, el("span", { translate: "no", text: s.id }), flag ? document.createTextNode(" ") : null, flag),
      el("td", { text: s.names[LANG] || s.names.en }), el("td", { text: named(T.group, s.group) }),
      el("td", { text: s.schedule ? schedule(s.schedule) + (s.paused ? ` ${T.open}${T.paused}${T.close}` : "") : "–" }),
      el("td", { text: s.paused ? T.paused : when(s.next_run_at) }),
      el("td", { text: last ? when(last.ended_at || last.started_at || last.queued_at) : "–" }), status,
      el("td", { text: String(s.documents), class: "number" }), actions);
  }

  function runRow(r) {
    const c = r.counters || {};
    const errors = Object.values(c.errors || {}).reduce((a, b) => a + b, 0);
    const cancel = (r.status === "queued" || r.status === "running") && !r.cancel_requested
      ? button(T.cancel, async () => { await call("POST", `/api/admin/runs/${r.id}/cancel`); return T.cancelRequested(r.id); })
      : null;
    return el("tr", { "data-run": r.id },
      el("td", { text: String(r.id), class: "number" }), el("td", { text: r.source, translate: "no" }),
      el("td", { text: named(T.status, r.status) + (r.cancel_requested && r.status === "running" ? ` ${T.open}${T.cancelling}${T.close}` : ""), class: "status-" + r.status }),
      el("td", { text: named(T.trigger, r.trigger) }), el("td", { text: when(r.started_at || r.queued_at) }),
      el("td", { text: r.duration_s === null ? "–" : T.seconds(r.duration_s.toFixed(1)), class: "number" }),
      el("td", { text: String(c.fetched || 0), class: "number" }), el("td", { text: String(c.new || 0), class: "number" }),
      el("td", { text: String(c.updated || 0), class: "number" }), el("td", { text: String(errors), class: "number" }),
      el("td", { text: r.error || "" }), el("td", {}, cancel));
  }

  let chartPoints = [];

  function chart(points) {
    // One measure at a time (the menu above it: fetched, new, updated or deleted), stacked by group.
    chartPoints = points;
    const measure = $("measure").value;
    points = points.map((p) => ({ day: p.day, group: p.group, pages: p[measure] }));
    const svg = $("chart");
    const NS = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    const days = [...new Set(points.map((p) => p.day))].sort();
    const groups = [...new Set(points.map((p) => p.group))].sort();
    const totals = days.map((d) => points.filter((p) => p.day === d).reduce((a, p) => a + p.pages, 0));
    const max = Math.max(1, ...totals);
    const width = 640, height = 200, bar = Math.max(4, Math.min(40, (width - 40) / Math.max(1, days.length) - 4));
    svg.setAttribute("viewBox", `0 0 ${width} ${height + 40}`);
    const table = $("chart-table");
    table.replaceChildren(el("tr", {}, el("th", { text: T.day }), ...groups.map((g) => el("th", { text: named(T.group, g) }))));
    days.forEach((day, i) => {
      let y = height;
      const row = el("tr", {}, el("th", { text: day, scope: "row" }));
      groups.forEach((group, g) => {
        const pages = points.filter((p) => p.day === day && p.group === group).reduce((a, p) => a + p.pages, 0);
        row.append(el("td", { text: String(pages) }));
        if (!pages) return;
        const h = (pages / max) * (height - 10);
        y -= h;
        const rect = document.createElementNS(NS, "rect");
        for (const [k, v] of Object.entries({ x: 30 + i * (bar + 4), y, width: bar, height: h, fill: GROUP_COLOURS[g % GROUP_COLOURS.length] })) rect.setAttribute(k, v);
        const tip = document.createElementNS(NS, "title");
        tip.textContent = T.tip(day, named(T.group, group), pages, $("measure").selectedOptions[0].textContent);
        rect.append(tip);
        svg.append(rect);
      });
      table.append(row);
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", 30 + i * (bar + 4));
      label.setAttribute("y", height + 15);
      label.setAttribute("font-size", "10");
      label.textContent = day.slice(5);
      svg.append(label);
    });
    $("legend").replaceChildren(...groups.map((g, i) => el("span", { class: "swatch", style: `--swatch: ${GROUP_COLOURS[i % GROUP_COLOURS.length]}`, text: named(T.group, g) })));
    $("chart-empty").hidden = days.length > 0;
  }

  $("measure").addEventListener("change", () => chart(chartPoints));

  async function load() {
    const [sources, runs, perDay, alerts] = await Promise.all([
      call("GET", "/api/admin/sources"), call("GET", "/api/admin/runs?limit=50"),
      call("GET", "/api/admin/indexed-per-day?days=30"), call("GET", "/api/admin/alerts?limit=20")]);
    $("sources").replaceChildren(...sources.map(sourceRow));
    $("runs").replaceChildren(...runs.map(runRow));
    $("alerts").replaceChildren(...alerts.map((a) => el("li", { text: `${when(a.created_at)} · ${a.message}` + (a.delivered ? ` ${T.open}${T.sent}${T.close}` : a.delivery_error ? ` ${T.open}${T.notSent(a.delivery_error)}${T.close}` : "") })));
    $("no-alerts").hidden = alerts.length > 0;
    chart(perDay);
    $("updated").textContent = T.updated + when(new Date().toISOString());
  }

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("key").value.trim());
  });
  $("signout").addEventListener("click", () => signOut(T.signedOut));
  if (sessionStorage.getItem(KEY)) signIn(sessionStorage.getItem(KEY));
  else $("key").focus();
})();
