"""The operator routes under /api/admin/: every one needs an operator key (see operators.py),
sent as `Authorization: Bearer KEY` or `X-API-Key: KEY`. No key or an unknown key is 401; a key
whose role is too low is 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from query_api.models import AnalyticsOut, DayCount, QueryCount
from query_api.operators import Operator, Role
from smesearch.wiring import App


def operator_dependency(app: App, role: Role) -> Callable[[Request], Operator]:
    def require(request: Request) -> Operator:
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
        if not key:
            raise HTTPException(401, "this route needs an operator key (Authorization: Bearer KEY)",
                                headers={"WWW-Authenticate": "Bearer"})
        operator = app.operators.check(key)
        if operator is None:
            raise HTTPException(401, "the operator key is not valid", headers={"WWW-Authenticate": "Bearer"})
        if not operator.may(role):
            raise HTTPException(403, f"this route needs the {role} role; the key has {operator.role}")
        return operator
    return require


def router(app: App) -> APIRouter:
    reader = Depends(operator_dependency(app, "read"))
    api = APIRouter(prefix="/api/admin", tags=["operators"], dependencies=[reader],
                    responses={401: {"description": "no operator key, or an unknown one"},
                               403: {"description": "the key's role is too low"}})

    @api.get("/analytics", response_model=AnalyticsOut, summary="Top queries, zero-hit queries, searches per day")
    def analytics(days: Annotated[int, Query(ge=1, le=3660)] = 30,
                  limit: Annotated[int, Query(ge=1, le=200)] = 20) -> AnalyticsOut:
        if app.search_log is None:
            raise HTTPException(404, "the search log is off (SMESEARCH_SEARCH_LOG=false)")
        a = app.search_log.analytics(days, limit)
        return AnalyticsOut(days=a.days, searches=a.searches, zero_hit_searches=a.zero_hit_searches,
                            median_took_ms=a.median_took_ms,
                            top_queries=[QueryCount(query=q, searches=n) for q, n in a.top_queries],
                            zero_hit_queries=[QueryCount(query=q, searches=n) for q, n in a.zero_hit_queries],
                            per_day=[DayCount(day=d, searches=n) for d, n in a.per_day])

    @api.get("/stats", summary="Index statistics", response_model=dict[str, object])
    def stats() -> dict[str, object]:
        s = app.search.stats()
        return {"backend": s.backend, "documents": s.documents, "by_lang": s.by_lang, "by_source": s.by_source,
                "by_group": s.by_group, "unanalysed_langs": s.unanalysed_langs, "size_bytes": s.size_bytes,
                "location": s.location, "last_commit": s.last_commit.isoformat() if s.last_commit else None,
                "translation": app.translations.status()}

    return api
