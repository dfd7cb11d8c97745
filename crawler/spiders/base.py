"""What every web spider of a source shares: the page budget, the catalog's URL patterns, the
answers to conditional requests, and turning failures into counted kinds of error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.extract import not_a_page_reason
from crawler.job import CrawlJob
from crawler.pages import FetchedPage
from indexer.document import DocumentError, canonical_url

PAGE_META = "smesearch_page"  # requests for pages (not robots.txt, sitemaps or feeds)


@dataclass(slots=True)
class PageItem:
    """A fetched page on its way to the index pipeline."""

    page: FetchedPage
    links: list[str]  # outgoing links, remembered for the next run's 304 answer
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: str | None = None


@dataclass(slots=True)
class GoneItem:
    """A page that answered 404 or 410: its document leaves the index."""

    url: str
    status: int


class SourceSpider(scrapy.Spider):
    name = "source"
    handle_httpstatus_list = [304, 404, 410]  # noqa: RUF012 (Scrapy reads it as a class attribute)

    def __init__(self, job: CrawlJob, **kwargs: Any) -> None:
        super().__init__(name=f"source-{job.source.id}", **kwargs)
        self.job = job
        self.allowed_domains = list(job.source.allowed_domains)
        self.requested: set[str] = set()

    def page_request(self, url: str, callback: Callable[..., Any] | None = None, **meta: Any) -> Request | None:
        """A request for a page of this source, or None when the URL is out of bounds or the page
        budget (`max_pages`) is spent."""
        try:
            url = canonical_url(url)
        except DocumentError:
            return None
        if url in self.requested or not self.job.wants(url):
            return None
        if len(self.requested) >= self.job.source.max_pages:
            return None
        self.requested.add(url)
        return Request(url, callback=callback or self.parse, errback=self.failed, meta={PAGE_META: True, **meta})

    def page_response(self, response: Response, links: Callable[[], list[str]],
                      published_hint: datetime | None = None, sitemap_lastmod: str | None = None) -> Iterator[Any]:
        """The item and follow-up requests of a page response, whatever its status."""
        job = self.job
        # Requests are made for canonical URLs; only a redirect can bring another form.
        url = canonical_url(response.url) if response.meta.get("redirect_urls") else response.url
        if response.status == 304:
            job.counters.not_modified += 1
            prior = job.state.page(job.source.id, url)
            yield from self._follow_links(prior.links if prior else [], response)
            return
        if response.status in (404, 410):
            job.counters.errors[f"http_{response.status}"] += 1
            yield GoneItem(url, response.status)
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        reason = not_a_page_reason(content_type, response.body)
        if reason:
            job.counters.skipped[reason] += 1
            return
        found = links()
        yield PageItem(
            FetchedPage(url=url, body=response.body, content_type=content_type, source=job.source.id,
                        group=job.source.group, known_hash=None, published_hint=published_hint),
            found,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            sitemap_lastmod=sitemap_lastmod,
        )
        yield from self._follow_links(found, response)

    def _follow_links(self, links: list[str], response: Response) -> Iterator[Request]:
        if response.meta.get("depth", 0) >= self.job.source.max_depth:
            return
        for link in links:
            request = self.page_request(link)
            if request is not None:
                yield request

    def failed(self, failure: Failure) -> None:
        counters = self.job.counters
        kind = error_kind(failure)
        if kind == "robots":
            counters.skipped_by_robots += 1
        elif kind == "too_large":
            counters.skipped["larger than the size limit"] += 1
        else:
            counters.errors[kind] += 1
        self.logger.info("%s: %s (%s)", kind, failure.request.url if hasattr(failure, "request") else "",  # type: ignore[attr-defined]
                         failure.getErrorMessage())


def error_kind(failure: Failure) -> str:
    """A short, stable name for why a request failed: the keys of the run's error counters."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        message = str(exc).lower()
        if "robots.txt" in message:
            return "robots"
        if "max redirections" in message:
            return "redirect_loop"
        if "max size" in message or "download_maxsize" in message or "larger than" in message:
            return "too_large"
        if "private" in message or "loopback" in message or "link-local" in message or "public internet" in message:
            return "private_address"
        return "ignored"
    kinds: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
        ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
        ((DownloadConnectionRefusedError, tx_error.ConnectionRefusedError), "connection_refused"),
        ((DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError), "timeout"),
        (DownloadCancelledError, "too_large"),
        ((ResponseDataLossError, ResponseFailed, tx_error.ConnectionLost, DownloadFailedError,
          tx_error.ConnectionDone), "connection_reset"),
    )
    for types, name in kinds:
        if isinstance(exc, types):
            return name
    return type(exc).__name__


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
