"""One crawl run of one source, in a process of its own.

Twisted's reactor cannot be started twice in a process, and a crawl that hangs or crashes must
not take the caller with it, so `smesearch crawl`, the demo and (later) the scheduler run every
crawl as `python -m crawler.run SOURCE_ID`, which records the run and its counters in the crawl
state and exits 0 when the run succeeded.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.settings import Settings
from crawler.catalog import CatalogError, Source, load_catalog
from crawler.counters import RunCounters
from crawler.job import CrawlJob, RunFailed
from crawler.kinds import SOURCE_KINDS, WEB_KINDS
from crawler.runlock import EXIT_SOURCE_BUSY, SourceBusy, source_run_lock
from crawler.state import CrawlState, RunRecord
from engine import Engine
from indexer.backends.base import BackendError

if TYPE_CHECKING:
    from scrapy import Spider

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
log = logging.getLogger("smesearch.crawl")


def user_agent(settings: Settings) -> str:
    contact = settings.crawler_contact_url or "no contact URL configured: set SMESEARCH_CRAWLER_CONTACT_URL"
    return f"smesearch/{version('sme-market-search')} (SME market-expansion search; +{contact})"


def scrapy_settings(source: Source, settings: Settings, progress: bool = False) -> dict[str, Any]:
    """Scrapy settings for one source: our defaults, overridden by the source's politeness."""
    p = source.politeness
    return {
        "BOT_NAME": "smesearch",
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": p.obey_robots,
        "DOWNLOAD_DELAY": p.delay if p.delay is not None else settings.crawl_delay,
        "CONCURRENT_REQUESTS": 32,
        # Scrapy starts this many tasks for every response; a page yields one item and a few
        # requests, and the default (100) measured a third of the crawl process's time.
        "CONCURRENT_ITEMS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency or settings.crawl_concurrency,
        "AUTOTHROTTLE_ENABLED": p.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(p.delay if p.delay is not None else settings.crawl_delay, 0.1),
        "RETRY_ENABLED": settings.crawl_retries > 0,
        "RETRY_TIMES": settings.crawl_retries,
        "SMESEARCH_RETRY_BACKOFF": settings.crawl_retry_backoff,
        "DOWNLOAD_TIMEOUT": settings.crawl_timeout,
        "DNS_TIMEOUT": min(settings.crawl_timeout, 20),
        # getaddrinfo, so that IPv6 hosts and IPv6-literal start URLs are crawled (the default
        # resolver asks for IPv4 addresses only, and failed `http://[::1]/` as "dns").
        "TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingHostnameResolver",
        "DOWNLOAD_MAXSIZE": settings.crawl_max_page_bytes,
        "DOWNLOAD_WARNSIZE": settings.crawl_max_page_bytes // 2,
        "REDIRECT_MAX_TIMES": 10,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Breadth first, so that a page budget keeps the pages nearest the start.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.PrivateAddressGuard": 50,  # before robots.txt is fetched
            "crawler.middlewares.ConditionalRequests": 560,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetry": 550,
        },
        "EXTENSIONS": {
            "scrapy.extensions.throttle.AutoThrottle": None,
            "crawler.extensions.SourceThrottle": 0,
            "crawler.extensions.CrawlDelay": 0,
            "crawler.extensions.ResponseCounter": 0,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.IndexPipeline": 300},
        "SMESEARCH_PROGRESS": progress,
        "SMESEARCH_PROGRESS_INTERVAL_S": settings.progress_interval_s,
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": LOG_FORMAT,
        "REMOTE_CONTROL_ENABLED": False,
    }


def run_source(source: Source, settings: Settings, progress: bool = False,
               run_id_file: Path | None = None) -> RunCounters:
    """Crawl (or read) one source into the index and record the run. Call once per process.
    Raises SourceBusy, recording nothing, while another process crawls the same source."""
    with source_run_lock(settings.paths.run_locks, source.id):
        return _run_locked(source, settings, progress, run_id_file)


