"""The operator routes under /api/admin/: every one needs an operator key (see operators.py),
sent as `Authorization: Bearer KEY` or `X-API-Key: KEY`. No key or an unknown key is 401; a key
whose role is too low is 403. Reading needs the read role, changing anything the admin role.

Sources are the catalog file (edited in place, comments kept, every change validated: no
private addresses unless the entry allows them); schedules and runs are the scheduler's job
store and run records, shared with `smesearch scheduler` and the CLI.
"""
# No `from __future__ import annotations`: route signatures use dependencies defined in router().

import contextlib
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from crawler.catalog import CatalogError, Source, confined_file, load_catalog
from crawler.catalog_edit import (
    SourceExists,
    add_source,
    editable_catalog,
    effective_catalog,
    remove_source,
    replace_source,
)
from crawler.kinds import SOURCE_KINDS
from operations.app import App
from operations.operators import Operator, Role
from query_api.models import AnalyticsOut, DayCount, Problem, QueryCount, SourceBase
from scheduler.schedules import Schedule, ScheduleError
from scheduler.store import Alert, Run, now


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


class NamesIn(BaseModel):
    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)
    ja: str = Field(min_length=1, max_length=200)


class SourceIn(BaseModel):
    """A catalog entry, as crawler/catalog.py documents its fields."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["acme-portal"])
    name: NamesIn
    group: str = Field(examples=["shenyang"])
    kind: Literal["site", "sitemap", "feed", "jsonl"] = "site"
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
    pages: int = Field(description="documents added or updated by that day's runs")


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


def alert_output(a: Alert) -> AlertOut:
    return AlertOut(id=a.id, source=a.source, kind=a.kind, message=a.message, run_id=a.run_id,
                    created_at=a.created_at.isoformat(), delivered=a.delivered, delivery_error=a.delivery_error)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def router(app: App) -> APIRouter:
    settings = app.settings
    reader = Depends(operator_dependency(app, "read"))
    admin = [Depends(operator_dependency(app, "admin"))]
    api = APIRouter(prefix="/api/admin", tags=["operators"], dependencies=[reader],
                    responses={401: {"model": Problem, "description": "no operator key, or an unknown one"},
                               403: {"model": Problem, "description": "the key's role is too low"},
                               404: {"model": Problem, "description": "no such source, schedule or run"},
                               409: {"model": Problem, "description": "the source exists"},
                               422: {"model": Problem, "description": "an invalid entry or schedule"}})

    def catalog_sources() -> tuple[Source, ...]:
        return load_catalog(effective_catalog(settings.catalog, settings.paths)).sources

    def source_or_404(source_id: str) -> Source:
        for source in catalog_sources():
            if source.id == source_id:
                return source
        raise HTTPException(404, f"no source {source_id!r} in the catalog")

    def checked(entry: SourceIn, existing: Source | None = None) -> dict[str, Any]:
        """The entry as the catalog will hold it. Reaching private addresses stays a decision of
        whoever holds the catalog file, and files come only from the import directory."""
        if entry.allow_private and not (existing and existing.allow_private):
            raise HTTPException(422, "allow_private: only the catalog file or `smesearch sources add "
                                     "--allow-private` can let the crawler reach private addresses")
        fields = entry.model_dump(exclude_none=True, exclude={"allow_private"})
        if existing and existing.allow_private:
            fields["allow_private"] = True
        if not SOURCE_KINDS[entry.kind].web:  # a file on this machine: only under the import directory
            directory = settings.file_sources_dir
            try:
                fields["start_urls"] = [str(confined_file(url, directory)) for url in entry.start_urls]
            except CatalogError as exc:
                raise HTTPException(422, f"{exc.field}: {exc.message}") from None
        return fields

    def edit(change: Callable[[], Any]) -> Any:
        try:
            return change()
        except SourceExists as exc:
            raise HTTPException(409, f"{exc.message}; change it with PUT") from None
        except KeyError:
            raise HTTPException(404, "the source was removed meanwhile") from None
        except CatalogError as exc:
            raise HTTPException(422, exc.message if exc.field == "" else f"{exc.field}: {exc.message}") from None

    def source_output(source: Source, schedules: dict[str, Schedule], documents: dict[str, int],
                      last: dict[str, Run], alerted: dict[str, int]) -> SourceOut:
        schedule = schedules.get(source.id)
        return SourceOut(
            id=source.id, names={"zh": source.name.zh, "en": source.name.en, "ja": source.name.ja},
            group=source.group, kind=source.kind, start_urls=list(source.start_urls), enabled=source.enabled,
            allow_private=source.allow_private, documents=documents.get(source.id, 0),
            schedule=schedule.expression if schedule else None, paused=bool(schedule and schedule.paused),
            next_run_at=_iso(schedule.next_run_at) if schedule else None,
            last_run=run_output(last[source.id]) if source.id in last else None, alerts=alerted.get(source.id, 0))

    def overview(sources: tuple[Source, ...]) -> list[SourceOut]:
        schedules = {s.source: s for s in app.schedule_book.schedules()}
        documents = app.search.stats().by_source
        last: dict[str, Run] = {}
        for run in app.run_store.find(limit=500):
            last.setdefault(run.source, run)
        week = now() - timedelta(days=7)
        alerted: dict[str, int] = defaultdict(int)
        for alert in app.run_store.alerts(limit=500):
            if alert.created_at >= week:
                alerted[alert.source] += 1
        return [source_output(s, schedules, documents, last, alerted) for s in sources]

    @api.get("/me", response_model=OperatorOut, summary="Who the key belongs to")
    def me(operator: Annotated[Operator, reader]) -> OperatorOut:
        return OperatorOut(name=operator.name, role=operator.role)

    @api.get("/sources", response_model=list[SourceOut], summary="Sources with their schedules, last runs and alerts")
    def sources() -> list[SourceOut]:
        return overview(catalog_sources())

    @api.get("/sources/{source_id}", response_model=SourceOut)
    def source(source_id: str) -> SourceOut:
        return overview((source_or_404(source_id),))[0]

    @api.post("/sources", response_model=SourceOut, status_code=201, dependencies=admin,
              summary="Add a source to the catalog")
    def create_source(entry: SourceIn) -> SourceOut:
        fields = checked(entry)
        path = editable_catalog(settings.catalog, settings.paths)
        added = edit(lambda: add_source(path, fields))
        return overview((added,))[0]

    @api.put("/sources/{source_id}", response_model=SourceOut, dependencies=admin, summary="Change a source")
    def update_source(source_id: str, entry: SourceIn) -> SourceOut:
        existing = source_or_404(source_id)
        if entry.id != source_id:
            raise HTTPException(422, "id: a source's id cannot change (add a new source instead)")
        fields = checked(entry, existing)
        path = editable_catalog(settings.catalog, settings.paths)
        changed = edit(lambda: replace_source(path, source_id, fields))
        return overview((changed,))[0]

    @api.delete("/sources/{source_id}", status_code=204, dependencies=admin,
                summary="Remove a source from the catalog, and its schedule (its documents stay)")
    def delete_source(source_id: str) -> Response:
        source_or_404(source_id)
        edit(lambda: remove_source(editable_catalog(settings.catalog, settings.paths), source_id))
        with contextlib.suppress(ScheduleError):
            app.schedule_book.remove(source_id)
        return Response(status_code=204)

    @api.post("/sources/{source_id}/run", response_model=RunOut, status_code=202, dependencies=admin,
              summary="Run now: queued, and started by the scheduler within seconds")
    def run_now(source_id: str) -> RunOut:
        source_or_404(source_id)
        return run_output(app.run_store.enqueue(source_id))

    @api.get("/schedules", response_model=list[ScheduleOut])
    def schedules() -> list[ScheduleOut]:
        return [schedule_output(s) for s in app.schedule_book.schedules()]

    @api.put("/schedules/{source_id}", response_model=ScheduleOut, dependencies=admin,
             summary="Create or replace a source's schedule")
    def set_schedule(source_id: str, schedule: ScheduleIn) -> ScheduleOut:
        source_or_404(source_id)
        try:
            return schedule_output(app.schedule_book.set(source_id, schedule.expression, schedule.jitter_s))
        except ScheduleError as exc:
            raise HTTPException(422, str(exc)) from None

    def change_schedule(source_id: str, method: str) -> Any:
        try:
            return getattr(app.schedule_book, method)(source_id)
        except ScheduleError as exc:
            raise HTTPException(404, str(exc)) from None

    @api.delete("/schedules/{source_id}", status_code=204, dependencies=admin)
    def delete_schedule(source_id: str) -> Response:
        change_schedule(source_id, "remove")
        return Response(status_code=204)

    @api.post("/schedules/{source_id}/pause", response_model=ScheduleOut, dependencies=admin)
    def pause(source_id: str) -> ScheduleOut:
        return schedule_output(change_schedule(source_id, "pause"))

    @api.post("/schedules/{source_id}/resume", response_model=ScheduleOut, dependencies=admin)
    def resume(source_id: str) -> ScheduleOut:
        return schedule_output(change_schedule(source_id, "resume"))

    @api.get("/runs", response_model=list[RunOut], summary="Run history, newest first")
    def runs(source: Annotated[str | None, Query(max_length=200)] = None,
             status: Literal["queued", "running", "succeeded", "failed", "cancelled", "skipped"] | None = None,
             limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RunOut]:
        return [run_output(r) for r in app.run_store.find(source, status, limit)]

    @api.get("/runs/{run_id}", response_model=RunDetailOut)
    def run(run_id: Annotated[int, Path(ge=1, le=2**62)]) -> RunDetailOut:
        found = app.run_store.get(run_id)
        if found is None:
            raise HTTPException(404, f"no run {run_id}")
        return RunDetailOut(**run_output(found).model_dump(), log_tail=found.log_tail)

    @api.post("/runs/{run_id}/cancel", response_model=RunOut, dependencies=admin,
              summary="Cancel a queued or running run")
    def cancel(run_id: Annotated[int, Path(ge=1, le=2**62)]) -> RunOut:
        found = app.run_store.request_cancel(run_id)
        if found is None:
            raise HTTPException(404, f"no run {run_id}")
        return run_output(found)

    @api.get("/alerts", response_model=list[AlertOut])
    def alerts(source: Annotated[str | None, Query(max_length=200)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[AlertOut]:
        return [alert_output(a) for a in app.run_store.alerts(source, limit)]

    @api.get("/indexed-per-day", response_model=list[DayGroupCount],
             summary="Pages indexed (added or updated) per day and source group, from the run records")
    def indexed_per_day(days: Annotated[int, Query(ge=1, le=366)] = 30) -> list[DayGroupCount]:
        groups = {s.id: s.group for s in catalog_sources()}
        since = now() - timedelta(days=days)
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for r in app.run_store.find(limit=10_000):
            if r.status == "succeeded" and r.ended_at and r.ended_at >= since:
                pages = int(r.counters.get("new", 0) or 0) + int(r.counters.get("updated", 0) or 0)
                totals[(r.ended_at.date().isoformat(), groups.get(r.source, "other"))] += pages
        return [DayGroupCount(day=d, group=g, pages=n) for (d, g), n in sorted(totals.items())]

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
