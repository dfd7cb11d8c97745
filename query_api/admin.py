"""The operator routes under /api/admin/: every one needs an operator key (see
operations/operators.py), sent as `Authorization: Bearer KEY` or `X-API-Key: KEY`. No key or an
unknown key is 401; a key whose role is too low is 403. Reading needs the read role, changing
anything the admin role.

The routes are thin: `operations.service.Operations` does the work, under the same rules as the
CLI, and its failures become 404, 409 and 422 (query_api/app.py). Sources are the catalog file
(edited in place, comments kept, every change validated); schedules and runs are the scheduler's
job store and run records, shared with `smesearch scheduler` and the CLI.
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures' dependencies.

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from operations.operators import Operator, Role
from operations.service import Operations, SourceView
from query_api.deps import app_of
from query_api.models import AnalyticsOut, DayCount, Problem, QueryCount, SourceBase
from scheduler.schedules import Schedule
from scheduler.store import Alert, Run


def operations(request: Request) -> Operations:
    return Operations(app_of(request), trusted=False)


def _operator(request: Request, role: Role) -> Operator:
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
    if not key:
        raise HTTPException(401, "this route needs an operator key (Authorization: Bearer KEY)",
                            headers={"WWW-Authenticate": "Bearer"})
    operator = app_of(request).operators.check(key)
    if operator is None:
        raise HTTPException(401, "the operator key is not valid", headers={"WWW-Authenticate": "Bearer"})
    if not operator.may(role):
        raise HTTPException(403, f"this route needs the {role} role; the key has {operator.role}")
    return operator


def reader(request: Request) -> Operator:
    return _operator(request, "read")


def admin(request: Request) -> Operator:
    return _operator(request, "admin")


Ops = Annotated[Operations, Depends(operations)]
ADMIN = [Depends(admin)]

router = APIRouter(prefix="/api/admin", tags=["operators"], dependencies=[Depends(reader)],
                   responses={401: {"model": Problem, "description": "no operator key, or an unknown one"},
                              403: {"model": Problem, "description": "the key's role is too low"},
                              404: {"model": Problem, "description": "no such source, schedule or run"},
                              409: {"model": Problem, "description": "the source exists"},
                              422: {"model": Problem, "description": "an invalid entry or schedule"}})


class NamesIn(BaseModel):
    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)
    ja: str = Field(min_length=1, max_length=200)


class SourceIn(BaseModel):
    """A catalog entry, as crawler/catalog.py documents its fields."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["acme-portal"])
    name: NamesIn
    group: str = Field(examples=["shenyang"])
    kind: Literal["site", "sitemap", "feed", "jsonl"] = "site"  # crawler.kinds.API_KINDS (tested)
    start_urls: list[str] = Field(min_length=1, max_length=50, examples=[["https://www.example.cn/"]])
    allowed_domains: list[str] | None = None
    include: list[str] | None = None
    exclude: list[str] | None = None
    max_depth: int | None = Field(None, ge=0, le=20)
    max_pages: int | None = Field(None, ge=1, le=1_000_000)
    lang: str | None = None
    categories: list[int] | None = None
    allow_private: bool = Field(False, description="always false here: only the catalog file or "
                                "`smesearch sources add --allow-private` lets the crawler reach private addresses")
    enabled: bool = True
    note: str | None = Field(None, max_length=2000)


class RunOut(BaseModel):
    id: int
    source: str
    trigger: str
    status: str
    queued_at: str
    started_at: str | None
    ended_at: str | None
    duration_s: float | None
    counters: dict[str, Any]
    documents: int | None
    error: str | None
    cancel_requested: bool


class SourceOut(SourceBase):
    allow_private: bool
    schedule: str | None = Field(None, description="the scheduler's schedule, if any")
    paused: bool = False
    next_run_at: str | None = None
    last_run: RunOut | None = None
    alerts: int = Field(0, description="alerts raised on this source in the last 7 days")


class ScheduleIn(BaseModel):
    expression: str = Field(description="'every 30m' (s, m, h, d) or a cron expression in UTC",
                            examples=["every 6h", "0 3 * * mon-fri"], max_length=100)
    jitter_s: int = Field(0, ge=0, le=86_400)


class ScheduleOut(BaseModel):
    source: str
    kind: str
    expression: str
    jitter_s: int
    paused: bool
    next_run_at: str | None


class RunDetailOut(RunOut):
    log_tail: str


