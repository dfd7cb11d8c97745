"""The public routes: search, suggestions, the term-to-sites reference list, the labels, one
document, and the catalog of sources. Read-only, no credentials, rate-limited by the guards."""
# No `from __future__ import annotations`: the parameter limits come from the settings, so the
# annotations must be evaluated where the routes are defined.

from dataclasses import replace
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from analysis.languages import INTERFACE_LANGUAGES
from categories import CATEGORIES, NOT_SPECIFIED, SERVICE_LIST
from crawler.catalog import load_catalog
from crawler.catalog_edit import effective_catalog
from crawler.kinds import WEB_KINDS
from crawler.state import CrawlState
from indexer.backends.base import FACET_FIELDS
from indexer.service import filters_from
from operations.app import App
from query_api.answers import POPULAR_QUERIES, Answer, AnswerCache
from query_api.models import (
    DocumentOut,
    LabelOut,
    SearchOut,
    SiteOut,
    SourceOut,
    SuggestionOut,
    SuggestOut,
    TermSitesOut,
    UiLang,
    document_output,
    search_payload,
)

UiLangQuery = Annotated[UiLang, Query(description="language of names, translated titles and a bad query's explanation")]

SEARCH_EXAMPLES = {
    "zh": {"summary": "Chinese keywords", "value": "沈阳 汽车零部件"},
    "ja": {"summary": "Japanese, found in all languages", "value": "自動車部品 代理店"},
    "en": {"summary": "English with operators", "value": "\"auto parts\" OR brakes -used"},
    "sentence": {"summary": "a key sentence (mode=sentence)", "value": "我们寻找日本的汽车零部件合作伙伴"},
}


