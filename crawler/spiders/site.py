"""The generic site spider: from the start pages, every link within the source's domains and
patterns, breadth first, to `max_depth` and `max_pages` (which is what stops calendars and other
endless link spaces)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor

from crawler.job import CrawlJob
from crawler.spiders.base import SourceSpider

_NOT_PAGES = tuple(f".{e}" for e in IGNORED_EXTENSIONS)


class SiteSpider(SourceSpider):
    def __init__(self, job: CrawlJob, **kwargs: Any) -> None:
        super().__init__(job, **kwargs)
        # Domains are checked here rather than by LinkExtractor, which compares them with the host
        # and port and so never matches a site on a non-default port.
        self.links = LinkExtractor(deny_extensions=[], unique=True)
        self.domains = tuple(d.lower() for d in job.source.allowed_domains)
        self.binary_links: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for url in self.job.source.start_urls:
            request = self.page_request(url)
            if request is not None:
                yield request

    def parse(self, response: Response, **_: Any) -> Iterator[Any]:
        yield from self.page_response(response, lambda: self._links_of(response))

    def _links_of(self, response: Response) -> list[str]:
        if not isinstance(response, TextResponse):
            return []
        found = []
        for link in self.links.extract_links(response):
            host = (urlsplit(link.url).hostname or "").lower()
            if self.domains and not any(host == d or host.endswith(f".{d}") for d in self.domains):
                continue
            if urlsplit(link.url).path.lower().endswith(_NOT_PAGES):
                # PDFs, images and archives are not fetched at all; each is counted once.
                if link.url not in self.binary_links and self.job.wants(link.url):
                    self.binary_links.add(link.url)
                    self.job.counters.skipped["not a text page (link to a file)"] += 1
                continue
            found.append(link.url)
        return found
