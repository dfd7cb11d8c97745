"""Downloader middlewares of our crawls (enabled by `crawler.run.scrapy_settings`)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.job import job_of
from crawler.safety import address_reason, private_address_reason
from indexer.document import DocumentError, canonical_url


class PrivateAddressGuard:
    """Refuses requests to loopback, private and link-local addresses unless the source allows
    them, judging what a host name resolves to, so a public name pointing at 10.0.0.5 (or a
    redirect to 169.254.169.254) is refused too. Robots.txt, sitemap and redirect requests all
    pass through here."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        job = job_of(self.crawler)
        if job.source.allow_private:
            return
        host = urlparse_cached(request).hostname or ""
        if host not in self.verdicts:
            self.verdicts[host] = await _resolved_reason(host)
        reason = self.verdicts[host]
        if reason:
            raise IgnoreRequest(f"{host} is {reason}; the source must set allow_private to crawl it")


async def _resolved_reason(host: str) -> str | None:
    reason = private_address_reason(host)
    if reason:
        return reason
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None  # a public IP literal
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None  # let the download fail with the DNS error, counted as such
    for info in infos:
        found = address_reason(ipaddress.ip_address(info[4][0]))
        if found:
            return found
    return None


class ConditionalRequests:
    """Asks for pages with the validators of the last fetch (If-None-Match, If-Modified-Since),
    so an unchanged page costs a 304 and no body. Duplicates too: a duplicate answering 304 is
    still the same duplicate (when its original goes, its record goes with it; see the pipeline)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("smesearch_page"):
            return
        job = job_of(self.crawler)
        url = request.url  # canonical when the spider made it; a redirect's target may not be
        if request.meta.get("redirect_times"):
            try:
                url = canonical_url(url)
            except DocumentError:
                return
        known = job.state.validators(job.source.id, url)
        if known is None:
            return
        etag, last_modified = known.etag, known.last_modified
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode("latin-1"))


class BackoffRetry(RetryMiddleware):
    """Scrapy's retries (5xx, 408, 429, timeouts, resets), each after a wait that doubles: one
    second, then two, ... (`SMESEARCH_CRAWL_RETRY_BACKOFF`), or what the server's Retry-After
    asks, up to a minute. A struggling server gets room instead of the same request again at once."""

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._wait(result, response.headers.get(b"Retry-After")))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._wait(result, None))
        return result

    def _wait(self, retry: Request, retry_after: bytes | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_BACKOFF_S)
        base = self.crawler.settings.getfloat("SMESEARCH_RETRY_BACKOFF", 1.0)
        return min(base * 2 ** (retry.meta.get("retry_times", 1) - 1), MAX_BACKOFF_S)


MAX_BACKOFF_S = 60.0