def router(app: App) -> APIRouter:
    settings = app.settings
    api = APIRouter(prefix="/api", tags=["search"])
    search_log = app.search_log
    answers = AnswerCache(settings.paths.search_answers, settings.search_cache_s, settings.search_cache_entries,
                          lambda: app.search.backend.generation(),  # the index opens on the first search
                          (lambda: search_log.top_queries(7, POPULAR_QUERIES)) if search_log is not None else None)

    @api.get("/search", response_model=SearchOut, summary="Keyword or key-sentence search")
    async def search(
        q: Annotated[str, Query(description="keywords with AND/OR/NOT, \"phrases\", title: and site:, or a sentence",
                                max_length=settings.max_query_length, openapi_examples=SEARCH_EXAMPLES)],
        mode: Literal["keyword", "sentence"] = "keyword",
        category: Annotated[int, Query(ge=0, le=11, description="0 = all categories")] = 0,
        service: Annotated[str | None, Query(description="tie_up, agent, invest, capital, purchase or recruit",
                                             max_length=40)] = None,
        lang: Annotated[str | None, Query(description="only pages in this language", max_length=20)] = None,
        group: Annotated[str | None, Query(description="source group, e.g. shenyang or japan", max_length=40)] = None,
        source: Annotated[str | None, Query(description="a source id from /api/sources", max_length=100)] = None,
        site: Annotated[str | None, Query(description="a host name", max_length=253)] = None,
        date_from: Annotated[str | None, Query(alias="from", description="published on or after (YYYY-MM-DD)",
                                               max_length=40)] = None,
        date_to: Annotated[str | None, Query(alias="to", description="published on or before (YYYY-MM-DD)",
                                             max_length=40)] = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        size: Annotated[int, Query(ge=0, le=settings.max_page_size,
                                   description="results per page; 0 for the total and facets only, which the "
                                               "search log does not count (the widget's tab counts)")] = 10,
        sort: Literal["relevance", "date"] = "relevance",
        ui_lang: UiLangQuery = "en",
        translate: Annotated[bool, Query(description="also search the query's translations into zh, en and ja "
                                                     "(ranked below the words as typed)")] = True,
        snippet_lang: Annotated[UiLang | None, Query(
            description="also give each snippet translated into this language")] = None,
        relax: Annotated[bool, Query(description="when a plain query (words only) finds fewer than 3 pages with all "
                                                 "its words, show pages with most of them")] = True,
        facets: Annotated[str, Query(description="the facets to count, comma-separated, of " + ",".join(FACET_FIELDS)
                                     + "; empty for none, which answers faster", max_length=100,
                                     pattern=r"^[a-z,]*$")] = ",".join(FACET_FIELDS),
    ) -> Response:
        filters = filters_from(category, service, lang, group, source, site, date_from, date_to)
        counted = tuple(dict.fromkeys(f for f in facets.split(",") if f))
        key = (q, mode, category, service, lang, group, source, site, date_from, date_to, page, size, sort,
               translate, snippet_lang, relax, ui_lang, counted)
        used = {k: v for k, v in {"category": category, "service": service, "lang": lang, "group": group,
                                  "source": source, "site": site, "from": date_from, "to": date_to,
                                  "page": page if page > 1 else None, "translate": None if translate else False,
                                  }.items() if v}

        def answer() -> bytes:
            """The whole search in one hand-off to the thread pool, serialised there too."""
            found = answers.get(q, key)
            if found is None:
                generation = answers.generation()
                response = app.search.search(q, mode, filters, page, size or 1, sort, translate=translate,
                                             snippet_lang=snippet_lang or "", relax=relax, facets=counted)
                if size == 0:
                    response = replace(response, hits=[], size=0)
                found = Answer(orjson.dumps(search_payload(response, ui_lang)), response.total, response.took_ms)
                answers.put(q, key, found, generation)
            if search_log is not None and size > 0:
                search_log.record(q, mode, used, found.total, found.took_ms)
            return found.body

        return Response(await run_in_threadpool(answer), media_type="application/json")

    # On the event loop, not the thread pool: a lookup takes about 50 µs (one indexed range of a
    # small SQLite table), less than the hand-over to a thread; docs/BENCHMARKS.md has both.
    @api.get("/suggest", response_model=SuggestOut, summary="Completions as the user types")
    async def suggest(
        q: Annotated[str, Query(description="what has been typed so far", max_length=settings.max_query_length)],
        limit: Annotated[int, Query(ge=1, le=20)] = 10,
    ) -> SuggestOut:
        found = app.search.suggest(q, limit)
        return SuggestOut(q=q, suggestions=[SuggestionOut(text=s.text, kind=s.kind) for s in found])

    @api.get("/terms/{term}/sites", response_model=TermSitesOut,
             summary="The sites where a term appears most (the retrieval reference list)")
    def term_sites(
        term: Annotated[str, Path(description="a word in any language", max_length=settings.max_query_length)],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> TermSitesOut:
        sites = app.search.term_sites(term, limit)
        return TermSitesOut(term=term, sites=[SiteOut(site=s.site, documents=s.documents, sample_url=s.sample_url,
                                                      sample_title=s.sample_title) for s in sites])

    @api.get("/categories", response_model=list[LabelOut], tags=["catalog"],
             summary="Table 11's categories with live document counts")
    def categories() -> list[LabelOut]:
        counts = dict(app.search.facet_counts().get("category", []))
        return [LabelOut(id=c.id, names={lang: c.name(lang) for lang in INTERFACE_LANGUAGES},
                         documents=counts.get(str(c.id), 0)) for c in (NOT_SPECIFIED, *CATEGORIES)]

    @api.get("/services", response_model=list[LabelOut], tags=["catalog"],
             summary="The six retrieval services with live document counts")
    def services() -> list[LabelOut]:
        counts = dict(app.search.facet_counts().get("service", []))
        return [LabelOut(id=s.id, names={lang: s.name(lang) for lang in INTERFACE_LANGUAGES},
                         documents=counts.get(s.id, 0)) for s in SERVICE_LIST]

    @api.get("/documents/{doc_id}", response_model=DocumentOut, tags=["catalog"],
             summary="One document with its fields and translations", responses={404: {}})
    def document(doc_id: Annotated[str, Path(max_length=100)], ui_lang: UiLangQuery = "en") -> DocumentOut:
        found = app.search.document(doc_id)
        if found is None:
            raise HTTPException(404, f"no document {doc_id!r} in the index")
        return document_output(found, ui_lang)

    @api.get("/sources", response_model=list[SourceOut], tags=["catalog"],
             summary="The catalog of crawled sources, with each one's last crawl and page count")
    def sources() -> list[SourceOut]:
        catalog = load_catalog(effective_catalog(settings.catalog, settings.paths))
        by_source = app.search.stats().by_source
        path = settings.paths.crawl_state
        succeeded, latest = {}, {}
        if path.exists():
            state = CrawlState(path)
            try:
                succeeded, latest = state.latest_runs("succeeded"), state.latest_runs()
            finally:
                state.close()
        out = []
        for s in catalog.sources:
            done = succeeded.get(s.id)
            out.append(SourceOut(
                id=s.id, names={"zh": s.name.zh, "en": s.name.en, "ja": s.name.ja}, group=s.group, kind=s.kind,
                start_urls=list(s.start_urls) if s.kind in WEB_KINDS else [],  # file paths stay private
                enabled=s.enabled, schedule=s.schedule,
                documents=by_source.get(s.id, 0),
                last_crawled_at=done.ended_at.isoformat() if done and done.ended_at else None,
                last_run_status=latest[s.id].status if s.id in latest else None))
        return out

    return api
