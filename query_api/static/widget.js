/*
 * <sme-search>: the embeddable search of the SME market-expansion index.
 *
 *   <script src="https://search.example/widget.js" defer></script>
 *   <sme-search api="https://search.example" lang="zh" category="8" service="agent" page-size="10"></sme-search>
 *
 * No framework and no build step. Everything renders inside a Shadow DOM, so the host page's CSS
 * does not reach in and ours does not leak out; the theme comes through CSS custom properties
 * (--sme-accent, --sme-bg, --sme-fg, --sme-muted, --sme-mark, --sme-font, --sme-radius).
 *
 * Titles and snippets come from pages crawled on the open web: they are only ever inserted as
 * text nodes (textContent, createTextNode), never parsed as HTML, and a result links only to an
 * http(s) address. Search state lives in the URL hash (#sme-q=...), so a result page can be shared.
 */
(function () {
  "use strict";
  if (window.customElements === undefined || customElements.get("sme-search")) return;

  const TEXT = {
    en: {
      label: "Search listings", placeholder: "auto parts, brake pads…", search: "Search",
      keyword: "Keywords", sentence: "Key sentence", mode: "Search mode", category: "Category",
      allCategories: "All categories", services: "Retrieval service", allServices: "All",
      results: "Results", searching: "Searching…", found: (n) => `${n.toLocaleString()} results`,
      none: "Nothing matched.", didYouMean: "Did you mean",
      relaxed: "No page has all of your words: showing pages with most of them.", allWords: "Search all words",
      trySentence: "Describing what you need? Try key sentence mode.", onlyService: "Only", tips: "Try fewer or other words, another language, or all categories.",
      previous: "Previous page", next: "Next page", pageOf: (p, n) => `Page ${p} of ${n}`,
      error: "The search failed:", unreachable: "The search service cannot be reached.",
      busy: "Too many searches from here just now: try again in a minute.", unavailable: "The search is unavailable for a moment: try again shortly.",
      suggestions: "Suggestions", profile: "Company profile", original: "Original title:", machine: "machine translation", language: "Language", site: "Site", refine: "Refine",
      filterRemove: (v) => `Remove filter ${v}`,
      alertLabel: "E-mail me new results of this search", alertButton: "Alert me",
      alertSent: "Check your mailbox: confirm the alert with the link we sent.",
      alertInvalid: "Check the e-mail address.",
    },
    zh: {
      label: "检索信息", placeholder: "汽车零部件、刹车片代理…", search: "检索",
      keyword: "关键词", sentence: "关键句", mode: "检索方式", category: "类别",
      allCategories: "全部类别", services: "检索服务", allServices: "全部",
      results: "检索结果", searching: "正在检索…", found: (n) => `共 ${n.toLocaleString()} 条结果`,
      none: "没有找到匹配的信息。", didYouMean: "您是不是要找",
      relaxed: "没有同时包含全部词语的信息，以下是包含大部分词语的结果。", allWords: "只看包含全部词语的结果",
      trySentence: "想描述您的需求？请试试关键句检索。", onlyService: "只看", tips: "请尝试减少或更换关键词、换一种语言，或选择全部类别。",
      previous: "上一页", next: "下一页", pageOf: (p, n) => `第 ${p} 页，共 ${n} 页`,
      error: "检索失败：", unreachable: "无法连接检索服务。",
      busy: "您的检索过于频繁，请一分钟后再试。", unavailable: "检索服务暂时不可用，请稍后再试。",
      suggestions: "联想词", profile: "企业档案", original: "原标题：", machine: "机器翻译", language: "语言", site: "网站", refine: "筛选",
      filterRemove: (v) => `取消筛选 ${v}`,
      alertLabel: "有新结果时邮件通知我", alertButton: "提醒我", alertSent: "请查收邮件，点击链接确认提醒。",
      alertInvalid: "请检查邮箱地址。",
    },
    ja: {
      label: "情報を検索", placeholder: "自動車部品、代理店募集…", search: "検索",
      keyword: "キーワード", sentence: "キーセンテンス", mode: "検索方法", category: "カテゴリー",
      allCategories: "すべてのカテゴリー", services: "検索サービス", allServices: "すべて",
      results: "検索結果", searching: "検索中…", found: (n) => `${n.toLocaleString()} 件`,
      none: "一致する情報はありません。", didYouMean: "もしかして",
      relaxed: "すべての言葉を含む情報はありません。ほとんどの言葉を含む結果を表示しています。", allWords: "すべての言葉で検索",
      trySentence: "ご要望を文章で探すなら、キーセンテンス検索をお試しください。", onlyService: "絞り込み：", tips: "言葉を減らすか変える、別の言語で探す、またはすべてのカテゴリーで探してみてください。",
      previous: "前のページ", next: "次のページ", pageOf: (p, n) => `${p} / ${n} ページ`,
      error: "検索に失敗しました：", unreachable: "検索サービスに接続できません。",
      busy: "検索が多すぎます。1分ほどしてからもう一度お試しください。", unavailable: "検索は一時的に利用できません。しばらくしてからお試しください。",
      suggestions: "候補", profile: "企業情報", original: "原題：", machine: "機械翻訳", language: "言語", site: "サイト", refine: "絞り込み",
      filterRemove: (v) => `絞り込み ${v} を解除`,
      alertLabel: "この検索の新しい結果をメールで受け取る", alertButton: "通知を受け取る",
      alertSent: "確認メールのリンクを開いてアラートを有効にしてください。",
      alertInvalid: "メールアドレスを確認してください。",
    },
  };
  const LANG_NAMES = { zh: { zh: "中文", ja: "中国語", en: "Chinese" }, ja: { zh: "日文", ja: "日本語", en: "Japanese" },
                       en: { zh: "英文", ja: "英語", en: "English" } };
  const MAX_RESULTS = 1000; // the API serves the first 1,000 results of a query
  let instances = 0;

  const STYLE = `
    :host { display: block; }
    /* Inherited properties (color, font) would flow in from the host page through the host
       element: the frame starts from initial values. Custom properties still flow, for theming. */
    .frame { all: initial; display: block; font-family: var(--sme-font, system-ui, "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif);
             font-size: 1rem; color: var(--sme-fg, #1b1f24); background: var(--sme-bg, transparent); line-height: 1.5; }
    * { box-sizing: border-box; }
    form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
    /* Wide enough for the whole placeholder with room to spare, or a row of its own: at 18rem
       the English form's menus squeezed it to 291 px at 1280 px and cut the placeholder off. */
    .box { position: relative; flex: 1 1 24rem; }
    input[type=search] { width: 100%; font: inherit; font-size: 1.05rem; padding: .45rem .6rem; color: inherit;
                         background: var(--sme-bg, #fff); border: 1px solid var(--sme-muted, #6b7280);
                         border-radius: var(--sme-radius, 6px); }
    button, select { font: inherit; padding: .4rem .7rem; border-radius: var(--sme-radius, 6px);
                     border: 1px solid var(--sme-muted, #6b7280); background: var(--sme-bg, #fff); color: inherit; cursor: pointer; }
    button.primary { background: var(--sme-accent, #0b5cad); border-color: var(--sme-accent, #0b5cad); color: #fff; }
    :focus-visible { outline: 3px solid var(--sme-accent, #0b5cad); outline-offset: 2px; }
    [role=listbox] { position: absolute; z-index: 10; left: 0; right: 0; margin: 2px 0 0; padding: 0; list-style: none;
                     background: var(--sme-bg, #fff); border: 1px solid var(--sme-muted, #6b7280);
                     border-radius: var(--sme-radius, 6px); max-height: 18rem; overflow-y: auto; }
    [role=option] { padding: .35rem .6rem; cursor: pointer; }
    [role=option][aria-selected=true] { background: var(--sme-accent, #0b5cad); color: #fff; }
    [role=tablist] { display: flex; flex-wrap: wrap; gap: .25rem; margin: .75rem 0 .25rem; }
    [role=tab][aria-selected=true] { background: var(--sme-accent, #0b5cad); border-color: var(--sme-accent, #0b5cad); color: #fff; }
    .count { opacity: .75; font-size: .85em; margin-inline-start: .25em; }
    .status { margin: .5rem 0; color: var(--sme-muted, #4b5563); }
    .error { color: #a4161a; }
    .facets { display: flex; flex-wrap: wrap; gap: .25rem .75rem; font-size: .9rem; margin: .25rem 0; }
    .facets button { padding: .1rem .5rem; font-size: .85rem; }
    .facets button[aria-pressed=true] { border-color: var(--sme-accent, #0b5cad); font-weight: 600; }
    ol { list-style: none; padding: 0; margin: 0; }
    li.result { margin: 1rem 0; }
    .title { font-size: 1.08rem; font-weight: 600; }
    .title a { color: var(--sme-accent, #0b5cad); }
    .snippet { margin: .15rem 0; }
    .meta, .original { font-size: .85rem; color: var(--sme-muted, #4b5563); }
    .machine { font-size: .8rem; color: var(--sme-muted, #4b5563); }
    mark { background: var(--sme-mark, #ffe58a); color: inherit; }
    .pager { display: flex; gap: .5rem; align-items: center; margin: 1rem 0; }
    .alert { margin: 1rem 0; font-size: .9rem; } .alert input { margin: 0 .5rem; } .alert [role=status] { margin-inline-start: .5rem; }
    .help { border-inline-start: 3px solid var(--sme-accent, #0b5cad); padding: .25rem .75rem; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    [hidden] { display: none !important; }
    @media (forced-colors: active) {
      [role=option][aria-selected=true], [role=tab][aria-selected=true], button.primary {
        forced-color-adjust: none; background: Highlight; color: HighlightText; border-color: Highlight; }
      mark { forced-color-adjust: none; background: Mark; color: MarkText; }
      .title a { color: LinkText; }
    }
  `;

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  /** A crawled text with its highlight offsets (code points) as text nodes and <mark>s. */
  function highlighted(snippet) {
    const out = document.createDocumentFragment();
    const chars = Array.from(snippet.text || "");
    let at = 0;
    for (const [start, end] of snippet.highlights || []) {
      if (start < at || end > chars.length || start >= end) continue;
      out.append(document.createTextNode(chars.slice(at, start).join("")));
      out.append(element("mark", { text: chars.slice(start, end).join("") }));
      at = end;
    }
    out.append(document.createTextNode(chars.slice(at).join("")));
    return out;
  }

  /** The address if it is http(s); null for javascript:, data: and anything else. */
  function safeHref(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function pageLanguage() {
    const declared = (document.documentElement.lang || navigator.language || "en").toLowerCase();
    return declared.startsWith("zh") ? "zh" : declared.startsWith("ja") ? "ja" : "en";
  }

  class SmeSearch extends HTMLElement {
    static get observedAttributes() { return ["lang", "api", "category", "service", "page-size"]; }

    constructor() {
      super();
      this.uid = `sme${++instances}`;
      this.state = { q: "", mode: "keyword", category: 0, service: "", lang: "", site: "", page: 1, relax: true };
      this.labels = null; // categories and services with names, from the API
      this.suggestTimer = 0;
      this.suggestAbort = null;
      this.searchAbort = null;
      this.composing = false;
      this.activeOption = -1;
      this.attachShadow({ mode: "open" });
    }

    get api() { return (this.getAttribute("api") || "").replace(/\/+$/, ""); }
    get language() {
      const lang = (this.getAttribute("lang") || pageLanguage()).toLowerCase().slice(0, 2);
      return TEXT[lang] ? lang : "en";
    }
    get t() { return TEXT[this.language]; }
    get pageSize() { return Math.min(100, Math.max(1, parseInt(this.getAttribute("page-size") || "10", 10) || 10)); }

    connectedCallback() {
      this.state.category = parseInt(this.getAttribute("category") || "0", 10) || 0;
      this.state.service = this.getAttribute("service") || "";
      this.render();
      this.onHash = () => { if (this.readHash()) this.search(false); };
      window.addEventListener("hashchange", this.onHash);
      this.loadLabels().then(() => { if (this.readHash() && this.state.q) this.search(false); });
    }

    disconnectedCallback() { window.removeEventListener("hashchange", this.onHash); }

    attributeChangedCallback(name, before, after) {
      if (!this.shadowRoot.firstChild || before === after) return;
      if (name === "lang") { this.render(); this.fillLabels(); if (this.state.q) this.search(false); }
    }

    // -- the frame ---------------------------------------------------------------------------

    render() {
      const t = this.t, id = this.uid;
      const root = this.shadowRoot;
      root.replaceChildren();
      if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(element("style", { text: STYLE }));
      }
      this.input = element("input", {
        type: "search", id: `${id}-q`, role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
        "aria-controls": `${id}-suggestions`, autocomplete: "off", enterkeyhint: "search", placeholder: t.placeholder,
        maxlength: 500, lang: this.language,
      });
      this.input.value = this.state.q;
      this.listbox = element("ul", { id: `${id}-suggestions`, role: "listbox", "aria-label": t.suggestions, hidden: true });
      this.modeSelect = element("select", { "aria-label": t.mode },
        element("option", { value: "keyword", text: t.keyword }), element("option", { value: "sentence", text: t.sentence }));
      this.modeSelect.value = this.state.mode;
      this.categorySelect = element("select", { "aria-label": t.category });
      this.form = element("form", { role: "search", "aria-label": t.label },
        element("label", { for: `${id}-q`, class: "visually-hidden", text: t.label }),
        element("div", { class: "box" }, this.input, this.listbox),
        this.modeSelect, this.categorySelect,
        element("button", { type: "submit", class: "primary", text: t.search }));
      this.tabs = element("div", { role: "tablist", "aria-label": t.services });
      this.status = element("p", { class: "status", role: "status", "aria-live": "polite" });
      this.errorBox = element("p", { class: "status error", role: "alert", hidden: true });
      this.facets = element("div", { class: "facets", "aria-label": t.refine, role: "group", hidden: true });
      this.heading = element("h2", { class: "visually-hidden", tabindex: "-1", text: t.results });
      this.list = element("ol", { "aria-label": t.results });
      this.help = element("div", { class: "help", hidden: true });
      this.pager = element("nav", { class: "pager", "aria-label": t.pageOf(1, 1), hidden: true });
      this.alertEmail = element("input", { type: "email", required: true, maxlength: 254, autocomplete: "email" });
      this.alertStatus = element("span", { role: "status" });
      this.alertForm = element("form", { class: "alert", hidden: true },
        element("label", {}, document.createTextNode(`${t.alertLabel} `), this.alertEmail),
        element("button", { type: "submit", text: t.alertButton }), this.alertStatus);
      this.alertForm.addEventListener("submit", (event) => { event.preventDefault(); this.askAlert(); });
      root.append(element("div", { class: "frame", lang: this.language }, this.form, this.tabs, this.status,
                          this.errorBox, this.facets, this.heading, this.help, this.list, this.pager, this.alertForm));
      this.wire();
      this.fillLabels();
    }

    wire() {
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.closeSuggestions();
        this.state.q = this.input.value.trim();
        this.state.page = 1;
        this.state.relax = true;  // a new query may be relaxed again
        this.search(true);
      });
      this.modeSelect.addEventListener("change", () => { this.state.mode = this.modeSelect.value; this.resubmit(); });
      this.categorySelect.addEventListener("change", () => {
        this.state.category = parseInt(this.categorySelect.value, 10) || 0;
        this.resubmit();
      });
      // An input method (Chinese pinyin, Japanese kana-kanji) owns Enter and the arrows while it
      // composes: they choose and commit its candidates, and must not submit or move our list.
      this.input.addEventListener("compositionstart", () => { this.composing = true; });
      this.input.addEventListener("compositionend", () => {
        this.composing = false;
        this.scheduleSuggest();
      });
      this.input.addEventListener("input", () => { if (!this.composing) this.scheduleSuggest(); });
      this.input.addEventListener("keydown", (event) => this.onKey(event));
      this.input.addEventListener("blur", () => setTimeout(() => this.closeSuggestions(), 150));
    }

    onKey(event) {
      if (event.isComposing || this.composing || event.keyCode === 229) return;
      const options = Array.from(this.listbox.children);
      const open = !this.listbox.hidden && options.length > 0;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        // Positions run from the box itself (-1) through the options, and wrap round.
        const slots = options.length + 1;
        this.highlightOption(((this.activeOption + 1 + step + slots) % slots) - 1);
      } else if (event.key === "Enter" && open && this.activeOption >= 0) {
        event.preventDefault();
        this.choose(options[this.activeOption].dataset.value);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        this.closeSuggestions();
      }
    }

    resubmit() {
      this.state.page = 1;
      if (this.state.q) this.search(true);
    }

    // -- categories and services ---------------------------------------------------------------

    async loadLabels() {
      try {
        const [categories, services] = await Promise.all([this.get("/api/categories"), this.get("/api/services")]);
        this.labels = { categories, services };
      } catch (e) {
        this.labels = null; // searching still works; the menus keep the ids
      }
      this.fillLabels();
    }

    fillLabels() {
      const t = this.t, lang = this.language;
      const categories = this.labels ? this.labels.categories : [{ id: 0, names: {} }];
      this.categorySelect.replaceChildren(...categories.map((c) =>
        element("option", { value: c.id, text: c.id === 0 ? t.allCategories : `${c.id} ${c.names[lang] || c.id}` })));
      this.categorySelect.value = String(this.state.category);
      const services = [{ id: "", names: {} }, ...(this.labels ? this.labels.services : [])];
      this.tabs.replaceChildren(...services.map((s) => {
        const tab = element("button", { type: "button", role: "tab", "data-service": s.id,
          "aria-selected": String(this.state.service === s.id), tabindex: this.state.service === s.id ? "0" : "-1",
          text: s.id === "" ? t.allServices : (s.names[lang] || s.id) });
        tab.addEventListener("click", () => this.selectService(s.id));
        tab.addEventListener("keydown", (event) => this.onTabKey(event));
        return tab;
      }));
    }

    selectService(id) {
      this.state.service = id;
      for (const tab of this.tabs.children) {
        const selected = tab.dataset.service === id;
        tab.setAttribute("aria-selected", String(selected));
        tab.tabIndex = selected ? 0 : -1;
      }
      this.resubmit();
    }

    onTabKey(event) {
      const tabs = Array.from(this.tabs.children);
      const at = tabs.indexOf(event.currentTarget);
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -at, End: tabs.length - 1 - at };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = tabs[(at + moves[event.key] + tabs.length) % tabs.length];
      next.focus();
      this.selectService(next.dataset.service);
    }

    // -- suggestions -------------------------------------------------------------------------

    scheduleSuggest() {
      clearTimeout(this.suggestTimer);
      this.suggestTimer = setTimeout(() => this.suggest(), 180);
    }

    async suggest() {
      const prefix = this.input.value.trim();
      if (this.suggestAbort) this.suggestAbort.abort();
      if (!prefix) { this.closeSuggestions(); return; }
      this.suggestAbort = new AbortController();
      try {
        const body = await this.get("/api/suggest?" + new URLSearchParams({ q: prefix, limit: "8" }), this.suggestAbort.signal);
        if (this.input.value.trim() !== prefix || this.composing) return;
        this.showSuggestions(body.suggestions.map((s) => s.text));
      } catch (e) {
        if (e.name !== "AbortError") this.closeSuggestions();
      }
    }

    showSuggestions(texts) {
      this.activeOption = -1;
      this.input.removeAttribute("aria-activedescendant");
      this.listbox.replaceChildren(...texts.map((text, i) => {
        const option = element("li", { role: "option", id: `${this.uid}-option-${i}`, "aria-selected": "false", text });
        option.dataset.value = text;
        option.addEventListener("mousedown", (event) => { event.preventDefault(); this.choose(text); });
        return option;
      }));
      const open = texts.length > 0;
      this.listbox.hidden = !open;
      this.input.setAttribute("aria-expanded", String(open));
    }

    highlightOption(index) {
      const options = Array.from(this.listbox.children);
      this.activeOption = index;
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        this.input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        this.input.removeAttribute("aria-activedescendant");
      }
    }

    choose(text) {
      this.input.value = text;
      this.closeSuggestions();
      this.state.q = text;
      this.state.page = 1;
      this.state.relax = true;
      this.search(true);
    }

    closeSuggestions() {
      clearTimeout(this.suggestTimer);
      this.listbox.hidden = true;
      this.listbox.replaceChildren();
      this.activeOption = -1;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }

    // -- searching -----------------------------------------------------------------------------

    async get(path, signal) {
      const response = await fetch(this.api + path, { signal, headers: { Accept: "application/json" } });
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      if (!response.ok) {
        const error = new Error(body && body.detail ? body.detail : `HTTP ${response.status}`);
        error.name = "ApiError";
        error.status = response.status;
        throw error;
      }
      return body;
    }

    /** What went wrong, in the reader's words: a bad query's detail comes in `ui_lang` from the
     * API; busy and unavailable servers are said here, since their details are for operators. */
    failure(e) {
      const t = this.t;
      if (e.name !== "ApiError") return t.unreachable;
      if (e.status === 429) return t.busy;
      if (e.status >= 500) return t.unavailable;
      return `${t.error} ${e.message}`;
    }

    async askAlert() {
      // New results of this search, by e-mail: the API mails a confirmation link first.
      const s = this.state;
      const body = { query: s.q, email: this.alertEmail.value, lang: this.language,
                     filters: { category: s.category || 0, service: s.service || null, lang: s.lang || null } };
      try {
        const response = await fetch(this.api + "/api/alerts", {
          method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body) });
        const answer = await response.json().catch(() => ({}));
        // The one thing a reader can get wrong here is the address (422); the rest is the server's.
        this.alertStatus.textContent = response.ok ? this.t.alertSent : response.status === 422 ? this.t.alertInvalid
          : this.failure({ name: "ApiError", status: response.status, message: answer.detail || `HTTP ${response.status}` });
      } catch (e) {
        this.alertStatus.textContent = this.t.unreachable;
      }
    }

    async search(remember) {
      const s = this.state, t = this.t;
      if (!s.q) return;
      if (remember) this.writeHash();
      if (this.searchAbort) this.searchAbort.abort();
      this.searchAbort = new AbortController();
      // Only the facets it shows: the server counts them in a second pass over the matches.
      const params = new URLSearchParams({ q: s.q, mode: s.mode, page: String(s.page), size: String(this.pageSize),
                                           ui_lang: this.language, facets: "category,service,lang,site" });
      if (s.category) params.set("category", String(s.category));
      if (s.service) params.set("service", s.service);
      if (s.lang) params.set("lang", s.lang);
      if (s.site) params.set("site", s.site);
      if (!s.relax) params.set("relax", "false");
      this.setAttribute("aria-busy", "true");
      this.list.setAttribute("aria-busy", "true");
      this.status.textContent = t.searching;
      this.errorBox.hidden = true;
      try {
        const body = await this.get("/api/search?" + params, this.searchAbort.signal);
        this.show(body);
        if (remember && s.page > 1) this.heading.focus();
      } catch (e) {
        if (e.name === "AbortError") return;
        this.status.textContent = "";
        this.errorBox.hidden = false;
        this.errorBox.textContent = this.failure(e);
        this.list.replaceChildren();
        this.pager.hidden = true;
        this.facets.hidden = true;
        this.help.hidden = true;
      } finally {
        this.removeAttribute("aria-busy");
        this.list.removeAttribute("aria-busy");
      }
    }

    show(body) {
      const t = this.t;
      this.status.textContent = t.found(body.total);
      this.list.replaceChildren(...body.results.map((hit) => this.result(hit)));
      this.showFacets(body.facets || {});
      this.showHelp(body);
      this.showPager(body.total);
      this.alertForm.hidden = false;
      this.alertStatus.textContent = "";
    }

    result(hit) {
      const t = this.t;
      const href = safeHref(hit.url);
      const title = element("div", { class: "title" });
      const link = href ? element("a", { href, rel: "noopener noreferrer nofollow ugc" }) : element("span");
      if (hit.title_translated) {
        link.textContent = hit.title_translated;
        link.setAttribute("lang", this.language);
      } else {
        link.append(highlighted(hit.title));
        link.setAttribute("lang", hit.lang);
      }
      title.append(link);
      if (hit.title_translated && hit.title_machine_translated) {
        title.append(element("span", { class: "machine", text: ` (${t.machine})` }));
      }
      // The original title on a line of its own, in its own language: a tooltip would mix the
      // reader's words with the page's, and touch screens never show it.
      const original = hit.title_translated
        ? element("div", { class: "original", text: t.original + (this.language === "en" ? " " : "") }, element("span", { lang: hit.lang }, highlighted(hit.title)))
        : null;
      const snippet = element("div", { class: "snippet", lang: hit.lang }, highlighted(hit.snippet));
      const langName = (LANG_NAMES[hit.lang] || {})[this.language] || hit.lang;
      const meta = element("div", { class: "meta",
        text: [hit.site, langName, ...hit.categories.map((c) => c.name), ...this.serviceNames(hit.services),
          hit.published_at ? hit.published_at.slice(0, 10) : null]
          .filter(Boolean).join(" · ") + " · " });
      // What the index knows of the enterprise behind the page, on the API's own portal.
      const profile = safeHref(new URL(`${this.api}/documents/${encodeURIComponent(hit.id)}?lang=${this.language}`,
                                       location.href).href);
      if (profile) meta.append(element("a", { class: "profile", href: profile, text: t.profile }));
      return element("li", { class: "result" }, title, original, snippet, meta);
    }

    serviceNames(ids) {
      // A title left in its own language still says what the page offers, in the reader's.
      const services = this.labels ? this.labels.services : [];
      return ids.map((id) => { const s = services.find((x) => x.id === id); return s ? (s.names[this.language] || id) : id; });
    }

    showFacets(facets) {
      const t = this.t, s = this.state;
      const groups = [["lang", t.language, s.lang], ["site", t.site, s.site]];
      const parts = [];
      for (const [name, label, current] of groups) {
        const values = (facets[name] || []).slice(0, 6);
        if (!values.length) continue;
        parts.push(element("span", { text: `${label}:` }));
        for (const facet of values) {
          const shown = name === "lang" ? ((LANG_NAMES[facet.value] || {})[this.language] || facet.value) : facet.value;
          const pressed = current === facet.value;
          const button = element("button", { type: "button", "aria-pressed": String(pressed),
            "aria-label": pressed ? t.filterRemove(shown) : null },
            document.createTextNode(shown), element("span", { class: "count", text: `(${facet.count})` }));
          button.addEventListener("click", () => { s[name] = pressed ? "" : facet.value; this.resubmit(); });
          parts.push(button);
        }
      }
      this.facets.replaceChildren(...parts);
      this.facets.hidden = parts.length === 0;
      this.countChoices(facets);
    }

    async countChoices(facets) {
      // Counts on the category menu and the service tabs, for this query. A chosen filter's own
      // counts come from the query without it, as in any faceted search: choosing "Agents" must
      // not leave the other tabs without their numbers. What this answer already knows is shown
      // at once; the rest when its counts arrive.
      const s = this.state, round = (this.countRound = (this.countRound || 0) + 1);
      if (!s.service) this.showServiceCounts(facets.service || []);
      if (!s.category) this.showCategoryCounts(facets.category || []);
      let service = null, category = null;
      try {
        if (s.service) service = await this.countsWithout("service");
        if (s.category) category = await this.countsWithout("category");
      } catch (e) {
        return; // the last counts stay; the results are shown already
      }
      if (round !== this.countRound) return; // a newer search is counting
      if (service) this.showServiceCounts(service);
      if (category) this.showCategoryCounts(category);
    }

    async countsWithout(name) {
      const s = this.state;
      // size 0: counts only, which the search log does not take for a search someone read.
      const params = new URLSearchParams({ q: s.q, mode: s.mode, size: "0", ui_lang: this.language, facets: name });
      if (s.category && name !== "category") params.set("category", String(s.category));
      if (s.service && name !== "service") params.set("service", s.service);
      if (s.lang) params.set("lang", s.lang);
      if (s.site) params.set("site", s.site);
      if (!s.relax) params.set("relax", "false");
      const key = params.toString();
      this.counted = this.counted || new Map();
      if (!this.counted.has(key)) {
        if (this.counted.size > 50) this.counted.clear();
        this.counted.set(key, (await this.get("/api/search?" + params)).facets[name] || []);
      }
      return this.counted.get(key);
    }

    showCategoryCounts(category) {
      const categoryCounts = Object.fromEntries(category.map((f) => [f.value, f.count]));
      for (const option of this.categorySelect.options) {
        const base = option.textContent.replace(/ \(\d[\d,]*\)$/, "");
        const n = categoryCounts[option.value];
        option.textContent = option.value !== "0" && n ? `${base} (${n})` : base;
      }
    }

    showServiceCounts(service) {
      const serviceCounts = Object.fromEntries(service.map((f) => [f.value, f.count]));
      for (const tab of this.tabs.children) {
        const old = tab.querySelector(".count");
        if (old) old.remove();
        const n = serviceCounts[tab.dataset.service];
        if (n) tab.append(element("span", { class: "count", text: `(${n})` }));
      }
    }

    showHelp(body) {
      const t = this.t;
      const parts = [];
      if (body.relaxed) {
        const strict = element("button", { type: "button", text: t.allWords });
        strict.addEventListener("click", () => { this.state.relax = false; this.resubmit(); });
        const sentence = element("button", { type: "button", text: t.trySentence });
        sentence.addEventListener("click", () => {
          this.state.mode = this.modeSelect.value = "sentence";
          this.resubmit();
        });
        parts.push(element("p", { text: t.relaxed }), element("p", {}, strict, document.createTextNode(" "), sentence));
      } else if (body.total === 0) {
        parts.push(element("p", { text: t.none }));
        if (body.did_you_mean) {
          const retry = element("button", { type: "button", text: body.did_you_mean });
          retry.addEventListener("click", () => this.choose(body.did_you_mean));
          parts.push(element("p", {}, document.createTextNode(`${t.didYouMean} `), retry, document.createTextNode("?")));
        }
        parts.push(element("p", { text: t.tips }));
      }
      const hinted = body.service_hint && this.labels && this.labels.services.find((s) => s.id === body.service_hint);
      if (hinted && !this.state.service) {
        const only = element("button", { type: "button", class: "hint",
          text: `${t.onlyService} ${hinted.names[this.language] || hinted.id}` });
        only.addEventListener("click", () => this.selectService(hinted.id));
        parts.push(element("p", {}, only));
      }
      this.help.replaceChildren(...parts);
      this.help.hidden = parts.length === 0;
    }

    showPager(total) {
      const t = this.t, s = this.state;
      const pages = Math.max(1, Math.ceil(Math.min(total, MAX_RESULTS) / this.pageSize));
      if (pages <= 1) { this.pager.hidden = true; this.pager.replaceChildren(); return; }
      const previous = element("button", { type: "button", text: t.previous, disabled: s.page <= 1 });
      const next = element("button", { type: "button", text: t.next, disabled: s.page >= pages });
      previous.addEventListener("click", () => { s.page -= 1; this.search(true); });
      next.addEventListener("click", () => { s.page += 1; this.search(true); });
      this.pager.setAttribute("aria-label", t.pageOf(s.page, pages));
      this.pager.replaceChildren(previous, element("span", { text: t.pageOf(s.page, pages) }), next);
      this.pager.hidden = false;
    }

    // -- deep links ----------------------------------------------------------------------------

    hashKey(name) { return this.id ? `${this.id}-${name}` : `sme-${name}`; }

    writeHash() {
      const params = new URLSearchParams(location.hash.slice(1));
      const s = this.state;
      const values = { q: s.q, mode: s.mode === "keyword" ? "" : s.mode, cat: s.category || "", svc: s.service,
                       lang: s.lang, site: s.site, page: s.page > 1 ? s.page : "" };
      for (const [name, value] of Object.entries(values)) {
        if (value === "" || value === undefined) params.delete(this.hashKey(name));
        else params.set(this.hashKey(name), String(value));
      }
      const hash = "#" + params.toString();
      this.lastHash = hash;
      if (location.hash !== hash) history.pushState(null, "", hash);
    }

    /** Take the state from the URL hash; true if it holds a query for this widget. */
    readHash() {
      if (location.hash === this.lastHash) return false;
      const params = new URLSearchParams(location.hash.slice(1));
      const q = params.get(this.hashKey("q"));
      if (q === null) return false;
      const s = this.state;
      s.q = q.slice(0, 500);
      s.mode = params.get(this.hashKey("mode")) === "sentence" ? "sentence" : "keyword";
      const category = parseInt(params.get(this.hashKey("cat")) || "0", 10);
      s.category = category >= 0 && category <= 11 ? category : 0;
      s.service = params.get(this.hashKey("svc")) || "";
      s.lang = params.get(this.hashKey("lang")) || "";
      s.site = params.get(this.hashKey("site")) || "";
      s.page = Math.max(1, parseInt(params.get(this.hashKey("page")) || "1", 10) || 1);
      this.lastHash = location.hash;
      this.input.value = s.q;
      this.modeSelect.value = s.mode;
      this.categorySelect.value = String(s.category);
      for (const tab of this.tabs.children) {
        const selected = tab.dataset.service === s.service;
        tab.setAttribute("aria-selected", String(selected));
        tab.tabIndex = selected ? 0 : -1;
      }
      return true;
    }
  }

  customElements.define("sme-search", SmeSearch);
})();
