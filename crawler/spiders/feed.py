"""The feed spider: the entries of RSS 2.0 and Atom feeds, each fetched as a page, with the
entry's date as the page's publication date when the page does not carry one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Request, Response
from scrapy.selector import Selector

from crawler.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    async def start(self) -> AsyncIterator[Any]:
        for url in self.job.source.start_urls:
            yield Request(url, callback=self.parse_feed, errback=self.failed, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            self.job.counters.errors[f"feed_http_{response.status}"] += 1
            return
        selector = Selector(text=response.text if hasattr(response, "text") else response.body.decode(), type="xml")
        selector.remove_namespaces()
        entries = selector.xpath("//item | //entry")
        if not entries:
            self.job.counters.errors["feed_without_entries"] += 1
            return
        for entry in entries:
            link = (entry.xpath("link/text()").get() or "").strip() or entry.xpath(
                "link[@rel='alternate' or not(@rel)]/@href").get("")
            if not link:
                continue
            published = _date(entry.xpath("pubDate/text() | published/text() | updated/text() | date/text()").get())
            request = self.page_request(response.urljoin(link.strip()), published_hint=published)
            if request is not None:
                yield request

    def parse(self, response: Response, **_: Any) -> Iterator[Any]:
        yield from self.page_response(response, list, published_hint=response.meta.get("published_hint"))


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)  # RSS: RFC 822 dates
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
