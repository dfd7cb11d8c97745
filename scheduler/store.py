"""The scheduler's durable records, in one SQL database (SQLite by default, PostgreSQL supported):
every run with its outcome, the per-source locks that keep two runs of a source apart, and the
alerts raised on sources. APScheduler's own job table lives in the same database.

A lock is a row per source with a lease: its holder renews `heartbeat_at` while the run lasts;
a lock whose lease ran out, or whose holder process on this host is gone, may be taken over.
That is what keeps one source to one run even with two scheduler processes on one job store.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

# skipped: the source was being crawled by another process (crawler/runlock.py) when the run started.
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "skipped")
FINISHED = ("succeeded", "failed", "cancelled", "skipped")
LOG_TAIL_CHARS = 8000

metadata = MetaData()
runs = Table(
    "smesearch_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False, index=True),
    Column("trigger", String(20), nullable=False),  # schedule, manual (run now), cli or demo
    Column("status", String(20), nullable=False, index=True),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("counters", Text, nullable=False, default="{}"),
    Column("documents", Integer),  # the source's documents in the index after the run
    Column("log_tail", Text, nullable=False, default=""),
    Column("error", Text),
    Column("host", String(255)),
    Column("pid", Integer),  # the crawl subprocess
    Column("owner", String(255)),  # the scheduler process running it: host:pid:token
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("time_limit_s", Integer),
)
locks = Table(
    "smesearch_source_locks", metadata,
    Column("source", String(200), primary_key=True),
    Column("run_id", Integer, nullable=False),
    Column("owner", String(255), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)
alerts = Table(
    "smesearch_alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False, index=True),
    Column("kind", String(40), nullable=False),  # failures or page_drop
    Column("message", Text, nullable=False),
    Column("run_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered", Boolean, nullable=False, default=False),
    Column("delivery_error", Text),
)


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    source: str
    trigger: str
    status: str
    queued_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    counters: dict[str, Any]
    documents: int | None
    log_tail: str
    error: str | None
    host: str | None
    pid: int | None
    owner: str | None
    cancel_requested: bool
    time_limit_s: int | None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        return ((self.ended_at or now()) - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    source: str
    kind: str
    message: str
    run_id: int | None
    created_at: datetime
    delivered: bool
    delivery_error: str | None


def now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def process_owner(token: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{token}"


def owner_is_gone(owner: str) -> bool:
    """True when `owner` is a process on this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def prepare_database(url: str) -> None:
    """A SQLite file's directory must exist before the first connection."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


class RunStore:
    def __init__(self, url: str) -> None:
        self.url = url
        prepare_database(url)
        connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        for attempt in range(5):
            try:
                metadata.create_all(self.engine)
                break
            except DBAPIError:
                # Two processes creating the tables at once: PostgreSQL refuses the second
                # CREATE TABLE; once the first has committed, checkfirst sees the tables.
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def close(self) -> None:
        self.engine.dispose()

    # -- runs -------------------------------------------------------------------------------

    def enqueue(self, source: str, trigger: str = "manual", owner: str | None = None) -> Run:
        """A queued run; with an owner, one that process runs itself (no dispatcher claims it)."""
        with self.engine.begin() as db:
            run_id = db.execute(insert(runs).values(source=source, trigger=trigger, status="queued", queued_at=now(),
                                                    counters="{}", log_tail="", cancel_requested=False, owner=owner)
                                ).inserted_primary_key[0]  # type: ignore[index]
        return self.get(int(run_id))  # type: ignore[return-value]

    def record_finished(self, source: str, trigger: str, started_at: datetime, ended_at: datetime | None,
                        status: str, counters: dict[str, Any], error: str | None) -> Run:
        """A run that another way of crawling started and finished (`smesearch crawl`, the demo),
        so that the console and `smesearch runs` show every crawl, not only the scheduler's."""
        assert status in FINISHED
        with self.engine.begin() as db:
            run_id = db.execute(insert(runs).values(
                source=source, trigger=trigger, status=status, queued_at=started_at, started_at=started_at,
                ended_at=ended_at or now(), counters=json.dumps(counters, ensure_ascii=False), log_tail="",
                error=error, host=socket.gethostname(), cancel_requested=False)).inserted_primary_key[0]  # type: ignore[index]
        return self.get(int(run_id))  # type: ignore[return-value]

    def get(self, run_id: int) -> Run | None:
        with self.engine.connect() as db:
            row = db.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        return _run(row) if row else None

    def find(self, source: str | None = None, status: str | None = None, limit: int = 50) -> list[Run]:
        query = select(runs).order_by(runs.c.id.desc()).limit(limit)
        if source:
            query = query.where(runs.c.source == source)
        if status:
            query = query.where(runs.c.status == status)
        with self.engine.connect() as db:
            return [_run(r) for r in db.execute(query).mappings()]

    def claim_queued(self, owner: str) -> list[Run]:
        """Queued runs this process now owns, one per source that nobody is running."""
        claimed: list[Run] = []
        for run in reversed(self.find(status="queued", limit=100)):
            busy = self.lock_holder(run.source) is not None or any(c.source == run.source for c in claimed)
            if run.owner is not None or busy:
                continue
            with self.engine.begin() as db:
                won = db.execute(update(runs).where(runs.c.id == run.id, runs.c.status == "queued",
                                                    runs.c.owner.is_(None)).values(owner=owner)).rowcount
            if won:
                claimed.append(run)
        return claimed

    def start(self, run_id: int, owner: str, pid: int | None, time_limit_s: int) -> None:
        with self.engine.begin() as db:
            db.execute(update(runs).where(runs.c.id == run_id).values(
                status="running", started_at=now(), owner=owner, host=socket.gethostname(), pid=pid,
                time_limit_s=time_limit_s))

    def set_pid(self, run_id: int, pid: int) -> None:
        with self.engine.begin() as db:
            db.execute(update(runs).where(runs.c.id == run_id).values(pid=pid))

    def finish(self, run_id: int, status: str, counters: dict[str, Any], log_tail: str, error: str | None,
               documents: int | None) -> Run:
        assert status in FINISHED
        with self.engine.begin() as db:
            db.execute(update(runs).where(runs.c.id == run_id).values(
                status=status, ended_at=now(), counters=json.dumps(counters, ensure_ascii=False),
                log_tail=log_tail[-LOG_TAIL_CHARS:], error=error, documents=documents))
        return self.get(run_id)  # type: ignore[return-value]

    def request_cancel(self, run_id: int) -> Run | None:
        """A queued run is cancelled at once; a running one when its runner next looks (about a second)."""
        with self.engine.begin() as db:
            db.execute(update(runs).where(runs.c.id == run_id, runs.c.status == "queued", runs.c.owner.is_(None))
                       .values(status="cancelled", ended_at=now(), error="cancelled before it started",
                               cancel_requested=True))
            db.execute(update(runs).where(runs.c.id == run_id, runs.c.status.in_(("queued", "running")))
                       .values(cancel_requested=True))
        return self.get(run_id)

    def cancel_requested(self, run_id: int) -> bool:
        with self.engine.connect() as db:
            return bool(db.execute(select(runs.c.cancel_requested).where(runs.c.id == run_id)).scalar())

    def abandoned(self, lease: timedelta) -> list[Run]:
        """Runs recorded as running (or claimed) whose scheduler process is gone or stopped
        renewing the source's lock: what a killed scheduler leaves behind."""
        out = []
        cutoff = now() - lease
        with self.engine.connect() as db:
            rows = db.execute(select(runs).where(runs.c.status.in_(("running", "queued")), runs.c.owner.is_not(None))
                              ).mappings().all()
            held = {r["run_id"]: _aware(r["heartbeat_at"]) for r in db.execute(select(locks)).mappings()}
        for row in rows:
            run = _run(row)
            beat = held.get(run.id)
            stale = beat is None or beat < cutoff
            if run.status == "queued" and not owner_is_gone(run.owner or ""):
                continue  # claimed a moment ago and about to start
            if owner_is_gone(run.owner or "") or (stale and (run.started_at or run.queued_at) < cutoff):
                out.append(run)
        return out

    # -- locks ------------------------------------------------------------------------------

    def acquire(self, source: str, run_id: int, owner: str, lease: timedelta) -> bool:
        for _ in range(2):
            try:
                with self.engine.begin() as db:
                    db.execute(insert(locks).values(source=source, run_id=run_id, owner=owner, heartbeat_at=now()))
                return True
            except IntegrityError:
                holder = self._lock(source)
                if holder is None:
                    continue
                beat = _aware(holder["heartbeat_at"])
                if (beat is not None and beat < now() - lease) or owner_is_gone(holder["owner"]):
                    with self.engine.begin() as db:
                        db.execute(delete(locks).where(locks.c.source == source, locks.c.owner == holder["owner"],
                                                       locks.c.run_id == holder["run_id"]))
                    continue
                return False
        return False

    def heartbeat(self, source: str, run_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(update(locks).where(locks.c.source == source, locks.c.run_id == run_id)
                       .values(heartbeat_at=now()))

    def release(self, source: str, run_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(delete(locks).where(locks.c.source == source, locks.c.run_id == run_id))

    def lock_holder(self, source: str) -> int | None:
        holder = self._lock(source)
        return int(holder["run_id"]) if holder else None

    def _lock(self, source: str) -> Any:
        with self.engine.connect() as db:
            return db.execute(select(locks).where(locks.c.source == source)).mappings().first()

    # -- alerts -----------------------------------------------------------------------------

    def add_alert(self, source: str, kind: str, message: str, run_id: int | None) -> Alert:
        with self.engine.begin() as db:
            alert_id = db.execute(insert(alerts).values(source=source, kind=kind, message=message, run_id=run_id,
                                                        created_at=now(), delivered=False)
                                  ).inserted_primary_key[0]  # type: ignore[index]
        return self.alerts(alert_id=int(alert_id))[0]

    def mark_delivered(self, alert_id: int, error: str | None) -> None:
        with self.engine.begin() as db:
            db.execute(update(alerts).where(alerts.c.id == alert_id).values(delivered=error is None,
                                                                            delivery_error=error))

    def alerts(self, source: str | None = None, limit: int = 50, alert_id: int | None = None) -> list[Alert]:
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
        if source:
            query = query.where(alerts.c.source == source)
        if alert_id is not None:
            query = query.where(alerts.c.id == alert_id)
        with self.engine.connect() as db:
            return [Alert(r["id"], r["source"], r["kind"], r["message"], r["run_id"],
                          _aware(r["created_at"]) or now(), bool(r["delivered"]), r["delivery_error"])
                    for r in db.execute(query).mappings()]


def _run(row: Any) -> Run:
    return Run(
        id=row["id"], source=row["source"], trigger=row["trigger"], status=row["status"],
        queued_at=_aware(row["queued_at"]), started_at=_aware(row["started_at"]),  # type: ignore[arg-type]
        ended_at=_aware(row["ended_at"]), counters=json.loads(row["counters"] or "{}"), documents=row["documents"],
        log_tail=row["log_tail"] or "", error=row["error"], host=row["host"], pid=row["pid"], owner=row["owner"],
        cancel_requested=bool(row["cancel_requested"]), time_limit_s=row["time_limit_s"],
    )
