"""The portal page (`/`) and the embedding page (`/embed`), in zh, ja and en.

Both are built on the widget itself (`/widget.js`): the portal is the widget plus a short account
of Table 11's categories and the six services; /embed shows portal owners the tag to copy with a
live preview. Every text here is ours and escaped; crawled text only ever reaches the browser
through the widget, as text nodes. No inline script, so the pages' policy allows only our files.
"""

from __future__ import annotations

import re
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
        "preview": "Live preview", "theme": "Theme", "colon": ": ", "language": "Language",
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
        "preview": "实时预览", "theme": "主题", "colon": "：", "language": "语言",
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
        "preview": "プレビュー", "theme": "テーマ", "colon": "：", "language": "言語",
    },
}

COLON = {code: t["colon"] for code, t in TEXT.items()}
# The names of the document languages, in each interface language.
LANGUAGE_NAMES = {
    "zh": {"zh": "中文", "ja": "日文", "en": "英文"},
    "ja": {"zh": "中国語", "ja": "日本語", "en": "英語"},
    "en": {"zh": "Chinese", "ja": "Japanese", "en": "English"},
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


def reader_lang(request: Request, requested: str | None) -> str:
    """The language of the page this request asks for (`?lang=`, else its Accept-Language)."""
    return pick_lang(requested, request.headers.get("accept-language", ""))


def language_switch(path: str, lang: str) -> str:
    """Links to `path` in each interface language, each named in its own."""
    return " ".join(f'<a href="{path}?lang={code}" lang="{code}"{" aria-current=page" if code == lang else ""}>'
                    f'{escape(name)}</a>' for code, name in (("zh", "中文"), ("ja", "日本語"), ("en", "English")))


def external_link(url: str, text: str, lang: str = "") -> str:
    """A link to a crawled address, only when it is http(s); the text alone otherwise."""
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    if not url.startswith(("http://", "https://")):
        return f"<span{lang_attr}>{escape(text)}</span>" if lang else escape(text)
    return f'<a href="{escape(url)}" rel="noopener noreferrer nofollow ugc"{lang_attr}>{escape(text)}</a>'


def frame(lang: str, title: str, body: str, path: str) -> str:
    """A whole portal page around `body` (already escaped): header, language switch, our styles and script."""
    t = TEXT[lang]
    switch = language_switch(path, lang)
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
<nav aria-label="{escape(t["language"])}">{switch}<a href="{other[0]}?lang={lang}">{escape(other[1])}</a></nav></header>
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


_ATTRIBUTE_NAMES = re.compile(r"\b(lang|category|service|page-size)\b")  # the widget's, shown as code


def embed_page(lang: str, base_url: str) -> str:
    t = TEXT[lang]
    base = base_url.rstrip("/")
    snippet = (f'<script src="{base}/widget.js" defer></script>\n'
               f'<sme-search api="{base}" lang="{lang}" category="0" page-size="10"></sme-search>')
    theme = ("sme-search {\n  --sme-accent: #b42318;   /* buttons, links, the selected tab */\n"
             "  --sme-font: Georgia, serif;\n  --sme-radius: 0;\n  --sme-mark: #fde68a;\n}")
    lead = _ATTRIBUTE_NAMES.sub(r"<code>\1</code>", escape(t["embed_lead"]))
    body = f"""<h2>{escape(t["embed"])}</h2>
<p>{lead}</p>
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


ADMIN_TEXT = {
    "en": {"title": "Operator console", "portal": "Search portal", "signin": "Sign in", "key": "Operator key",
           "make_key": "Make a key with ", "make_key_read": " (or ", "make_key_end": " to look only).", "signed_in": "Signed in as",
           "signout": "Sign out", "sources": "Sources", "source": "Source", "name": "Name", "group": "Group",
           "schedule": "Schedule", "next_run": "Next run", "last_run": "Last run", "status": "Status",
           "documents": "Documents", "actions": "Actions", "chart": "Pages per day, by source group (30 days)",
           "pages": "Pages", "fetched": "fetched", "new": "new", "updated": "updated", "deleted": "deleted",
           "chart_empty": "No successful runs in the last 30 days.", "chart_table": "The figures as a table",
           "alerts": "Alerts", "no_alerts": "No alerts.", "runs": "Runs", "run": "Run", "trigger": "Trigger",
           "started": "Started", "took": "Took", "errors": "Errors", "error": "Error", "language": "Language"},
    "zh": {"title": "运营控制台", "portal": "检索门户", "signin": "登录", "key": "运营密钥",
           "make_key": "用 ", "make_key_read": " 生成密钥（只读用 ", "make_key_end": "）。", "signed_in": "当前用户",
           "signout": "退出", "sources": "信息源", "source": "信息源", "name": "名称", "group": "分组",
           "schedule": "计划", "next_run": "下次运行", "last_run": "上次运行", "status": "状态",
           "documents": "网页数", "actions": "操作", "chart": "按信息源分组的每日网页数（30天）",
           "pages": "网页", "fetched": "抓取", "new": "新增", "updated": "更新", "deleted": "删除",
           "chart_empty": "最近30天没有成功的运行。", "chart_table": "以表格显示数据",
           "alerts": "告警", "no_alerts": "没有告警。", "runs": "运行记录", "run": "编号", "trigger": "触发方式",
           "started": "开始时间", "took": "耗时", "errors": "错误数", "error": "错误", "language": "语言"},
    "ja": {"title": "運用コンソール", "portal": "検索ポータル", "signin": "サインイン", "key": "運用キー",
           "make_key": "キーは ", "make_key_read": " で作成します（閲覧のみは ", "make_key_end": "）。", "signed_in": "サインイン中：",
           "signout": "サインアウト", "sources": "情報源", "source": "情報源", "name": "名前", "group": "グループ",
           "schedule": "スケジュール", "next_run": "次回実行", "last_run": "前回実行", "status": "状態",
           "documents": "ページ数", "actions": "操作", "chart": "情報源グループ別の1日あたりページ数（30日間）",
           "pages": "ページ", "fetched": "取得", "new": "新規", "updated": "更新", "deleted": "削除",
           "chart_empty": "過去30日間に成功した実行はありません。", "chart_table": "数値を表で見る",
           "alerts": "アラート", "no_alerts": "アラートはありません。", "runs": "実行履歴", "run": "番号",
           "trigger": "起動方法", "started": "開始", "took": "所要時間", "errors": "エラー数", "error": "エラー",
           "language": "言語"},
}


def admin_page(lang: str) -> str:
    """The operator console in zh, ja or en; admin.js holds the texts it writes itself."""
    t = ADMIN_TEXT[lang]
    switch = language_switch("/admin", lang)
    columns = "".join(f'<th scope="col">{escape(t[k])}</th>' for k in (
        "source", "name", "group", "schedule", "next_run", "last_run", "status", "documents", "actions"))
    run_columns = "".join(f'<th scope="col">{escape(t[k])}</th>' for k in (
        "run", "source", "status", "trigger", "started", "took", "fetched", "new", "updated", "errors", "error"))
    measures = "".join(f'<option value="{m}">{escape(t[m])}</option>' for m in ("fetched", "new", "updated", "deleted"))
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(t["title"])} · {escape(TEXT[lang]["title"])}</title>
<style>{ADMIN_STYLE}</style>
<script src="/admin.js" defer></script>
</head>
<body>
<header><h1>{escape(t["title"])}</h1><nav aria-label="{escape(t["language"])}">{switch} <a href="/?lang={lang}">{escape(t["portal"])}</a></nav></header>
<main>
<section id="signin" aria-labelledby="signin-title">
  <h2 id="signin-title">{escape(t["signin"])}</h2>
  <form id="signin-form">
    <label for="key">{escape(t["key"])}</label>
    <input id="key" type="password" autocomplete="off" required size="50">
    <button type="submit">{escape(t["signin"])}</button>
  </form>
  <p id="signin-error" role="alert"></p>
  <p>{escape(t["make_key"])}<code>smesearch operators add NAME --role admin</code>{escape(t["make_key_read"])}<code>--role read</code>{escape(t["make_key_end"])}</p>
</section>
<div id="console" hidden>
  <p>{escape(t["signed_in"])} <b id="who"></b> · <button type="button" id="signout">{escape(t["signout"])}</button> · <span id="updated"></span></p>
  <p id="message" role="status" aria-live="polite"></p>
  <section aria-labelledby="sources-title"><h2 id="sources-title">{escape(t["sources"])}</h2>
  <table><thead><tr>{columns}</tr></thead><tbody id="sources"></tbody></table></section>
  <section aria-labelledby="chart-title"><h2 id="chart-title">{escape(t["chart"])}</h2>
  <p><label for="measure">{escape(t["pages"])}</label> <select id="measure">{measures}</select></p>
  <p id="legend"></p><svg id="chart" role="img" aria-labelledby="chart-title"></svg>
  <p id="chart-empty">{escape(t["chart_empty"])}</p>
  <details><summary>{escape(t["chart_table"])}</summary><table id="chart-table"></table></details></section>
  <section aria-labelledby="alerts-title"><h2 id="alerts-title">{escape(t["alerts"])}</h2><ul id="alerts"></ul>
  <p id="no-alerts">{escape(t["no_alerts"])}</p></section>
  <section aria-labelledby="runs-title"><h2 id="runs-title">{escape(t["runs"])}</h2>
  <table><thead><tr>{run_columns}<th scope="col"><span class="visually-hidden">{escape(t["actions"])}</span></th></tr></thead>
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
    page_lang = reader_lang(request, lang)
    return HTMLResponse(portal_page(page_lang), headers=PAGE_HEADERS)


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request, lang: str | None = None) -> HTMLResponse:
    """How to embed the widget on a portal, with a live preview."""
    page_lang = reader_lang(request, lang)
    base = app_of(request).settings.public_base_url or str(request.base_url)
    return HTMLResponse(embed_page(page_lang, base), headers=PAGE_HEADERS)


@router.get("/admin", response_class=HTMLResponse)
def console(request: Request, lang: str | None = None) -> HTMLResponse:
    """The operator console (it asks for a key), in zh, ja or en (`?lang=`)."""
    page_lang = reader_lang(request, lang)
    return HTMLResponse(admin_page(page_lang), headers={**PAGE_HEADERS, "X-Frame-Options": "DENY", "Cache-Control": "no-store"})


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
