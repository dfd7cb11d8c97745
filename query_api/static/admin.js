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
    if (response.status === 401) { signOut("The key was refused: " + (body && body.detail)); throw new Error("unauthorized"); }
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
      $("who").textContent = `${me.name} (${me.role})`;
      document.body.dataset.role = me.role;
      $("signin").hidden = true;
      $("console").hidden = false;
      await load();
      clearInterval(refresh);
      refresh = setInterval(() => load().catch(() => {}), 5000);
    } catch (e) {
      if (e.message !== "unauthorized") signOut("Sign-in failed: " + e.message);
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
    const status = el("td", { text: last ? last.status : "never run", class: last ? "status-" + last.status : "" });
    const flag = s.alerts ? el("span", { class: "alert-flag", role: "img", "aria-label": `${s.alerts} alerts`, text: `⚠ ${s.alerts}` }) : null;
    const actions = el("td", {},
      button("Run now", async () => { const r = await call("POST", `/api/admin/sources/${encodeURIComponent(s.id)}/run`); return `Run ${r.id} of ${s.id} queued`; }),
      s.schedule ? button(s.paused ? "Resume" : "Pause", async () => {
        await call("POST", `/api/admin/schedules/${encodeURIComponent(s.id)}/${s.paused ? "resume" : "pause"}`);
        return `${s.id} ${s.paused ? "resumed" : "paused"}`;
      }) : null);
    return el("tr", { "data-source": s.id },
      el("th", { scope: "row" }, document.createTextNode(s.id), flag ? document.createTextNode(" ") : null, flag),
      el("td", { text: s.names.en }), el("td", { text: s.group }),
      el("td", { text: s.schedule ? s.schedule + (s.paused ? " (paused)" : "") : "–" }),
      el("td", { text: s.paused ? "paused" : when(s.next_run_at) }),
      el("td", { text: last ? when(last.ended_at || last.started_at || last.queued_at) : "–" }), status,
      el("td", { text: String(s.documents), class: "number" }), actions);
  }

  function runRow(r) {
    const c = r.counters || {};
    const errors = Object.values(c.errors || {}).reduce((a, b) => a + b, 0);
    const cancel = (r.status === "queued" || r.status === "running") && !r.cancel_requested
      ? button("Cancel", async () => { await call("POST", `/api/admin/runs/${r.id}/cancel`); return `Run ${r.id}: cancel requested`; })
      : null;
    return el("tr", { "data-run": r.id },
      el("td", { text: String(r.id), class: "number" }), el("td", { text: r.source }),
      el("td", { text: r.status + (r.cancel_requested && r.status === "running" ? " (cancelling)" : ""), class: "status-" + r.status }),
      el("td", { text: r.trigger }), el("td", { text: when(r.started_at || r.queued_at) }),
      el("td", { text: r.duration_s === null ? "–" : r.duration_s.toFixed(1) + " s", class: "number" }),
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
    table.replaceChildren(el("tr", {}, el("th", { text: "day" }), ...groups.map((g) => el("th", { text: g }))));
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
        tip.textContent = `${day} ${group}: ${pages} pages ${measure}`;
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
    $("legend").replaceChildren(...groups.map((g, i) => el("span", { class: "swatch", style: `--swatch: ${GROUP_COLOURS[i % GROUP_COLOURS.length]}`, text: g })));
    $("chart-empty").hidden = days.length > 0;
  }

  $("measure").addEventListener("change", () => chart(chartPoints));

  async function load() {
    const [sources, runs, perDay, alerts] = await Promise.all([
      call("GET", "/api/admin/sources"), call("GET", "/api/admin/runs?limit=50"),
      call("GET", "/api/admin/indexed-per-day?days=30"), call("GET", "/api/admin/alerts?limit=20")]);
    $("sources").replaceChildren(...sources.map(sourceRow));
    $("runs").replaceChildren(...runs.map(runRow));
    $("alerts").replaceChildren(...alerts.map((a) => el("li", { text: `${when(a.created_at)} · ${a.message}` + (a.delivered ? " (sent)" : a.delivery_error ? ` (not sent: ${a.delivery_error})` : "") })));
    $("no-alerts").hidden = alerts.length > 0;
    chart(perDay);
    $("updated").textContent = "Updated " + when(new Date().toISOString());
  }

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("key").value.trim());
  });
  $("signout").addEventListener("click", () => signOut("Signed out."));
  if (sessionStorage.getItem(KEY)) signIn(sessionStorage.getItem(KEY));
  else $("key").focus();
})();
