"""Scrapy spiders, one per kind of web source: a site followed by its links, a sitemap, a feed.
`crawler.kinds.SOURCE_KINDS` names the spider each kind runs."""

from __future__ import annotations

from crawler.spiders.base import PageItem, SourceSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.sitemap import SourceSitemapSpider

__all__ = ["FeedSpider", "PageItem", "SiteSpider", "SourceSitemapSpider", "SourceSpider"]
