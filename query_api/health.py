"""Operations routes: liveness, readiness and Prometheus metrics."""
# No `from __future__ import annotations`: FastAPI reads the route signatures.

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from indexer.backends.base import BackendError
from query_api.deps import app_of, problem
from query_api.models import Problem

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The index and the document store can be read", responses={503: {"model": Problem}})
def readyz(request: Request) -> Response:
    app = app_of(request)
    try:
        documents = app.search.check()
    except BackendError as exc:
        return problem(503, "Not ready", str(exc), request)
    return JSONResponse({"status": "ready", "backend": app.settings.backend, "documents": documents})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def prometheus(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