class AlertOut(BaseModel):
    id: int
    source: str
    kind: str
    message: str
    run_id: int | None
    created_at: str
    delivered: bool
    delivery_error: str | None


class DayGroupCount(BaseModel):
    day: str
    group: str
    pages: int = Field(description="documents added or updated by that day's runs (new + updated)")
    fetched: int = Field(description="pages fetched by that day's runs")
    new: int
    updated: int
    deleted: int = Field(description="pages found gone from their sites and removed")


class OperatorOut(BaseModel):
    name: str
    role: str



def run_output(run: Run) -> RunOut:
    return RunOut(id=run.id, source=run.source, trigger=run.trigger, status=run.status,
                  queued_at=run.queued_at.isoformat(), started_at=_iso(run.started_at), ended_at=_iso(run.ended_at),
                  duration_s=round(run.duration_s, 2) if run.duration_s is not None else None,
                  counters=run.counters, documents=run.documents, error=run.error,
                  cancel_requested=run.cancel_requested)


def schedule_output(s: Schedule) -> ScheduleOut:
    return ScheduleOut(source=s.source, kind=s.kind, expression=s.expression, jitter_s=s.jitter_s, paused=s.paused,
                       next_run_at=_iso(s.next_run_at))


def source_output(view: SourceView) -> SourceOut:
    source, schedule = view.source, view.schedule
    return SourceOut(
        id=source.id, names={"zh": source.name.zh, "en": source.name.en, "ja": source.name.ja},
        group=source.group, kind=source.kind, start_urls=list(source.start_urls), enabled=source.enabled,
        allow_private=source.allow_private, documents=view.documents,
        schedule=schedule.expression if schedule else None, paused=bool(schedule and schedule.paused),
        next_run_at=_iso(schedule.next_run_at) if schedule else None,
        last_run=run_output(view.last_run) if view.last_run else None, alerts=view.alerts)


def alert_output(a: Alert) -> AlertOut:
    return AlertOut(id=a.id, source=a.source, kind=a.kind, message=a.message, run_id=a.run_id,
                    created_at=a.created_at.isoformat(), delivered=a.delivered, delivery_error=a.delivery_error)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@router.get("/me", response_model=OperatorOut, summary="Who the key belongs to")
def me(operator: Annotated[Operator, Depends(reader)]) -> OperatorOut:
    return OperatorOut(name=operator.name, role=operator.role)


@router.get("/sources", response_model=list[SourceOut], summary="Sources with their schedules, last runs and alerts")
def sources(ops: Ops) -> list[SourceOut]:
    return [source_output(v) for v in ops.overview(ops.sources())]


@router.get("/sources/{source_id}", response_model=SourceOut,
            summary="One source with its schedule, last run and alerts")
def source(source_id: str, ops: Ops) -> SourceOut:
    return source_output(ops.overview([ops.source(source_id)])[0])


@router.post("/sources", response_model=SourceOut, status_code=201, dependencies=ADMIN,
             summary="Add a source to the catalog")
def create_source(entry: SourceIn, ops: Ops) -> SourceOut:
    added = ops.add_source(entry.model_dump(exclude_none=True))
    return source_output(ops.overview([added])[0])


@router.put("/sources/{source_id}", response_model=SourceOut, dependencies=ADMIN, summary="Change a source")
def update_source(source_id: str, entry: SourceIn, ops: Ops) -> SourceOut:
    changed = ops.replace_source(source_id, entry.model_dump(exclude_none=True))
    return source_output(ops.overview([changed])[0])


@router.delete("/sources/{source_id}", status_code=204, dependencies=ADMIN,
               summary="Remove a source from the catalog, and its schedule (its documents stay)")
def delete_source(source_id: str, ops: Ops) -> Response:
    ops.remove_source(source_id)
    return Response(status_code=204)


@router.post("/sources/{source_id}/run", response_model=RunOut, status_code=202, dependencies=ADMIN,
             summary="Run now: queued, and started by the scheduler within seconds")
def run_now(source_id: str, ops: Ops) -> RunOut:
    return run_output(ops.queue_run(source_id))


@router.get("/schedules", response_model=list[ScheduleOut], summary="Every schedule with its next firing")
def schedules(ops: Ops) -> list[ScheduleOut]:
    return [schedule_output(s) for s in ops.schedules()]


