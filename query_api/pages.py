"""The portal page (`/`) and the embedding page (`/embed`), in zh, ja and en.

Both are built on the widget itself (`/widget.js`): the portal is the widget plus a short account
of Table 11's categories and the six services; /embed shows portal owners the tag to copy with a
live preview. Every text here is ours and escaped; crawled text only ever reaches the browser
through the widget, as text nodes. No inline script, so the pages' policy allows only our files.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from analysis.languages import INTERFACE_LANGUAGES
from categories import CATEGORIES, SERVICE_LIST
from query_api.deps import app_of

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
                               "object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

TEXT = {
    "en": {
        "title": "SME market-expansion search",
        "lead": "Find partners for business tie-ups, agents, investment, capital, purchasing and recruiting in "
                "China, Japan and beyond. Search in Chinese, Japanese or English: pages in all three are found.",
        "categories": "The eleven categories", "services": "The six retrieval services",
        "categories_note": "Every page is sorted into the product categories of the 2001 Shenyang SME Information "
                           "Network (Table 11); 0 means all categories.",
        "services_note": "And by what the enterprise behind it is looking for:",
        "embed": "Put this search on your portal", "portal": "Back to the search",
        "embed_lead": "Copy these two lines into any page. The search keeps its own look (your page's styles "
                      "do not reach it, and its styles do not reach your page); set lang, category, service "
                      "and page-size as you need, and the colours with CSS custom properties.",
        "preview": "Live preview", "theme": "Theme", "colon": ": ",
    },
    "zh": {
        "title": "中小企业市场拓展检索",
        "lead": "寻找业务合作、代理、投资、引进资金、采购与招聘的伙伴，覆盖中国、日本及更多地区。"
                "可用中文、日文或英文检索，三种语言的信息都能找到。",
        "categories": "十一个产品类别", "services": "六项检索服务",
        "categories_note": "每条信息按照2001年沈阳中小企业信息网的产品类别（表11）分类；0 表示全部类别。",
        "services_note": "并按照发布企业的需求分类：",
        "embed": "在您的网站上嵌入本检索", "portal": "返回检索",
        "embed_lead": "把下面两行代码复制到任意网页即可。检索框保持自己的样式（您网页的样式不会影响它，它也不会影响您的网页）；"
                      "可按需设置 lang、category、service 和 page-size，并用 CSS 自定义属性设置颜色。",
        "preview": "实时预览", "theme": "主题", "colon": "：",
    },
    "ja": {
        "title": "中小企業市場開拓検索",
        "lead": "業務提携・代理店・投資・資本導入・調達・求人の相手を、中国・日本をはじめ各地で探せます。"
                "中国語・日本語・英語のどれで検索しても、三つの言語の情報が見つかります。",
        "categories": "11の製品カテゴリー", "services": "6つの検索サービス",
        "categories_note": "すべての情報は、2001年の瀋陽中小企業情報ネットワークの製品分類（表11）に分類されます。0 はすべてのカテゴリーです。",
        "services_note": "また、掲載した企業が求めていることによって分類されます：",
        "embed": "この検索をあなたのサイトに", "portal": "検索に戻る",
        "embed_lead": "次の2行を任意のページに貼り付けてください。検索部品は独自の見た目を保ちます（ページのスタイルは影響せず、"
                      "部品のスタイルもページに影響しません）。lang、category、service、page-size を指定でき、色は CSS カスタムプロパティで変えられます。",
        "preview": "プレビュー", "theme": "テーマ", "colon": "：",
    },
}

STYLE = """
body { font: 16px/1.6 system-ui, "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif; max-width: 60rem;
       margin: 0 auto; padding: 1rem 1.25rem 3rem; color: #1b1f24; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 1rem; }
nav a { margin-inline-start: .75rem; }
a { color: #0b5cad; }
sme-search { margin: 1.5rem 0 2rem; }
.labels { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .25rem 1.5rem;
          padding: 0; list-style: none; }
pre { background: #f3f4f6; padding: 1rem; overflow-x: auto; border-radius: 6px; }
.preview { border: 2px dashed #9ca3af; padding: 1rem; border-radius: 6px; }
.profile dt { font-weight: 600; margin-top: .75rem; }
.profile dd { margin-inline-start: 0; }
.meta { color: #4b5563; }
@media (forced-colors: active) { .preview { border-color: CanvasText; } }
"""


def pick_lang(requested: str | None, accept_language: str) -> str:
    """The page language: ?lang= first, then the browser's Accept-Language, then English."""
    if requested in INTERFACE_LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in accept_language.lower().split(","):
        code = part.split(";")[0].strip()[:2]
        if code in INTERFACE_LANGUAGES:
            return code
    return "en"


def frame(lang: str, title: str, body: str, path: str) -> str:
    """A whole portal page around `body` (already escaped): header, language switch, our styles and script."""
    t = TEXT[lang]
    switch = "".join(f'<a href="{path}?lang={code}" lang="{code}"{" aria-current=page" if code == lang else ""}>'
                     f'{escape(name)}</a>' for code, name in (("zh", "中文"), ("ja", "日本語"), ("en", "English")))
    other = ("/embed", t["embed"]) if path == "/" else ("/", t["portal"])
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
<script src="/widget.js" defer></script>
</head>
<body>
<header><h1>{escape(TEXT[lang]["title"])}</h1>
<nav aria-label="Language">{switch}<a href="{other[0]}?lang={lang}">{escape(other[1])}</a></nav></header>
<main>
{body}
</main>
</body>
</html>
"""


def portal_page(lang: str) -> str:
    t = TEXT[lang]
    categories = "".join(f"<li><b>{c.id}</b> {escape(c.name(lang))}</li>" for c in CATEGORIES)
    services = "".join(f"<li><b>{escape(s.name(lang))}</b>{t['colon']}{escape(s.about(lang))}</li>"
                       for s in SERVICE_LIST)
    body = f"""<p>{escape(t["lead"])}</p>
<sme-search lang="{lang}" api=""></sme-search>
<section aria-labelledby="categories"><h2 id="categories">{escape(t["categories"])}</h2>
<p>{escape(t["categories_note"])}</p><ul class="labels">{categories}</ul></section>
<section aria-labelledby="services"><h2 id="services">{escape(t["services"])}</h2>
<p>{escape(t["services_note"])}</p><ul>{services}</ul></section>"""
    return frame(lang, t["title"], body, "/")


def embed_page(lang: str, base_url: str) -> str:
    t = TEXT[lang]
    base = base_url.rstrip("/")
    snippet = (f'<script src="{base}/widget.js" defer></script>\n'
               f'<sme-search api="{base}" lang="{lang}" category="0" page-size="10"></sme-search>')
    theme = ("sme-search {\n  --sme-accent: #b42318;   /* buttons, links, the selected tab */\n"
             "  --sme-font: Georgia, serif;\n  --sme-radius: 0;\n  --sme-mark: #fde68a;\n}")
    body = f"""<h2>{escape(t["embed"])}</h2>
<p>{escape(t["embed_lead"])}</p>
<pre><code>{escape(snippet)}</code></pre>
<h3>{escape(t["theme"])}</h3>
<pre><code>{escape(theme)}</code></pre>
<h3>{escape(t["preview"])}</h3>
<div class="preview"><sme-search api="" lang="{lang}"></sme-search></div>"""
    return frame(lang, f'{t["embed"]} · {t["title"]}', body, "/embed")


ADMIN_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 80rem; padding: 1rem 1.25rem 3rem; color: #1b1f24; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { text-align: start; padding: .3rem .5rem; border-bottom: 1px solid #d0d5dd; vertical-align: top; }
td.number { text-align: end; font-variant-numeric: tabular-nums; }
.status-failed { color: #b42318; font-weight: 600; } .status-succeeded { color: #027a48; }
.status-running, .status-queued { color: #b54708; }
.alert-flag { color: #b42318; font-weight: 700; }
button { font: inherit; padding: .2rem .6rem; margin-inline-end: .3rem; }
:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
#message.error, #signin-error { color: #b42318; }
.swatch::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-inline: .6em .3em; background: var(--swatch); }
svg { width: 100%; max-width: 44rem; height: auto; border: 1px solid #d0d5dd; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (forced-colors: active) { .swatch::before { forced-color-adjust: none; } }
"""


def admin_page() -> str:
    """The operator console. Operators use it in English for now; every control is labelled."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Operator console · SME market-expansion search</title>
<style>{ADMIN_STYLE}</style>
<script src="/admin.js" defer></script>
</head>
<body>
<header><h1>Operator console</h1><a href="/">Search portal</a></header>
<main>
<section id="signin" aria-labelledby="signin-title">
  <h2 id="signin-title">Sign in</h2>
  <form id="signin-form">
    <label for="key">Operator key</label>
    <input id="key" type="password" autocomplete="off" required size="50">
    <button type="submit">Sign in</button>
  </form>
  <p id="signin-error" role="alert"></p>
  <p>Make a key with <code>smesearch operators add NAME --role admin</code> (or <code>--role read</code> to look only).</p>
</section>
<div id="console" hidden>
  <p>Signed in as <b id="who"></b> · <button type="button" id="signout">Sign out</button> · <span id="updated"></span></p>
  <p id="message" role="status" aria-live="polite"></p>
  <section aria-labelledby="sources-title"><h2 id="sources-title">Sources</h2>
  <table><thead><tr><th scope="col">Source</th><th scope="col">Name</th><th scope="col">Group</th><th scope="col">Schedule</th>
  <th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">Status</th><th scope="col">Documents</th>
  <th scope="col">Actions</th></tr></thead><tbody id="sources"></tbody></table></section>
  <section aria-labelledby="chart-title"><h2 id="chart-title">Pages per day, by source group (30 days)</h2>
  <p><label for="measure">Pages</label> <select id="measure"><option value="fetched">fetched</option>
  <option value="new">new</option><option value="updated">updated</option><option value="deleted">deleted</option></select></p>
  <p id="legend"></p><svg id="chart" role="img" aria-labelledby="chart-title"></svg>
  <p id="chart-empty">No successful runs in the last 30 days.</p>
  <details><summary>The figures as a table</summary><table id="chart-table"></table></details></section>
  <section aria-labelledby="alerts-title"><h2 id="alerts-title">Alerts</h2><ul id="alerts"></ul>
  <p id="no-alerts">No alerts.</p></section>
  <section aria-labelledby="runs-title"><h2 id="runs-title">Runs</h2>
  <table><thead><tr><th scope="col">Run</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Trigger</th>
  <th scope="col">Started</th><th scope="col">Took</th><th scope="col">Fetched</th><th scope="col">New</th><th scope="col">Updated</th>
  <th scope="col">Errors</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody id="runs"></tbody></table></section>
</div>
</main>
</body>
</html>
"""


@cache
def static_file(name: str) -> str:
    """One of our scripts in query_api/static/, read once."""
    return resources.files("query_api").joinpath(f"static/{name}").read_text("utf-8")


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def portal(request: Request, lang: str | None = None) -> HTMLResponse:
    """The portal: search page in zh, en or ja (`?lang=`)."""
    page_lang = pick_lang(lang, request.headers.get("accept-language", ""))
    return HTMLResponse(portal_page(page_lang), headers=PAGE_HEADERS)


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request, lang: str | None = None) -> HTMLResponse:
    """How to embed the widget on a portal, with a live preview."""
    page_lang = pick_lang(lang, request.headers.get("accept-language", ""))
    base = app_of(request).settings.public_base_url or str(request.base_url)
    return HTMLResponse(embed_page(page_lang, base), headers=PAGE_HEADERS)


@router.get("/admin", response_class=HTMLResponse)
def console() -> HTMLResponse:
    """The operator console (it asks for a key)."""
    return HTMLResponse(admin_page(), headers={**PAGE_HEADERS, "X-Frame-Options": "DENY", "Cache-Control": "no-store"})


@router.get("/admin.js")
def console_script() -> Response:
    """The console's script."""
    return Response(static_file("admin.js"), media_type="text/javascript; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff"})


@router.get("/widget.js")
def widget() -> Response:
    """The embeddable search widget."""
    return Response(static_file("widget.js"), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})
