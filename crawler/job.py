"""One crawl run of one source: what the spider, middlewares, extensions and pipeline share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crawler.catalog import Source
from crawler.counters import RunCounters
from crawler.state import CrawlState
from engine import Engine


class RunFailed(RuntimeError):
    """The run could not do its job; the message says why, for the run record and the operator."""


@dataclass(slots=True)
class CrawlJob:
    source: Source
    state: CrawlState
    engine: Engine  # the backend, and the indexer when analysis runs in the crawl process
    counters: RunCounters = field(default_factory=RunCounters)
    workers: int = 0  # analysis processes beside the crawl; 0 analyses in the crawl process
    batch_size: int = 250  # documents per index write
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    failure: str | None = None  # set when the run must stop and be recorded as failed

    def __post_init__(self) -> None:
        self.include = [re.compile(p) for p in self.source.include]
        self.exclude = [re.compile(p) for p in self.source.exclude]

    def wants(self, url: str) -> bool:
        """Whether the catalog's include and exclude patterns let `url` in."""
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


def job_of(crawler: Any) -> CrawlJob:
    """The job a Scrapy component serves: the spider carries it (Scrapy deep-copies settings, so
    they cannot hold a job with an open database)."""
    job: CrawlJob = crawler.spider.job
    return job
