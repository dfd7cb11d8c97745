// The portal's search page. Every text from the index is inserted with textContent: crawled
// pages are untrusted, so nothing they contain is ever parsed as HTML here.
"use strict";
(function () {
  const form = document.getElementById("search");
  const status = document.getElementById("status");
  const list = document.getElementById("results");

  function highlighted(snippet) {
    const out = document.createDocumentFragment();
    const chars = Array.from(snippet.text);
    let at = 0;
    for (const [start, end] of snippet.highlights) {
      out.append(chars.slice(at, start).join(""));
      const mark = document.createElement("mark");
      mark.textContent = chars.slice(start, end).join("");
      out.append(mark);
      at = end;
    }
    out.append(chars.slice(at).join(""));
    return out;
  }

  function safeUrl(url) {
    try { const u = new URL(url); return u.protocol === "http:" || u.protocol === "https:" ? u.href : null; }
    catch (e) { return null; }
  }

  async function run(q, mode) {
    status.textContent = "…";
    list.replaceChildren();
    const params = new URLSearchParams({ q, mode, ui_lang: document.documentElement.lang || "en" });
    const response = await fetch("/api/search?" + params);
    const body = await response.json();
    if (!response.ok) { status.textContent = body.detail; return; }
    status.textContent = body.total + " results" + (body.did_you_mean ? " · did you mean: " + body.did_you_mean : "");
    for (const hit of body.results) {
      const li = document.createElement("li");
      const href = safeUrl(hit.url);
      const title = document.createElement(href ? "a" : "span");
      if (href) { title.href = href; title.rel = "noopener noreferrer nofollow"; }
      title.append(highlighted(hit.title));
      if (hit.title_translated) title.title = hit.title_translated;
      const snippet = document.createElement("div");
      snippet.append(highlighted(hit.snippet));
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = [hit.site, hit.lang, ...hit.categories.map(c => c.name), ...hit.services].join(" · ");
      li.append(title, snippet, meta);
      list.append(li);
    }
  }

  form.addEventListener("submit", event => {
    event.preventDefault();
    run(form.q.value, form.mode.value).catch(err => { status.textContent = "The search failed: " + err; });
  });
})();
