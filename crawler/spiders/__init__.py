"""Scrapy spiders, one per kind of web source: a site followed by its links, a sitemap, a feed."""

from __future__ import annotations

from crawler.spiders.base import PageItem, SourceSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.sitemap import SourceSitemapSpider

SPIDERS: dict[str, type[SourceSpider]] = {"site": SiteSpider, "sitemap": SourceSitemapSpider, "feed": FeedSpider}

__all__ = ["SPIDERS", "FeedSpider", "PageItem", "SiteSpider", "SourceSitemapSpider", "SourceSpider"]
