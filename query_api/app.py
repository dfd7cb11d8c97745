"""The HTTP API: assembles the public search routes, the operations routes and the admin routes
over one `operations.app.App`, behind the request guards.

Errors leave as RFC 9457 problem details with a sentence a person can read and the request id,
never a traceback. Validation errors are 422, query syntax errors 400, a backend that cannot
be reached 503.
"""

from __future__ import annotations

import logging
import sqlite3
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from crawler.catalog import CatalogError
from indexer.backends.base import BackendError
from indexer.query import QueryError
from operations.app import App
from operations.service import Conflict, NotFound, OperationFailed
from query_api import admin, company_pages, health, listing_pages, listings, pages, public
from query_api.deps import problem
from query_api.guards import HostCheck, RequestLimits
from query_api.metrics import index_gauges
from query_api.models import Problem
from query_api.observe import ApiMetrics, ObserveRequests
from query_api.ratelimit import open_limiter

log = logging.getLogger("smesearch.api")

DESCRIPTION = """Search the SME market-expansion index in Chinese, Japanese and English.

Keyword search (`mode=keyword`) takes words that must all match, `OR`, `NOT`/`-word`,
`"phrases"`, `title:` and `site:`; key-sentence search (`mode=sentence`) takes a whole sentence
and ranks pages that share most of its content words. Queries are translated into the other
index languages unless `translate=false`. Texts from crawled pages are plain text: render them
as text, never as HTML.
"""

DOCS_ASSETS = "/docs-assets"  # Swagger UI's and ReDoc's scripts, styles and icon

VALIDATION_HINTS = {
    "category": "categories are 0 (all) to 11",
    "size": "size is 1 to the page-size limit",
    "page": "pages start at 1",
}


def create_app(app: App) -> FastAPI:
    settings = app.settings
    # /docs and /redoc load Swagger UI and ReDoc from this server (fastapi-offline ships them), not
    # from a public CDN: without internet access, or where the CDN is unreliable (mainland China),
    # FastAPI's own pages stay blank.
    api = FastAPIOffline(title="SME market-expansion search", version=version("sme-market-search"),
                         description=DESCRIPTION, static_url=DOCS_ASSETS, redoc_url=None,
                         responses={400: {"model": Problem}, 422: {"model": Problem}, 503: {"model": Problem}})

    @api.get("/redoc", include_in_schema=False)
    async def redoc() -> Response:
        page = get_redoc_html(openapi_url="/openapi.json", title=f"{api.title} - ReDoc",
                              redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
                              redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png", with_google_fonts=False)
        # ReDoc's bundle shows its maker's logo from cdn.redoc.ly: images from here only.
        page.headers["Content-Security-Policy"] = "img-src 'self' data:"
        return page

    @api.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        # The widget shows the detail to its reader: in the language it asks its answers in.
        return problem(400, "Bad query", exc.localized(request.query_params.get("ui_lang", "en")), request)

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        hint = VALIDATION_HINTS.get(where)
        message = f"{where}: {first.get('msg', 'invalid value')}" + (f" ({hint})" if hint else "")
        return problem(422, "Invalid parameter", message, request)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), request,
                       dict(exc.headers) if exc.headers else None)

    @api.exception_handler(BackendError)
    async def backend_down(request: Request, exc: BackendError) -> Response:
        return problem(503, "Index unavailable", str(exc), request, {"Retry-After": "30"})

    @api.exception_handler(sqlite3.DatabaseError)
    async def damaged_store(request: Request, exc: sqlite3.DatabaseError) -> Response:
        log.error("a data file cannot be read: %s", exc,
                  extra={"request_id": getattr(request.state, "request_id", None)})
        return problem(503, "Storage unavailable", f"a data file of this server cannot be read ({exc}); an operator "
                       "must restore it (smesearch restore)", request, {"Retry-After": "60"})

    @api.exception_handler(OperationFailed)
    async def refused(request: Request, exc: OperationFailed) -> Response:
        if isinstance(exc, NotFound):
            return problem(404, "Not found", exc.message, request)
        if isinstance(exc, Conflict):
            return problem(409, "Conflict", f"{exc.message}; change it with PUT", request)
        return problem(422, "Invalid parameter", exc.message, request)

    @api.exception_handler(CatalogError)
    async def bad_catalog(request: Request, exc: CatalogError) -> Response:
        return problem(503, "Catalog unavailable", str(exc), request)

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc, extra={"request_id": getattr(request.state, "request_id", None)})
        return problem(500, "Internal error", "the request failed unexpectedly; it has been logged", request)

    metrics = ApiMetrics(lambda: index_gauges(app))
    if app.search_log is not None:
        app.search_log.on_drop = metrics.search_log_dropped.inc

    api.state.app, api.state.metrics = app, metrics
    api.include_router(pages.router)
    api.include_router(listing_pages.router)
    api.include_router(company_pages.router)
    api.include_router(health.router)
    api.include_router(public.router(app))
    api.include_router(admin.router)
    api.include_router(listings.router)
    api.include_router(listings.admin_router)

    # Outermost first at run time: observation sees every answer, including the guards' refusals.
    if settings.cors_origins:
        # POST for the widget's public forms (alerts); no Authorization header crosses origins,
        # so operator routes stay out of reach of other pages.
        api.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-Request-ID"], expose_headers=["X-Request-ID"],
                           max_age=3600)
    api.add_middleware(RequestLimits, max_url_bytes=settings.max_url_bytes,
                       max_body_bytes=settings.max_body_bytes, rate=settings.rate_limit,
                       limiter=lambda: open_limiter(settings.rate_limit_storage, settings.paths.rate_limits),
                       posting_rate=settings.posting_rate_limit)
    api.add_middleware(HostCheck, allowed_hosts=settings.api_hosts)
    api.add_middleware(ObserveRequests, metrics=metrics)
    return api
