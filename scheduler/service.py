"""`smesearch scheduler`: APScheduler 3 on the persistent job store, plus a tick every couple of
seconds that starts queued runs (run now, from the API or the CLI), notices schedule changes
made by other processes, and recovers runs a killed scheduler left behind.

Several scheduler processes may share one job store: each fires the due schedules, and the
per-source lock lets only one of them run a source at a time; the others record the firing as
skipped.
"""

from __future__ import annotations

import logging
import threading
import uuid

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from config.settings import Settings
from scheduler.runner import kill_leftover, limits_from, run_in_thread
from scheduler.schedules import JOB_PREFIX, JOB_TABLE
from scheduler.store import RunStore, process_owner

log = logging.getLogger("smesearch.scheduler")
TICK_SECONDS = 2
_PROCESS_TOKEN = uuid.uuid4().hex[:12]  # fixed for the life of the process: who holds a lock


def current_owner() -> str:
    return process_owner(_PROCESS_TOKEN)


class SchedulerService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = RunStore(settings.scheduler_database_url)
        self.owner = current_owner()
        self._runs: dict[int, threading.Thread] = {}
        self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=settings.scheduler_database_url, tablename=JOB_TABLE),
                       "local": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(settings.scheduler_workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_s},
            timezone="UTC")
        # APScheduler logs every wake-up of the tick (an INFO line every 2 s, 800 in a 13-minute
        # demo) and a WARNING each time a tick or a long crawl overlaps its next firing. Ours say
        # what happened to runs instead: one line as each starts and ends, one per skipped firing.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self._scheduler.add_listener(self._not_fired, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)

    def _not_fired(self, event: JobEvent) -> None:
        if not event.job_id.startswith(JOB_PREFIX):
            return  # the tick: its next wake-up does the same work
        why = ("its previous run is still going" if event.code == EVENT_JOB_MAX_INSTANCES
               else f"the scheduler was not running within {self.settings.misfire_grace_s} s of its time")
        log.info("scheduled run of %s skipped: %s", event.job_id.removeprefix(JOB_PREFIX), why)

    def start(self) -> None:
        self.recover()
        self._scheduler.add_job(self.tick, "interval", seconds=TICK_SECONDS, id="tick", jobstore="local",
                                executor="default", coalesce=True, max_instances=1)
        self._scheduler.start()
        log.info("scheduler %s started on %s", self.owner, _redacted(self.settings.scheduler_database_url))

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)
        self.store.close()

    def tick(self) -> None:
        """Start what was queued, and recover what was abandoned."""
        self._runs = {i: t for i, t in self._runs.items() if t.is_alive()}
        self.recover()
        if len(self._runs) >= self.settings.scheduler_workers:
            return
        for run in self.store.claim_queued(self.owner)[: self.settings.scheduler_workers - len(self._runs)]:
            log.info("starting queued run %s of %s", run.id, run.source)
            self._runs[run.id] = run_in_thread(self.settings, self.store, run, self.owner)

    def recover(self) -> None:
        """Runs left 'running' by a scheduler that died are failed, and their crawl stopped; the
        source's lock goes with them, so its next run starts on time."""
        for run in self.store.abandoned(limits_from(self.settings).lease):
            if run.owner == self.owner and run.id in self._runs:
                continue
            kill_leftover(run)
            self.store.finish(run.id, "failed", run.counters, run.log_tail,
                              "the scheduler stopped during the run (recovered by the next scheduler)", None)
            self.store.release(run.source, run.id)
            log.warning("run %s of %s was abandoned by %s; marked failed", run.id, run.source, run.owner)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
