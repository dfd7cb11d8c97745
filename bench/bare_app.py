"""The peer `bench.api_load` measures /api/search against: a bare FastAPI app that answers the same
searches with tantivy alone.

At start it reads the benchmark's request paths (BARE_PATHS names the file) and, for each, asks
our search service once how the query reads (analysis, translation, related terms, relaxation)
and compiles that plan with our backend's own compiler. A request then costs only a dictionary
lookup, tantivy's top 10 (a key sentence's preferred documents first, found as our backend finds
them), the count and the same facets' aggregation over every match, and the ids of the top 10:
the engine's work without our Python around it. With BARE_ENGINE=native it answers through the
native one-pass search instead (native/, the same JSON queries our backend sends it): the engine's
work as our backend now does it. Started by uvicorn:

    BARE_PATHS=paths.txt SMESEARCH_DATA_DIR=... [BARE_ENGINE=native] uvicorn bench.bare_app:app --workers 2
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import orjson
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from tantivy import Query

from config import Settings
from indexer.backends.base import FACET_FIELDS, SearchFilters
from indexer.backends.embedded import EmbeddedBackend, _preferred_first, facet_spec, native_facet_kinds
from indexer.backends.tantivy_queries import Q, QueryCompiler
from indexer.query.plan import PREFERRED_BONUS, Plan
from indexer.service import filters_from
from operations.app import App

Compiled = tuple[Query, Query | None, tuple[str, ...]]  # what matches, what ranks first, the facets
NativeCompiled = tuple[bytes, bytes | None, list[tuple[str, str]]]  # the same as JSON, and facet kinds


def read_requests(app: App, paths: list[str]) -> Iterator[tuple[str, Plan, SearchFilters, tuple[str, ...]]]:
    """Each request path with the plan our service reads from it, its filters and its facets."""
    for path in paths:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        filters = filters_from(int(params.get("category", 0)), params.get("service"), params.get("lang"),
                               params.get("group"))
        facets = tuple(f for f in params.get("facets", ",".join(FACET_FIELDS)).split(",") if f)
        read = app.search.search(params["q"], params.get("mode", "keyword"), filters,  # type: ignore[arg-type]
                                 facets=())
        yield path, read.query.plan, filters, facets


def embedded(app: App) -> EmbeddedBackend:
    backend = app.search.backend
    assert isinstance(backend, EmbeddedBackend), "the bare peer runs on the embedded index"
    return backend


def compiled_with(compile_: QueryCompiler[Q], app: App,
                  paths: list[str]) -> dict[str, tuple[Q, Q | None, tuple[str, ...]]]:
    """Each request path's queries as our backend compiles them: what matches, what ranks first,
    and the facets asked for."""
    out: dict[str, tuple[Q, Q | None, tuple[str, ...]]] = {}
    for path, plan, filters, facets in read_requests(app, paths):
        matching, preferred = compile_.ranked(plan, filters, relevance=True)
        out[path] = (matching, preferred, facets)
    return out


def compiled_queries(app: App, paths: list[str]) -> dict[str, Compiled]:
    return compiled_with(embedded(app).queries, app, paths)


def native_queries(app: App, paths: list[str]) -> dict[str, NativeCompiled]:
    return {path: (orjson.dumps(matching), None if preferred is None else orjson.dumps(preferred),
                   native_facet_kinds(facets))
            for path, (matching, preferred, facets) in compiled_with(embedded(app).native_queries, app, paths).items()}


def create_native(smesearch: App, paths: list[str]) -> FastAPI:
    queries = native_queries(smesearch, paths)
    backend = smesearch.search.backend
    assert isinstance(backend, EmbeddedBackend) and backend._native is not None, "native/ is not built"
    native = backend._native
    bare = FastAPI()

    def answer(path: str) -> bytes:
        matching, preferred, kinds = queries[path]
        top, total, counts = native.search(matching, 0, 10, kinds, preferred, PREFERRED_BONUS)
        return orjson.dumps({"total": total, "ids": [doc_id for _, doc_id in top], "facets": dict(counts)})

    @bare.get("/api/search")
    async def search(request: Request) -> Response:
        path = request.url.path + "?" + request.url.query
        return Response(await run_in_threadpool(answer, path), media_type="application/json")

    return bare


def create() -> FastAPI:
    smesearch = App(Settings(search_log=False, access_log=False))
    paths = Path(os.environ["BARE_PATHS"]).read_text().split()
    if os.environ.get("BARE_ENGINE") == "native":
        return create_native(smesearch, paths)
    queries = compiled_queries(smesearch, paths)
    backend = smesearch.search.backend
    assert isinstance(backend, EmbeddedBackend)
    searcher = backend._searcher()
    specs = {names: facet_spec(names) for _, _, names in queries.values()}
    bare = FastAPI()

    def answer(path: str) -> bytes:
        matching, preferred, names = queries[path]
        if preferred is None:
            top = searcher.search(matching, 10, count=True)
            hits, total = top.hits, top.count  # type: ignore[attr-defined]
        else:
            hits, total = _preferred_first(searcher, matching, preferred, 0, 10), None
        counts = searcher.aggregate(matching, specs[names]) if names else {}
        if total is None and "lang" in names:  # every document has one language, as our backend counts
            langs = counts["lang"]
            total = sum(b["doc_count"] for b in langs["buckets"]) + langs.get("sum_other_doc_count", 0)
        elif total is None:  # the preferred documents' search did not run the whole query
            total = searcher.search(matching, 1, count=True).count  # type: ignore[attr-defined]
        ids = [searcher.doc(address)["id"][0] for _, address in hits]
        return orjson.dumps({"total": total, "ids": ids, "facets": {n: counts[n]["buckets"] for n in names}})

    @bare.get("/api/search")
    async def search(request: Request) -> Response:
        path = request.url.path + "?" + request.url.query
        return Response(await run_in_threadpool(answer, path), media_type="application/json")

    return bare


app = create() if os.environ.get("BARE_PATHS") else FastAPI()