def _run_locked(source: Source, settings: Settings, progress: bool, run_id_file: Path | None) -> RunCounters:
    engine = Engine(settings)
    state = CrawlState(settings.paths.crawl_state)
    run_id = state.start_run(source.id)
    if run_id_file is not None:
        run_id_file.write_text(str(run_id), encoding="ascii")  # how the caller finds its own run
    job = CrawlJob(source, state, engine, workers=settings.crawl_workers,
                   batch_size=settings.crawl_batch_size)
    started = time.monotonic()
    try:
        kind = SOURCE_KINDS[source.kind]
        if kind.web:
            _crawl_web(job, settings, progress, kind.load())
        else:
            logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
            kind.load()(job)
        job.counters.duration_s = time.monotonic() - started
        if job.counters.fetched == 0 and job.counters.errors and source.kind != "database":
            kinds = ", ".join(f"{k} {v}" for k, v in job.counters.errors.items())
            raise RunFailed(f"no page could be fetched: {kinds}")
        if source.kind in WEB_KINDS and not job.counters.errors and job.counters.fetched <= 1 \
                and not job.counters.pages_seen:
            # Nothing failed and nothing but robots.txt came back: every request was filtered
            # before it left (robots.txt, the allowed domains, the private-address guard).
            raise RunFailed(f"no page was fetched: every start URL was filtered out (robots.txt "
                            f"{job.counters.skipped_by_robots}); check start_urls, allowed_domains and robots.txt")
    except (RunFailed, BackendError, OSError) as exc:
        job.counters.duration_s = time.monotonic() - started
        state.finish_run(run_id, "failed", job.counters.to_dict(), str(exc))
        raise RunFailed(str(exc)) from exc
    except BaseException as exc:
        job.counters.duration_s = time.monotonic() - started
        state.finish_run(run_id, "failed", job.counters.to_dict(),
                         "".join(traceback.format_exception_only(exc)).strip())
        raise
    finally:
        engine.close()
    state.finish_run(run_id, "succeeded", job.counters.to_dict())
    state.close()
    return job.counters


def _crawl_web(job: CrawlJob, settings: Settings, progress: bool, spider: type[Spider]) -> None:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(scrapy_settings(job.source, settings, progress))
    # Pages over the size limit are counted in the run's summary ("skipped: larger than the size
    # limit 2"); Scrapy also warned once per page, which the demo's trap pages showed unexplained.
    for name in ("scrapy.core.downloader.handlers.http11", "scrapy.downloadermiddlewares.httpcompression"):
        logging.getLogger(name).setLevel(logging.ERROR)
    process.crawl(spider, job=job)
    process.start()
    if job.failure:
        raise RunFailed(job.failure)


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    record: RunRecord | None  # None when the process recorded no run (see exit_code)
    exit_code: int | None  # None when the time limit stopped waiting

    @property
    def busy(self) -> bool:
        return self.exit_code == EXIT_SOURCE_BUSY


def crawl_in_subprocess(source_id: str, settings: Settings, catalog: Path | None, progress: bool = False,
                        timeout: float | None = None) -> CrawlOutcome:
    """Run one source's crawl as `python -m crawler.run` and return the run that process recorded
    (no record when it died before recording one, or when the source was busy)."""
    env = settings.model_copy(update={"catalog": catalog}).child_environment()
    with tempfile.TemporaryDirectory(prefix="smesearch-run-") as scratch:
        run_id_file = Path(scratch) / "run-id"
        command = [sys.executable, "-m", "crawler.run", source_id, "--run-id-file", str(run_id_file)]
        command += ["--progress"] if progress else []
        code: int | None = None
        # On a timeout the run record says "running"; the caller reports the time limit.
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = subprocess.run(command, env=env, timeout=timeout, check=False).returncode
        run_id = run_id_file.read_text(encoding="ascii") if run_id_file.exists() else ""
    if not run_id.isdigit():
        return CrawlOutcome(None, code)
    state = CrawlState(settings.paths.crawl_state)
    try:
        return CrawlOutcome(state.run(int(run_id)), code)
    finally:
        state.close()


def main(argv: list[str]) -> int:
    """`python -m crawler.run SOURCE_ID [--progress]`: settings come from SMESEARCH_* variables."""
    settings = Settings()
    source_id = argv[0]
    run_id_file = Path(argv[argv.index("--run-id-file") + 1]) if "--run-id-file" in argv else None
    try:
        source = load_catalog(settings.catalog).get(source_id)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    try:
        run_source(source, settings, progress="--progress" in argv, run_id_file=run_id_file)
    except SourceBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_SOURCE_BUSY
    except RunFailed as exc:
        print(f"error: source {source_id}: {exc}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:  # the crawl state or the lock could not be written
        print(f"error: source {source_id}: {exc} in {settings.data_dir}; is the disk full? Nothing of this run was "
              "recorded: free space and crawl again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
