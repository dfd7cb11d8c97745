"""Scrapy extensions of our crawls: robots.txt Crawl-delay, a throttle that respects it, the
response counters and the progress display."""

from __future__ import annotations

import sys
import time
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from tqdm import tqdm

from crawler.job import job_of


class CrawlDelay:
    """Scrapy obeys robots.txt's Allow and Disallow but not its Crawl-delay; this applies it to the
    host's download slot (as a floor: neither AutoThrottle nor our default goes below it)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.floors: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.crawl_delays = extension.floors  # type: ignore[attr-defined]
        return extension

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        agent = self.crawler.settings.get("USER_AGENT", "")
        delay = robotparser.crawl_delay(agent) if hasattr(robotparser, "crawl_delay") else None
        if not delay:
            return
        delay = min(float(delay), self.crawler.settings.getfloat("SMESEARCH_MAX_CRAWL_DELAY", 60.0))
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        self.floors[key] = delay
        # Without jitter, so that no two requests come closer than the site asked; kept in the
        # per-slot settings too, since Scrapy rebuilds a slot that has been idle for a minute.
        current = downloader.per_slot_settings.get(key, {})
        downloader.per_slot_settings[key] = {**current, "delay": max(delay, current.get("delay", 0)), "jitter": 0}
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0


class SourceThrottle(AutoThrottle):
    """AutoThrottle that never goes below a host's robots.txt Crawl-delay."""

    def _adjust_delay(self, slot, latency, response):  # type: ignore[no-untyped-def]
        super()._adjust_delay(slot, latency, response)
        floors: dict[str, float] = getattr(self.crawler, "crawl_delays", {})
        if floors:
            assert self.crawler.engine is not None
            key = next((k for k, s in self.crawler.engine.downloader.slots.items() if s is slot), None)
            slot.delay = max(slot.delay, floors.get(key or "", 0.0))


class ResponseCounter:
    """Counts responses and bytes, and shows progress: a bar on a terminal, a line every
    SMESEARCH_PROGRESS_INTERVAL_S (10 s) otherwise."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.bar: tqdm[None] | None = None
        self.last_line = time.monotonic()
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def response_received(self, response: Response, request: Request) -> None:
        job = job_of(self.crawler)
        job.counters.fetched += 1
        job.counters.bytes += len(response.body)
        if not self.crawler.settings.getbool("SMESEARCH_PROGRESS"):
            return
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = tqdm(desc=job.source.id, unit=" pages", total=job.source.max_pages)
            self.bar.update(1)
        elif time.monotonic() - self.last_line >= self.crawler.settings.getfloat("SMESEARCH_PROGRESS_INTERVAL_S", 10):
            self.last_line = time.monotonic()
            c = job.counters
            # Pages reach the index in batches (crawl_batch_size), so "new" lags "fetched": the
            # line says so, rather than a "0 new" that the run's summary then contradicts.
            print(f"{job.source.id}: {c.fetched} fetched, {sum(c.errors.values())} errors; indexed so far: "
                  f"{c.new} new, {c.updated} updated", file=sys.stderr, flush=True)

    def spider_closed(self) -> None:
        if self.bar is not None:
            self.bar.close()
