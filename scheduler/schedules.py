"""Crawl schedules: one APScheduler 3 job per source in the SQLAlchemy job store, so schedules
survive restarts and every process (the scheduler, the API, the CLI) sees the same ones.

Whoever changes schedules opens a `ScheduleBook`: an APScheduler started paused on the shared job
store, which writes changes straight to it and never runs a job. The scheduler process picks the
changes up within its tick (scheduler/service.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.store import prepare_database

JOB_PREFIX = "crawl:"
JOB_FUNCTION = "scheduler.jobs:scheduled_run"
JOB_TABLE = "smesearch_apscheduler_jobs"
_EVERY = re.compile(r"every\s+(\d+)\s*(s|m|h|d)", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScheduleError(ValueError):
    """A schedule that cannot be made or found; the message says why."""


@dataclass(frozen=True, slots=True)
class Schedule:
    source: str
    kind: str  # interval or cron
    expression: str  # "every 30m" or the five-field cron expression
    jitter_s: int
    next_run_at: datetime | None  # None while paused

    @property
    def paused(self) -> bool:
        return self.next_run_at is None


def make_trigger(expression: str, jitter_s: int = 0) -> tuple[str, BaseTrigger]:
    """"every 30m" (s, m, h, d) or a five-field cron expression in UTC ("0 3 * * mon-fri"; as in
    APScheduler, numeric weekdays count from 0 = Monday, so names are clearer)."""
    text = expression.strip()
    if jitter_s < 0 or jitter_s > 86_400:
        raise ScheduleError("jitter must be 0 to 86400 seconds")
    every = _EVERY.fullmatch(text)
    if every:
        amount = int(every.group(1))
        if amount <= 0:
            raise ScheduleError("an interval must be at least 1")
        return "interval", IntervalTrigger(**{_UNITS[every.group(2).lower()]: amount},  # type: ignore[arg-type]
                                           jitter=jitter_s or None, timezone="UTC")
    if len(text.split()) != 5:
        raise ScheduleError(f"{expression!r} is neither 'every N s|m|h|d' nor a five-field cron expression "
                            "(minute hour day month weekday, e.g. '0 3 * * *')")
    fields = dict(zip(("minute", "hour", "day", "month", "day_of_week"), text.split(), strict=True))
    try:
        return "cron", CronTrigger(timezone="UTC", jitter=jitter_s or None, **fields)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ScheduleError(f"invalid cron expression {expression!r}: {exc}") from None


class ScheduleBook:
    def __init__(self, database_url: str, misfire_grace_s: int = 300) -> None:
        prepare_database(database_url)
        self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=database_url, tablename=JOB_TABLE)}, timezone="UTC")
        self._scheduler.start(paused=True)
        self.misfire_grace_s = misfire_grace_s

    def close(self) -> None:
        self._scheduler.shutdown(wait=False)

    def set(self, source: str, expression: str, jitter_s: int = 0) -> Schedule:
        """Create or replace the source's schedule (a paused one stays paused)."""
        kind, trigger = make_trigger(expression, jitter_s)
        existing = self._scheduler.get_job(JOB_PREFIX + source)
        job = self._scheduler.add_job(
            JOB_FUNCTION, trigger, args=[source], id=JOB_PREFIX + source,
            name=f"{kind}|{expression.strip()}|{jitter_s}",
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=self.misfire_grace_s)
        if existing is not None and existing.next_run_time is None:
            job.pause()
        return self.get(source)

    def get(self, source: str) -> Schedule:
        job = self._scheduler.get_job(JOB_PREFIX + source)
        if job is None:
            raise ScheduleError(f"source {source!r} has no schedule")
        return _schedule(job)

    def schedules(self) -> list[Schedule]:
        return sorted((_schedule(j) for j in self._scheduler.get_jobs() if j.id.startswith(JOB_PREFIX)),
                      key=lambda s: s.source)

    def pause(self, source: str) -> Schedule:
        self._modify(source, "pause_job")
        return self.get(source)

    def resume(self, source: str) -> Schedule:
        self._modify(source, "resume_job")
        return self.get(source)

    def remove(self, source: str) -> None:
        self._modify(source, "remove_job")

    def _modify(self, source: str, method: str) -> None:
        try:
            getattr(self._scheduler, method)(JOB_PREFIX + source)
        except JobLookupError:
            raise ScheduleError(f"source {source!r} has no schedule") from None


def _schedule(job: Job) -> Schedule:
    kind, expression, jitter = ([*str(getattr(job, "name", "")).split("|"), "", "", "0"])[:3]
    return Schedule(source=str(job.id)[len(JOB_PREFIX):], kind=kind, expression=expression,
                    jitter_s=int(jitter or 0), next_run_at=getattr(job, "next_run_time", None))


def interval_seconds(expression: str) -> float | None:
    every = _EVERY.fullmatch(expression.strip())
    if not every:
        return None
    return timedelta(**{_UNITS[every.group(2).lower()]: int(every.group(1))}).total_seconds()
