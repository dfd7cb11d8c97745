"""The HTTP API: a thin layer over indexer.service.SearchService.

Errors leave as RFC 9457 problem details with a sentence a person can read, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from categories import category as category_info
from indexer.backends.base import BackendError
from indexer.query import QueryError
from indexer.service import SearchResponse, SearchService, filters_from

log = logging.getLogger("smesearch.api")


class CategoryOut(BaseModel):
    id: int
    name: str


class SnippetOut(BaseModel):
    text: str
    highlights: list[tuple[int, int]] = Field(description="[start, end) offsets in Unicode code points")


class ResultOut(BaseModel):
    id: str
    url: str
    title: SnippetOut
    snippet: SnippetOut
    snippet_translated: str | None = Field(None, description="the snippet in snippet_lang, as plain text")
    site: str
    source: str
    group: str
    lang: str
    company: str
    categories: list[CategoryOut]
    services: list[str]
    published_at: str | None
    score: float | None


class FacetOut(BaseModel):
    value: str
    count: int


class SearchOut(BaseModel):
    total: int
    took_ms: float
    page: int
    size: int
    results: list[ResultOut]
    facets: dict[str, list[FacetOut]]
    query: dict[str, object]


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status, media_type="application/problem+json")


def to_output(response: SearchResponse, lang: str) -> SearchOut:
    results = []
    for hit in response.hits:
        d = hit.document
        results.append(ResultOut(
            id=d.id, url=d.url, site=d.site, source=d.source, group=d.group, lang=d.lang, company=d.company,
            title=SnippetOut(text=hit.title.text, highlights=hit.title.highlights),
            snippet=SnippetOut(text=hit.snippet.text, highlights=hit.snippet.highlights),
            snippet_translated=hit.translated_snippet,
            categories=[CategoryOut(id=c, name=category_info(c).name(lang)) for c in d.categories],
            services=d.services, published_at=d.published_at.isoformat() if d.published_at else None,
            score=hit.score,
        ))
    return SearchOut(
        total=response.total, took_ms=response.took_ms, page=response.page, size=response.size, results=results,
        facets={k: [FacetOut(value=v, count=c) for v, c in vs] for k, vs in response.facets.items()},
        query=response.query.describe(),
    )


def create_app(search_service: SearchService) -> FastAPI:
    app = FastAPI(title="SME market-expansion search", version="0.1.0")

    @app.exception_handler(QueryError)
    async def bad_query(_: Request, exc: QueryError) -> JSONResponse:
        return problem(400, "Bad query", str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "query")
        return problem(400, "Bad request", f"{where}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(BackendError)
    async def backend_down(_: Request, exc: BackendError) -> JSONResponse:
        return problem(503, "Index unavailable", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "Internal error", "the search failed unexpectedly; it has been logged")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/search", response_model=SearchOut)
    def search(
        q: Annotated[str, Query(description="keywords with AND/OR/NOT, \"phrases\", title: and site:, or a sentence")],
        mode: Literal["keyword", "sentence"] = "keyword",
        category: Annotated[int, Query(ge=0, le=11, description="0 = all categories")] = 0,
        service: str | None = None,
        lang: str | None = None,
        group: str | None = None,
        source: str | None = None,
        site: str | None = None,
        date_from: Annotated[str | None, Query(alias="from")] = None,
        date_to: Annotated[str | None, Query(alias="to")] = None,
        page: Annotated[int, Query(ge=1)] = 1,
        size: Annotated[int, Query(ge=1)] = 10,
        sort: Literal["relevance", "date"] = "relevance",
        ui_lang: Annotated[Literal["zh", "en", "ja"], Query(description="language of category names")] = "en",
        translate: Annotated[bool, Query(description="also search the query's translations into zh, en and ja "
                                                     "(ranked below the words as typed)")] = True,
        snippet_lang: Annotated[Literal["zh", "en", "ja"] | None, Query(
            description="also give each snippet translated into this language")] = None,
    ) -> SearchOut:
        filters = filters_from(category, service, lang, group, source, site, date_from, date_to)
        response = search_service.search(q, mode, filters, page, size, sort, translate=translate,
                                          snippet_lang=snippet_lang or "")
        return to_output(response, ui_lang)

    return app
