# ruff: noqa: E501  (the page texts in three languages read better unwrapped)
"""The company page (`/documents/{id}`), in zh, ja and en: what the index knows of the enterprise
behind a result, linked from every result of the widget.

Server-rendered, no script. Everything a crawled page gave (its title, sections, words, the
titles of its site's other pages and of similar companies) is untrusted: it reaches the browser
only escaped, marked with the page's own language, and links only to http(s) addresses.
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures' dependencies.

import re
from collections.abc import Iterable
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from categories import category, profile_section, service
from operations.app import App
from operations.company import CompanyProfile, Evidence, company_profile
from query_api.deps import app_of
from query_api.pages import COLON, LANGUAGE_NAMES, PAGE_HEADERS, external_link, frame, reader_lang

TEXT = {
    "en": {"kind": "Company profile", "source_page": "Original page", "site": "Site", "profile": "Profile",
           "no_sections": "This page carries none of the sections of the 2001 home-page builder (Table 9); its summary:",
           "labels": "Categories and services", "categories": "Categories", "services": "Retrieval services",
           "found_words": "words found on the page", "found_sections": "announced in the section",
           "given": "given by the source", "none": "none", "languages": "Languages",
           "page_lang": "This page is in", "readable_in": "its title can also be read in",
           "site_langs": "Pages of the site by language", "site_pages": "Pages of this site in the index",
           "site_count": "{n} pages; the latest:", "all_pages": "Search all pages of this site",
           "words": "Words that lead to this site",
           "words_note": "From the reference list of words and the sites where each appears most: the site's rank among them, and its pages holding the word.",
           "rank": "rank {r}, {n} pages", "no_words": "None of the page's main words has this site among its first five sites.",
           "similar": "Similar companies", "similar_note": "Other enterprises' pages whose words are closest to this one's.",
           "shared": "shared categories", "no_similar": "No similar page in the index yet.",
           "missing": "No such page in the index: it was removed or re-crawled under another address, or the link is wrong.",
           "back": "Back to the search"},
    "zh": {"kind": "企业档案", "source_page": "原网页", "site": "网站", "profile": "企业信息",
           "no_sections": "该网页不含2001年主页制作工具的栏目（表9）；其摘要：",
           "labels": "类别与服务", "categories": "产品类别", "services": "检索服务",
           "found_words": "网页中出现的词语", "found_sections": "见于栏目",
           "given": "由信息源提供", "none": "无", "languages": "语言",
           "page_lang": "本网页的语言", "readable_in": "标题另有以下语言版本",
           "site_langs": "该网站各语言的网页数", "site_pages": "该网站已收录的网页",
           "site_count": "共 {n} 个网页；最新的：", "all_pages": "检索该网站的全部网页",
           "words": "通向该网站的词语",
           "words_note": "取自“词语及其最常出现的网站”参照表：该网站在其中的排名，以及含有该词的网页数。",
           "rank": "第 {r} 名，{n} 个网页", "no_words": "该网页的主要词语中，没有一个把该网站列在前五名。",
           "similar": "相似企业", "similar_note": "其他企业中与本网页用词最接近的网页。",
           "shared": "共同类别", "no_similar": "索引中暂无相似的网页。",
           "missing": "索引中没有这个网页：它已被删除、以其他地址重新抓取，或链接有误。",
           "back": "返回检索"},
    "ja": {"kind": "企業情報", "source_page": "元のページ", "site": "サイト", "profile": "企業プロフィール",
           "no_sections": "このページには2001年のホームページ作成ツールの項目（表9）がありません。要約：",
           "labels": "カテゴリーとサービス", "categories": "製品カテゴリー", "services": "検索サービス",
           "found_words": "ページにある言葉", "found_sections": "掲載項目",
           "given": "情報源による指定", "none": "なし", "languages": "言語",
           "page_lang": "このページの言語", "readable_in": "タイトルは次の言語でも読めます",
           "site_langs": "サイトの言語別ページ数", "site_pages": "このサイトの収録ページ",
           "site_count": "{n} ページ。最新のもの：", "all_pages": "このサイトの全ページを検索",
           "words": "このサイトにたどり着く言葉",
           "words_note": "「言葉とそれが最も多く現れるサイト」の参照表から：そのサイトの順位と、その言葉を含むページ数。",
           "rank": "{r} 位、{n} ページ", "no_words": "このページの主な言葉で、このサイトを上位5サイトに含むものはありません。",
           "similar": "類似企業", "similar_note": "言葉がこのページに最も近い、他の企業のページ。",
           "shared": "共通カテゴリー", "no_similar": "類似するページはまだありません。",
           "missing": "このページは索引にありません。削除されたか、別のアドレスで再収集されたか、リンクの誤りです。",
           "back": "検索に戻る"},
}
SEMICOLON = {"en": "; ", "zh": "；", "ja": "。"}
_ID = re.compile(r"[0-9a-f]{32}")  # indexer.document.document_id
AppDep = Annotated[App, Depends(app_of)]
DocumentId = Annotated[str, Path(max_length=100)]  # any other id gets the page's own 404, not a JSON error
router = APIRouter(include_in_schema=False)


def _join(items: Iterable[str], lang: str) -> str:
    return ("、" if lang in ("zh", "ja") else ", ").join(items)


def _search_link(q: str, lang: str, text: str, text_lang: str = "") -> str:
    lang_attr = f' lang="{escape(text_lang)}"' if text_lang else ""
    return f'<a href="/?lang={lang}#sme-q={quote(q, safe="")}"{lang_attr}>{escape(text)}</a>'


def _evidence(e: Evidence, name: str, lang: str, doc_lang: str) -> str:
    t = TEXT[lang]
    parts = []
    if e.sections:
        parts.append(f'{escape(t["found_sections"])}{COLON[lang]}{escape(_join((profile_section(s).name(lang) for s in e.sections), lang))}')
    if e.words:
        parts.append(f'{escape(t["found_words"])}{COLON[lang]}<span lang="{escape(doc_lang)}">{escape(", ".join(e.words[:6]))}</span>')
    why = SEMICOLON[lang].join(parts) if parts else escape(t["given"])
    return f"<li><b>{escape(name)}</b> <span class=meta>({why})</span></li>"


def company_body(profile: CompanyProfile, lang: str) -> str:
    t, doc, names = TEXT[lang], profile.document, LANGUAGE_NAMES[lang]
    doc_lang = escape(doc.lang)
    translated = doc.translations.get(lang) if doc.lang != lang else None
    heading = f'<h2 lang="{doc_lang}">{escape(profile.name)}</h2>'
    if translated is not None and translated.readable and translated.title:
        heading += f'<p lang="{lang}">{escape(translated.title)}</p>'
    meta = (f'<p class=meta>{escape(t["kind"])} · {escape(t["site"])}{COLON[lang]}{escape(doc.site)} · '
            f'{external_link(doc.url, t["source_page"])}</p>')
    if profile.sections:
        items = "".join(f"<dt>{escape(profile_section(s).name(lang))}</dt><dd lang=\"{doc_lang}\">{escape(text)}</dd>"
                        for s, text in profile.sections)
        sections = f'<dl class="profile">{items}</dl>'
    else:
        sections = f'<p>{escape(t["no_sections"])}</p><p lang="{doc_lang}">{escape(doc.summary)}</p>'
    categories = "".join(_evidence(e, category(int(e.label)).name(lang), lang, doc.lang) for e in profile.categories)
    services = "".join(_evidence(e, service(str(e.label)).name(lang), lang, doc.lang) for e in profile.services)
    none = f'<li>{escape(t["none"])}</li>'
    readable = [names.get(x, x) for x in profile.languages[1:]]
    space = " " if lang == "en" else COLON[lang]
    languages = f'<p>{escape(t["page_lang"])}{space}{escape(names.get(doc.lang, doc.lang))}'
    if readable:
        languages += f'{SEMICOLON[lang]}{escape(t["readable_in"])}{space}{escape(_join(readable, lang))}'
    languages += "</p>"
    site_langs = escape(_join((f"{names.get(code, code)} {n}" for code, n in profile.site_languages), lang))
    pages = "".join(f'<li><a href="/documents/{p.id}?lang={lang}" lang="{escape(p.lang)}">{escape(p.title)}</a></li>'
                    for p in profile.site_pages)
    words = "".join(f'<li>{_search_link(w.word, lang, w.word, doc.lang)} <span class=meta>'
                    f'({escape(t["rank"].format(r=w.rank, n=w.documents))})</span></li>' for w in profile.leading_words)
    similar = "".join(
        f'<li><a href="/documents/{s.id}?lang={lang}" lang="{escape(s.lang)}">{escape(s.company or s.title)}</a> '
        f'<span class=meta>{escape(s.site)} · {escape(names.get(s.lang, s.lang))}'
        + (f' · {escape(t["shared"])}{COLON[lang]}{escape(_join((category(c).name(lang) for c in s.shared_categories), lang))}'
           if s.shared_categories else "") + "</span></li>" for s in profile.similar)
    return f"""<article>{heading}{meta}
