"""One crawl run, from lock to record: `smesearch crawl SOURCE` in a subprocess of its own
session, watched for its time limit and for cancellation, its counters and log tail recorded.

The subprocess is the crawler exactly as an operator runs it by hand, so a crash in it (or in a
library under it) fails one run and never the scheduler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.settings import Settings
from crawler.runlock import EXIT_SOURCE_BUSY
from crawler.state import CrawlState
from engine import Engine
from indexer.backends.base import BackendError
from matching import send_match_digests
from scheduler.alerts import check_alerts
from scheduler.store import Run, RunStore

log = logging.getLogger("smesearch.scheduler")
POLL_SECONDS = 0.5
KILL_GRACE_SECONDS = 10


@dataclass(frozen=True, slots=True)
class RunLimits:
    time_limit_s: int
    lease: timedelta
    heartbeat_s: float


def limits_from(settings: Settings) -> RunLimits:
    return RunLimits(settings.run_time_limit_s, timedelta(seconds=settings.scheduler_lease_s),
                     max(0.5, settings.scheduler_lease_s / 4))


def execute(settings: Settings, store: RunStore, run: Run, owner: str) -> Run:
    """Run a queued (or just created) run of its source, if nobody else is running that source.
    Returns the run as recorded at the end; a run whose lock is held stays as it was."""
    limits = limits_from(settings)
    if not store.acquire(run.source, run.id, owner, limits.lease):
        log.info("run %s of %s waits: another run of the source holds its lock", run.id, run.source)
        return run
    try:
        with renewing(store, run, limits.heartbeat_s):
            if store.cancel_requested(run.id):
                return store.finish(run.id, "cancelled", {}, "", "cancelled before it started", None)
            store.start(run.id, owner, None, limits.time_limit_s)
            log.info("run %s of %s started (%s)", run.id, run.source, run.trigger)
            finished = _watch(settings, store, run, limits)
    finally:
        store.release(run.source, run.id)
    log.info("run %s of %s %s%s", run.id, run.source, finished.status,
             f": {finished.error}" if finished.error else f" ({_counted(finished.counters)})")
    check_alerts(settings, store, finished)
    if finished.status == "succeeded":
        _send_match_digests(settings)
    return finished


def _send_match_digests(settings: Settings) -> None:
    """New pages may answer listings and searches someone asked to be told about."""
    try:
        report = send_match_digests(settings)
    except Exception:  # the run succeeded; a digest that fails is tried again after the next one
        log.exception("match digests were not sent")
        return
    if report is not None and report.alerts:
        log.info("match digests: %d sent with %d new matches", report.alerts, report.matches)


@contextlib.contextmanager
def renewing(store: RunStore, run: Run, every_s: float) -> Iterator[None]:
    """Renew the source's lock from acquiring it to releasing it, on a thread of its own: the
    bookkeeping after a crawl (its counters, the index's page count) can outlast a lease on a
    loaded machine, and another scheduler would then take the source over mid-run."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(every_s):
            try:
                store.heartbeat(run.source, run.id)
            except Exception:  # a database hiccup: the next beat tries again
                log.warning("could not renew the lock of %s", run.source, exc_info=True)

    beating = threading.Thread(target=renew, name=f"lease-{run.source}", daemon=True)
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join()


def _watch(settings: Settings, store: RunStore, run: Run, limits: RunLimits) -> Run:
    logs = settings.paths.run_logs
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{run.id}.log"
    started = time.monotonic()
    command = [sys.executable, "-m", "smesearch", "crawl", "--scheduled", run.source]
    with log_path.open("wb") as out:
        try:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**settings.child_environment(), "PYTHONIOENCODING": "utf-8"})
        except OSError as exc:
            return store.finish(run.id, "failed", {}, "", f"the crawl process could not start: {exc}", None)
        store.set_pid(run.id, process.pid)
        status, error = "", None
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if store.cancel_requested(run.id):
                status, error = "cancelled", "cancelled by an operator"
                _stop(process)
                break
            if elapsed > limits.time_limit_s:
                status, error = "failed", f"killed at its time limit of {limits.time_limit_s} s"
                _stop(process)
                break
            time.sleep(POLL_SECONDS)
    code = process.wait()
    tail = _tail(log_path)
    counters, crawl_error = _crawl_record(settings, run.source, run)
    if code == EXIT_SOURCE_BUSY and not status:
        # A crawl started elsewhere (the CLI) has the source: this run did nothing, and is no
        # failure to alert on; the crawl record is that other crawl's.
        return store.finish(run.id, "skipped", {}, tail, _last_error_line(tail), None)
    if not status:
        if code == 0:
            status = "succeeded"
        elif code < 0:
            status, error = "failed", f"the crawl process was killed by signal {-code} ({signal.Signals(-code).name})"
        else:
            status, error = "failed", crawl_error or _last_error_line(tail) or f"the crawl process exited with {code}"
    return store.finish(run.id, status, counters, tail, error, _documents(settings, run.source))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the crawl's whole process group (its analysis workers too), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def kill_leftover(run: Run) -> None:
    """The crawl of a run whose scheduler died keeps going on its own: stop it, if it is still the
    same process (its command line names the crawl of this source)."""
    if not run.pid:
        return
    try:
        cmdline = Path(f"/proc/{run.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if b"crawl" in cmdline and run.source.encode() in cmdline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(run.pid, signal.SIGKILL)


def _tail(path: Path, size: int = 8000) -> str:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - size))
        return f.read().decode("utf-8", "replace")


def _last_error_line(tail: str) -> str | None:
    lines = [line for line in tail.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:") or ": run failed" in line]
    picked = errors or lines[-1:]
    return picked[-1] if picked else None


def _counted(counters: dict[str, Any]) -> str:
    """A run's page counts as one phrase for its log line: 'fetched 120, new 3, updated 1, deleted 0'."""
    shown = ", ".join(f"{name} {counters[name]}" for name in ("fetched", "new", "updated", "deleted")
                      if name in counters)
    return shown or "no pages counted"


def _crawl_record(settings: Settings, source: str, run: Run) -> tuple[dict[str, object], str | None]:
    """The counters the crawl process recorded for this run in crawl.sqlite."""
    path = settings.paths.crawl_state
    if not path.exists():
        return {}, None
    state = CrawlState(path)
    try:
        records = state.runs(source, 1)
    finally:
        state.close()
    if not records or records[0].started_at < run.queued_at:
        return {}, None
    return records[0].counters, records[0].error


def _documents(settings: Settings, source: str) -> int | None:
    engine = Engine(settings)
    try:
        return engine.backend.stats().by_source.get(source, 0)
    except BackendError as exc:
        log.warning("no document count for %s: %s", source, exc)
        return None
    finally:
        engine.close()


def run_in_thread(settings: Settings, store: RunStore, run: Run, owner: str) -> threading.Thread:
    def target() -> None:
        try:
            execute(settings, store, run, owner)
        except Exception:
            log.exception("run %s of %s failed in the scheduler", run.id, run.source)
            store.finish(run.id, "failed", {}, "", "the scheduler failed while running it; see its log", None)
    thread = threading.Thread(target=target, name=f"run-{run.id}", daemon=True)
    thread.start()
    return thread
