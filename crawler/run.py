"""One crawl run of one source, in a process of its own.

Twisted's reactor cannot be started twice in a process, and a crawl that hangs or crashes must
not take the caller with it, so `smesearch crawl`, the demo and (later) the scheduler run every
crawl as `python -m crawler.run SOURCE_ID`, which records the run and its counters in the crawl
state and exits 0 when the run succeeded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from crawler.catalog import CatalogError, Source, load_catalog
from crawler.counters import RunCounters
from crawler.database import DatabaseSourceError, RowErrors, database_documents
from crawler.job import CrawlJob
from crawler.state import STATE_FILE, CrawlState, RunRecord
from indexer.backends.base import BackendError
from indexer.document import Document
from indexer.importer import LineErrors, read_jsonl
from smesearch.settings import Settings
from smesearch.wiring import App

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
log = logging.getLogger("smesearch.crawl")


class RunFailed(RuntimeError):
    """The run could not do its job; the message says why, for the run record and the operator."""


def state_path(settings: Settings) -> Path:
    return settings.data_dir / STATE_FILE


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
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": LOG_FORMAT,
        "REMOTE_CONTROL_ENABLED": False,
    }


def run_source(source: Source, settings: Settings, progress: bool = False) -> RunCounters:
    """Crawl (or read) one source into the index and record the run. Call once per process."""
    app = App(settings)
    state = CrawlState(state_path(settings))
    run_id = state.start_run(source.id)
    job = CrawlJob(source, state, app, workers=settings.crawl_workers,
                   batch_size=settings.crawl_batch_size)
    started = time.monotonic()
    try:
        if source.kind in ("site", "sitemap", "feed"):
            _crawl_web(job, settings, progress)
        else:
            logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
            _read_database(job) if source.kind == "database" else _read_jsonl(job)
        job.counters.duration_s = time.monotonic() - started
        if job.counters.fetched == 0 and job.counters.errors and source.kind != "database":
            kinds = ", ".join(f"{k} {v}" for k, v in job.counters.errors.items())
            raise RunFailed(f"no page could be fetched: {kinds}")
    except (RunFailed, DatabaseSourceError, BackendError, OSError) as exc:
        job.counters.duration_s = time.monotonic() - started
        state.finish_run(run_id, "failed", job.counters.to_dict(), str(exc))
        raise RunFailed(str(exc)) from exc
    except BaseException as exc:
        job.counters.duration_s = time.monotonic() - started
        state.finish_run(run_id, "failed", job.counters.to_dict(),
                         "".join(traceback.format_exception_only(exc)).strip())
        raise
    finally:
        app.close()
    state.finish_run(run_id, "succeeded", job.counters.to_dict())
    state.close()
    return job.counters


def _crawl_web(job: CrawlJob, settings: Settings, progress: bool) -> None:
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders import SPIDERS

    process = CrawlerProcess(scrapy_settings(job.source, settings, progress))
    process.crawl(SPIDERS[job.source.kind], job=job)
    process.start()
    if job.failure:
        raise RunFailed(job.failure)


def _read_database(job: CrawlJob) -> None:
    errors = RowErrors()
    report = job.app.indexer.index(database_documents(job.source, errors), batch_size=job.batch_size)
    job.counters.fetched = errors.rows
    job.counters.new, job.counters.updated, job.counters.unchanged = report.added, report.updated, report.unchanged
    if errors.errors:
        job.counters.errors["bad_row"] += len(errors.errors)
        for number, message in errors.errors[:20]:
            log.warning("source %s: row %d: %s", job.source.id, number, message)


def _read_jsonl(job: CrawlJob) -> None:
    for location in job.source.start_urls:
        path = Path(location.removeprefix("file://"))
        errors = LineErrors()
        try:
            with path.open("rb") as stream:
                report = job.app.indexer.index(_owned(read_jsonl(stream, errors), job.source.id),
                                               batch_size=job.batch_size)
        except OSError as exc:
            raise RunFailed(f"cannot read {path}: {exc.strerror}") from None
        job.counters.fetched += report.added + report.updated + report.unchanged + len(errors.errors)
        job.counters.new += report.added
        job.counters.updated += report.updated
        job.counters.unchanged += report.unchanged
        if errors.errors:
            job.counters.errors["bad_line"] += len(errors.errors)


def _owned(documents: Iterator[Document], source_id: str) -> Iterator[Document]:
    """Documents a catalog source brings in belong to it (their counts, alerts and deletion go by
    source), whatever the file's rows say."""
    for doc in documents:
        if doc.source != source_id:
            doc.source = source_id
            doc.content_hash = doc.compute_hash()
        yield doc


def crawl_in_subprocess(source_id: str, settings: Settings, catalog: Path | None, progress: bool = False,
                        timeout: float | None = None) -> RunRecord | None:
    """Run one source's crawl as `python -m crawler.run` and return its run record (None when the
    process died before recording one: a bad catalog, a crash at start-up)."""
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(settings.data_dir.resolve()), "SMESEARCH_BACKEND": settings.backend,
           "SMESEARCH_LANG_DETECTOR": settings.lang_detector}
    env.pop("SMESEARCH_CATALOG", None)
    if catalog is not None:
        env["SMESEARCH_CATALOG"] = str(catalog.resolve())
    state = CrawlState(state_path(settings))
    try:
        before = state.runs(source_id, limit=1)
        command = [sys.executable, "-m", "crawler.run", source_id] + (["--progress"] if progress else [])
        # On a timeout the run record says "running"; the caller reports the time limit.
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(command, env=env, timeout=timeout, check=False)
        after = state.runs(source_id, limit=1)
        return after[0] if after and (not before or after[0].id != before[0].id) else None
    finally:
        state.close()


def main(argv: list[str]) -> int:
    """`python -m crawler.run SOURCE_ID [--progress]`: settings come from SMESEARCH_* variables."""
    settings = Settings()
    source_id = argv[0]
    try:
        source = load_catalog(settings.catalog).get(source_id)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    try:
        run_source(source, settings, progress="--progress" in argv)
    except RunFailed as exc:
        print(f"error: source {source_id}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
