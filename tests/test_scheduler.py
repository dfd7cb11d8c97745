"""The scheduler as operators run it: `smesearch scheduler` processes on a shared job store
(SQLite, and a real PostgreSQL server under CI), crawling real sites on 127.0.0.1 in crawl
subprocesses, with every run recorded. The fault cases: a scheduler killed mid-run, a run that
hangs, a crawl that crashes, two schedulers on one store, invalid schedules, and alerts."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from config.settings import Settings
from crawler.demo_network.server import Resource, SiteServer
from scheduler.alerts import check_alerts
from scheduler.runner import renewing
from scheduler.schedules import ScheduleBook
from scheduler.service import TICK_SECONDS
from scheduler.store import Run, RunStore, process_owner
from tests.helpers import run as cli

LISTINGS = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))


def page(title: str, links: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (f"<html lang=en><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>Auto parts supplier seeks partners. {anchors}</p></body></html>").encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A job store of its own per test: a SQLite file, or a fresh database on the CI server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scheduler.sqlite'}"
        return
    server = os.environ.get("SMESEARCH_TEST_PG_URL")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("SMESEARCH_TEST_PG_URL is not set: .ci/run must start PostgreSQL")
        pytest.skip("PostgreSQL not started (set SMESEARCH_TEST_PG_URL, as .ci/run does)")
    name = f"sched_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as db:
        db.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@dataclass
class Deployment:
    """A data directory, a catalog of test sources and the environment every process shares."""

    root: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]]

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.root / "data", scheduler_db=self.env["SMESEARCH_SCHEDULER_DB"],
                        catalog=self.root / "catalog.yaml")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return cli(self.root / "data", *args, env=self.env)

    def start_scheduler(self, **env: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"scheduler-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "smesearch", "scheduler"], stdout=log,
                                   stderr=subprocess.STDOUT, env={**os.environ, **self.env, **env})
        self.processes.append(process)
        return process

    def store(self) -> RunStore:
        return RunStore(self.env["SMESEARCH_SCHEDULER_DB"])

    def wait_for(self, condition: Callable[[RunStore], Any], timeout: float = 90, what: str = "") -> Any:
        store = self.store()
        try:
            deadline = time.monotonic() + timeout
            while True:
                found = condition(store)
                if found:
                    return found
                if time.monotonic() > deadline:
                    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in self.root.glob("scheduler-*.log"))
                    raise AssertionError(f"timed out waiting for {what}; runs: {store.find(limit=10)}\n{logs}")
                time.sleep(0.3)
        finally:
            store.close()


@pytest.fixture
def deployment(tmp_path: Path, database: str) -> Iterator[Deployment]:
    slow = SiteServer({"/": Resource(page("Slow index", tuple(f"/p{n}.html" for n in range(40)))),
                       **{f"/p{n}.html": Resource(page(f"Slow page {n}"), delay=0.5) for n in range(40)}}).start()
    hang = SiteServer({"/": Resource(page("Hanging"), delay=600)}).start()
    origin = {"slow": slow.url, "hang": hang.url}

    def site(source_id: str) -> dict[str, Any]:
        return {"id": source_id, "name": {"zh": source_id, "en": source_id, "ja": source_id}, "group": "other",
                "kind": "site", "start_urls": [origin[source_id] + "/"], "allow_private": True, "max_depth": 1,
                "politeness": {"delay": 0, "concurrency": 1, "autothrottle": False}}

    catalog = {"sources": [
        {"id": "listings", "name": {"zh": "样例", "en": "Samples", "ja": "サンプル"}, "group": "shenyang",
         "kind": "jsonl", "start_urls": [str(LISTINGS)], "schedule": "every 10m"},
        {"id": "broken", "name": {"zh": "坏", "en": "Broken", "ja": "壊"}, "group": "other", "kind": "jsonl",
         "start_urls": [str(tmp_path / "missing.jsonl")]},
        site("slow"), site("hang"),
    ]}
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    env = {"SMESEARCH_DATA_DIR": str(tmp_path / "data"), "SMESEARCH_CATALOG": str(tmp_path / "catalog.yaml"), "SMESEARCH_SCHEDULER_DB": database,
           "SMESEARCH_SCHEDULER_LEASE_S": "3", "SMESEARCH_CRAWL_TIMEOUT": "900", "SMESEARCH_CRAWL_WORKERS": "0",
           "SMESEARCH_TRANSLATION_HOOK": "", "SMESEARCH_CRAWL_RETRIES": "0"}
    made = Deployment(tmp_path, env, [])
    yield made
    for process in made.processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    for leftover in made.store().find(status="running", limit=20):
        if leftover.pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(leftover.pid, signal.SIGKILL)
    slow.stop()
    hang.stop()


def test_schedules_survive_restarts_and_bad_ones_are_refused_with_a_reason(deployment: Deployment) -> None:
    added = deployment.cli("schedule", "add", "listings", "--every", "6h", "--jitter", "30")
    assert added.returncode == 0, added.stderr
    assert "listings: every 6h, next run" in added.stdout
    assert deployment.cli("schedule", "add", "slow", "--cron", "0 3 * * mon-fri").returncode == 0
    bad = deployment.cli("schedule", "add", "slow", "--cron", "0 25 * * *")
    assert bad.returncode == 1
    assert "invalid cron expression '0 25 * * *'" in bad.stderr and "Traceback" not in bad.stderr
    assert "neither 'every N s|m|h|d' nor a five-field cron" in deployment.cli(
        "schedule", "add", "slow", "--cron", "at dawn").stderr
    assert "no source 'nowhere'" in deployment.cli("schedule", "add", "nowhere", "--every", "1h").stderr
    assert deployment.cli("schedule", "pause", "listings").returncode == 0
    # A new process (as after a restart) reads the same schedules from the job store.
    book = ScheduleBook(deployment.env["SMESEARCH_SCHEDULER_DB"])
    try:
        schedules = {s.source: s for s in book.schedules()}
    finally:
        book.close()
    assert schedules["listings"].paused and schedules["listings"].jitter_s == 30
    assert schedules["slow"].expression == "0 3 * * mon-fri" and not schedules["slow"].paused
    listed = deployment.cli("schedule", "list").stdout
    assert "listings" in listed and "paused" in listed and "0 3 * * mon-fri" in listed


def test_a_scheduled_source_is_crawled_and_its_run_recorded(deployment: Deployment) -> None:
    assert deployment.cli("schedule", "add", "listings", "--every", "2s").returncode == 0
    deployment.start_scheduler()
    run = deployment.wait_for(lambda s: next(iter(s.find("listings", "succeeded", 1)), None), what="a run")
    assert run.trigger == "schedule" and run.counters["fetched"] == 36 and run.counters["new"] == 36
    assert run.documents == 36 and "listings: crawling jsonl" in run.log_tail
    assert f"{run.id:>6} listings             succeeded" in deployment.cli("runs", "list").stdout
    assert '"fetched": 36' in deployment.cli("runs", "show", str(run.id)).stdout
    # The crawl process the run started records nothing of its own: one run per firing.
    assert {r.trigger for r in deployment.store().find("listings")} == {"schedule"}
    time.sleep(2 * TICK_SECONDS)  # wake-ups that APScheduler would have logged
    deployment.processes[0].terminate()
    deployment.processes[0].wait(30)
    lines = [json.loads(line) for line in (deployment.root / "scheduler-0.log").read_text().splitlines()
             if line.startswith("{")]
    said = [(line["logger"], line["message"]) for line in lines]
    # A line as each run starts and ends, one per firing skipped, none per wake-up.
    assert ("smesearch.scheduler", f"run {run.id} of listings started (schedule)") in said
    assert ("smesearch.scheduler", f"run {run.id} of listings succeeded (fetched 36, new 36, updated 0, "
                                   "deleted 0)") in said
    assert [entry for entry in said if entry[0].startswith("apscheduler")] == []
    assert all(message.startswith(("scheduler ", "run ", "scheduled run of listings skipped: its previous run"))
               for _, message in said), said


def test_a_crawl_from_the_command_line_is_a_run_too(deployment: Deployment) -> None:
    crawled = deployment.cli("crawl", "listings")
    assert crawled.returncode == 0, crawled.stderr
    (run,) = deployment.store().find("listings")
    assert (run.trigger, run.status, run.counters["fetched"]) == ("cli", "succeeded", 36)
    assert run.started_at is not None and run.ended_at is not None and run.started_at <= run.ended_at
    assert f"{run.id:>6} listings             succeeded" in deployment.cli("runs", "list").stdout
    failed = deployment.cli("crawl", "broken")  # its file is missing
    assert failed.returncode != 0
    assert [(r.trigger, r.status) for r in deployment.store().find("broken")] == [("cli", "failed")]


def test_run_now_is_picked_up_and_a_running_crawl_can_be_cancelled(deployment: Deployment) -> None:
    deployment.start_scheduler(SMESEARCH_LOG_LEVEL="WARNING")  # and says nothing below a warning
    queued = deployment.cli("schedule", "run", "slow")
    assert queued.returncode == 0 and "queued" in queued.stdout
    running = deployment.wait_for(lambda s: next(iter(s.find("slow", "running", 1)), None), what="the run to start")
    deployment.wait_for(lambda s: (s.get(running.id) or running).pid, what="its crawl process")
    pid = deployment.store().get(running.id).pid  # type: ignore[union-attr]
    deployment.store().request_cancel(running.id)
    done = deployment.wait_for(lambda s: (r := s.get(running.id)) and r.status == "cancelled" and r, what="cancel")
    assert done.error == "cancelled by an operator"
    assert not _alive(pid)
    logged = (deployment.root / "scheduler-0.log").read_text()
    assert '"level": "INFO"' not in logged and "scheduler: " in logged  # its own start line is not a log line


def test_a_run_that_hangs_is_killed_at_its_time_limit(deployment: Deployment) -> None:
    deployment.start_scheduler(SMESEARCH_RUN_TIME_LIMIT_S="4")
    queued = deployment.store().enqueue("hang")
    done = deployment.wait_for(lambda s: (r := s.get(queued.id)) and r.status == "failed" and r, what="the kill")
    assert done.error == "killed at its time limit of 4 s"
    assert 4 <= (done.duration_s or 0) < 30
    assert not _alive(done.pid)


def test_a_crawl_process_that_crashes_fails_its_run_and_not_the_scheduler(deployment: Deployment) -> None:
    scheduler = deployment.start_scheduler()
    queued = deployment.store().enqueue("slow")
    deployment.wait_for(lambda s: (r := s.get(queued.id)) and r.pid and r.status == "running", what="the crawl")
    os.kill(deployment.store().get(queued.id).pid, signal.SIGKILL)  # type: ignore[union-attr, arg-type]
    done = deployment.wait_for(lambda s: (r := s.get(queued.id)) and r.status == "failed" and r, what="the failure")
    assert done.error == "the crawl process was killed by signal 9 (SIGKILL)"
    assert scheduler.poll() is None
    # The scheduler goes on: a broken source fails with the crawler's own reason.
    broken = deployment.store().enqueue("broken")
    failed = deployment.wait_for(lambda s: (r := s.get(broken.id)) and r.status == "failed" and r, what="broken")
    assert "missing.jsonl" in (failed.error or "")


def test_a_killed_scheduler_leaves_a_failed_run_and_the_next_one_starts_on_time(deployment: Deployment) -> None:
    first = deployment.start_scheduler()
    queued = deployment.store().enqueue("slow")
    deployment.wait_for(lambda s: (r := s.get(queued.id)) and r.pid and r.status == "running", what="the crawl")
    crawl_pid = deployment.store().get(queued.id).pid  # type: ignore[union-attr]
    first.kill()
    first.wait(10)
    assert deployment.cli("schedule", "add", "listings", "--every", "3s").returncode == 0
    deployment.start_scheduler()
    recovered = deployment.wait_for(lambda s: (r := s.get(queued.id)) and r.status == "failed" and r,
                                    what="recovery")
    assert recovered.error == "the scheduler stopped during the run (recovered by the next scheduler)"
    deployment.wait_for(lambda _: not _alive(crawl_pid), timeout=20, what="the orphaned crawl to stop")
    deployment.wait_for(lambda s: s.find("listings", "succeeded", 1), what="the next scheduled run")
    # The source's lock went with the failed run: slow can run again.
    again = deployment.store().enqueue("slow")
    deployment.wait_for(lambda s: (r := s.get(again.id)) and r.status == "running", what="slow again")


def test_two_schedulers_on_one_job_store_never_run_a_source_twice_at_once(deployment: Deployment) -> None:
    assert deployment.cli("schedule", "add", "listings", "--every", "1s").returncode == 0
    deployment.start_scheduler()
    deployment.start_scheduler()
    deployment.wait_for(lambda s: len(s.find("listings", "succeeded", 10)) >= 3, timeout=150, what="three runs")
    runs = [r for r in deployment.store().find("listings", limit=200) if r.started_at is not None]
    spans = sorted((r.started_at, r.ended_at or r.started_at) for r in runs)  # type: ignore[misc]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, "two runs of one source overlapped"
    owners = {r.owner.split(":")[1] for r in deployment.store().find("listings", limit=200) if r.owner}
    assert len(owners) == 2  # both schedulers fired; the lock kept them apart
    skipped = deployment.store().find("listings", "cancelled", 200)
    assert skipped and all(r.error == "skipped: another run of this source was in progress" for r in skipped)


def test_a_run_keeps_its_lock_for_longer_than_a_lease_while_it_lasts(database: str) -> None:
    """The lock is renewed from acquiring to releasing, bookkeeping after the crawl included (a
    two-scheduler run once overlapped when counting the index outlasted the lease)."""
    store = RunStore(database)
    try:
        lease = timedelta(seconds=1)
        mine, theirs = store.enqueue("listings"), store.enqueue("listings")
        assert store.acquire("listings", mine.id, process_owner("a"), lease)
        with renewing(store, mine, 0.2):
            time.sleep(2.5)  # more than two leases without a word from the run itself
            assert not store.acquire("listings", theirs.id, process_owner("b"), lease)
        time.sleep(1.5)  # renewal stopped with the run: the lease runs out
        assert store.acquire("listings", theirs.id, process_owner("b"), lease)
    finally:
        store.close()


def test_repeated_failures_raise_one_alert_and_post_it_to_the_webhook(deployment: Deployment) -> None:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        webhook = f"http://127.0.0.1:{server.server_address[1]}/alerts"
        env = {**deployment.env, "SMESEARCH_ALERT_WEBHOOK_URL": webhook, "SMESEARCH_ALERT_FAILURES": "2"}

        def fail_once(**extra: str) -> None:
            done = cli(deployment.root / "data", "schedule", "run", "broken", "--wait", env={**env, **extra})
            assert done.returncode != 0 and "Traceback" not in done.stderr

        store = deployment.store()
        fail_once()
        assert store.alerts("broken") == []  # one failure is not yet a pattern
        fail_once()
        alert = store.alerts("broken")[0]
        assert alert.kind == "failures" and "the last 2 runs failed" in alert.message
        # The webhook is on a loopback address: refused unless allowed, and the console says why.
        assert not alert.delivered and "is a loopback address" in (alert.delivery_error or "")
        assert received == []
        fail_once(SMESEARCH_ALERT_FAILURES="3", SMESEARCH_ALERT_WEBHOOK_ALLOW_PRIVATE="true")
        alert = store.alerts("broken")[0]
        assert alert.delivered and "the last 3 runs failed" in alert.message
        assert received == [{"source": "broken", "kind": "failures", "text": alert.message, "run_id": alert.run_id,
                             "created_at": alert.created_at.isoformat()}]
        fail_once(SMESEARCH_ALERT_FAILURES="3", SMESEARCH_ALERT_WEBHOOK_ALLOW_PRIVATE="true")
        assert len(store.alerts("broken")) == 2 and len(received) == 1  # one alert per streak, not one per run
        store.close()
    finally:
        server.shutdown()


def test_a_page_count_that_halves_between_runs_raises_an_alert(deployment: Deployment) -> None:
    store = deployment.store()
    settings = deployment.settings

    def finished(documents: int) -> Run:
        run = store.enqueue("listings")
        store.start(run.id, "test", None, 60)
        return store.finish(run.id, "succeeded", {}, "", None, documents)

    assert check_alerts(settings, store, finished(100)) == []
    assert check_alerts(settings, store, finished(60)) == []  # fell, but not by half
    raised = check_alerts(settings, store, finished(20))
    assert [a.kind for a in raised] == ["page_drop"] and "fell from 60 to 20" in raised[0].message
    store.close()


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