@router.put("/schedules/{source_id}", response_model=ScheduleOut, dependencies=ADMIN,
            summary="Create or replace a source's schedule")
def set_schedule(source_id: str, schedule: ScheduleIn, ops: Ops) -> ScheduleOut:
    return schedule_output(ops.set_schedule(source_id, schedule.expression, schedule.jitter_s))


@router.delete("/schedules/{source_id}", status_code=204, dependencies=ADMIN, summary="Delete a source's schedule")
def delete_schedule(source_id: str, ops: Ops) -> Response:
    ops.remove_schedule(source_id)
    return Response(status_code=204)


@router.post("/schedules/{source_id}/pause", response_model=ScheduleOut, dependencies=ADMIN,
             summary="Pause a schedule")
def pause(source_id: str, ops: Ops) -> ScheduleOut:
    return schedule_output(ops.pause_schedule(source_id))


@router.post("/schedules/{source_id}/resume", response_model=ScheduleOut, dependencies=ADMIN,
             summary="Resume a paused schedule")
def resume(source_id: str, ops: Ops) -> ScheduleOut:
    return schedule_output(ops.resume_schedule(source_id))


@router.get("/runs", response_model=list[RunOut], summary="Run history, newest first")
def runs(ops: Ops, source: Annotated[str | None, Query(max_length=200)] = None,
         status: Literal["queued", "running", "succeeded", "failed", "cancelled", "skipped"] | None = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RunOut]:
    return [run_output(r) for r in ops.runs(source, status, limit)]


@router.get("/runs/{run_id}", response_model=RunDetailOut, summary="One run: counters, error and the tail of its log")
def run(run_id: Annotated[int, Path(ge=1, le=2**62)], ops: Ops) -> RunDetailOut:
    found = ops.run(run_id)
    return RunDetailOut(**run_output(found).model_dump(), log_tail=found.log_tail)


@router.post("/runs/{run_id}/cancel", response_model=RunOut, dependencies=ADMIN,
             summary="Cancel a queued or running run")
def cancel(run_id: Annotated[int, Path(ge=1, le=2**62)], ops: Ops) -> RunOut:
    return run_output(ops.cancel_run(run_id))


@router.get("/alerts", response_model=list[AlertOut], summary="Open alerts: sources whose last runs failed")
def alerts(ops: Ops, source: Annotated[str | None, Query(max_length=200)] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[AlertOut]:
    return [alert_output(a) for a in ops.alerts(source, limit)]


@router.get("/indexed-per-day", response_model=list[DayGroupCount],
            summary="Pages fetched, new, updated and deleted per day and source group, from the run records")
def indexed_per_day(ops: Ops, days: Annotated[int, Query(ge=1, le=366)] = 30) -> list[DayGroupCount]:
    return [DayGroupCount(day=d.isoformat(), group=g, pages=n["new"] + n["updated"], **n)
            for (d, g), n in ops.pages_per_day(days).items()]


@router.get("/analytics", response_model=AnalyticsOut, summary="Top queries, zero-hit queries, searches per day")
def analytics(request: Request, days: Annotated[int, Query(ge=1, le=3660)] = 30,
              limit: Annotated[int, Query(ge=1, le=200)] = 20) -> AnalyticsOut:
    search_log = app_of(request).search_log
    if search_log is None:
        raise HTTPException(404, "the search log is off (SMESEARCH_SEARCH_LOG=false)")
    a = search_log.analytics(days, limit)
    return AnalyticsOut(days=a.days, searches=a.searches, zero_hit_searches=a.zero_hit_searches,
                        median_took_ms=a.median_took_ms,
                        top_queries=[QueryCount(query=q, searches=n) for q, n in a.top_queries],
                        zero_hit_queries=[QueryCount(query=q, searches=n) for q, n in a.zero_hit_queries],
                        per_day=[DayCount(day=d, searches=n) for d, n in a.per_day])


@router.get("/stats", summary="Index statistics", response_model=dict[str, object])
def stats(request: Request) -> dict[str, object]:
    app = app_of(request)
    s = app.search.stats()
    return {"backend": s.backend, "documents": s.documents, "by_lang": s.by_lang, "by_source": s.by_source,
            "by_group": s.by_group, "unanalysed_langs": s.unanalysed_langs, "size_bytes": s.size_bytes,
            "location": s.location, "last_commit": s.last_commit.isoformat() if s.last_commit else None,
            "translation": app.translations.status()}

