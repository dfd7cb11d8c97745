"""The sitemap spider: the pages a site lists in its sitemaps (sitemap indexes and the sitemaps
announced in robots.txt included), fetched again only when `lastmod` says they changed, or, for
entries without one, when their `changefreq` period has passed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.http import Request, Response
from scrapy.spiders import SitemapSpider

from crawler.job import CrawlJob
from crawler.spiders.base import SourceSpider
from indexer.document import DocumentError, canonical_url

CHANGEFREQ = {
    "always": timedelta(0), "hourly": timedelta(hours=1), "daily": timedelta(days=1),
    "weekly": timedelta(weeks=1), "monthly": timedelta(days=30), "yearly": timedelta(days=365),
    "never": timedelta(days=3650),
}


class SourceSitemapSpider(SourceSpider, SitemapSpider):
    def __init__(self, job: CrawlJob, **kwargs: Any) -> None:
        # A bare site address means "the sitemaps its robots.txt announces".
        self.sitemap_urls = [_robots_if_root(u) for u in job.source.start_urls]
        super().__init__(job, **kwargs)
        self.lastmods: dict[str, str | None] = {}

    async def start(self) -> AsyncIterator[Any]:
        for url in self.sitemap_urls:
            yield Request(url, callback=self._parse_sitemap, errback=self.failed, dont_filter=True)

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        if getattr(entries, "type", "") == "sitemapindex":
            yield from entries
            return
        job, now = self.job, datetime.now(UTC)
        for entry in entries:
            try:
                url = canonical_url(entry.get("loc", ""))
            except DocumentError:
                continue
            lastmod = entry.get("lastmod")
            prior = job.state.page(job.source.id, url)
            if prior is not None and prior.duplicate_of is None:
                period = CHANGEFREQ.get(str(entry.get("changefreq", "")).strip().lower())
                if (lastmod and prior.sitemap_lastmod == lastmod) or (
                        not lastmod and period is not None and prior.fetched_at + period > now):
                    job.counters.skipped_by_lastmod += 1
                    continue
            self.lastmods[url] = lastmod
            yield entry

    def _parse_sitemap(self, response: Response) -> Iterator[Request]:  # type: ignore[override]
        if response.status != 200:
            self.job.counters.errors[f"sitemap_http_{response.status}"] += 1
            return
        for request in super()._parse_sitemap(response):
            if request.callback == self._parse_sitemap:
                yield request.replace(errback=self.failed)
                continue
            page = self.page_request(request.url)
            if page is not None:
                yield page

    def parse(self, response: Response, **_: Any) -> Iterator[Any]:
        requested = (response.meta.get("redirect_urls") or [response.url])[0]
        lastmod = self.lastmods.get(canonical_url(requested))
        yield from self.page_response(response, list, sitemap_lastmod=lastmod)


def _robots_if_root(url: str) -> str:
    parts = urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    return url