<section aria-labelledby="profile"><h3 id="profile">{escape(t["profile"])}</h3>{sections}</section>
<section aria-labelledby="labels"><h3 id="labels">{escape(t["labels"])}</h3>
<h4>{escape(t["categories"])}</h4><ul>{categories or none}</ul>
<h4>{escape(t["services"])}</h4><ul>{services or none}</ul></section>
<section aria-labelledby="languages"><h3 id="languages">{escape(t["languages"])}</h3>{languages}
<p>{escape(t["site_langs"])}{COLON[lang]}{site_langs}</p></section>
<section aria-labelledby="site-pages"><h3 id="site-pages">{escape(t["site_pages"])}</h3>
<p>{escape(t["site_count"].format(n=profile.site_documents))}</p><ul>{pages}</ul>
<p>{_search_link(f"site:{doc.site}", lang, t["all_pages"])}</p></section>
<section aria-labelledby="words"><h3 id="words">{escape(t["words"])}</h3><p>{escape(t["words_note"])}</p>
{f"<ul>{words}</ul>" if words else f"<p>{escape(t['no_words'])}</p>"}</section>
<section aria-labelledby="similar"><h3 id="similar">{escape(t["similar"])}</h3><p>{escape(t["similar_note"])}</p>
{f"<ul>{similar}</ul>" if similar else f"<p>{escape(t['no_similar'])}</p>"}</section>
</article>"""


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
async def company_page(request: Request, doc_id: DocumentId, app: AppDep, lang: str | None = None) -> HTMLResponse:
    """The company page of one result: its Table 9 profile, labels with their evidence, languages,
    its site's pages, the words that lead to it and similar companies."""
    page_lang = reader_lang(request, lang)
    profile = await run_in_threadpool(company_profile, app, doc_id) if _ID.fullmatch(doc_id) else None
    if profile is None:
        t = TEXT[page_lang]
        body = f'<p role="alert">{escape(t["missing"])}</p><p><a href="/?lang={page_lang}">{escape(t["back"])}</a></p>'
        return HTMLResponse(frame(page_lang, t["kind"], body, "/"), status_code=404,
                            headers=PAGE_HEADERS)
    title = f"{profile.name} · {TEXT[page_lang]['kind']}"
    return HTMLResponse(frame(page_lang, title, company_body(profile, page_lang), f"/documents/{doc_id}"),
                        headers=PAGE_HEADERS)
