"""The kinds of source a catalog entry can be, each with what brings its documents in.

Adding a kind is one entry here and the module it names: a Scrapy spider class for a web kind
(`crawler.run` starts it), or a function `read(job)` that indexes the job's source through
`job.engine.indexer` and fills in `job.counters` for the others.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceKind:
    name: str
    web: bool  # crawled over HTTP: start URLs are web addresses, robots.txt and politeness apply
    handler: str  # "module:attribute", imported only when a source of this kind runs
    api: bool = True  # operators may add it through the API (a database source holds credentials)

    def load(self) -> Any:
        module, _, name = self.handler.partition(":")
        return getattr(importlib.import_module(module), name)


SOURCE_KINDS: dict[str, SourceKind] = {kind.name: kind for kind in (
    SourceKind("site", True, "crawler.spiders.site:SiteSpider"),
    SourceKind("sitemap", True, "crawler.spiders.sitemap:SourceSitemapSpider"),
    SourceKind("feed", True, "crawler.spiders.feed:FeedSpider"),
    SourceKind("database", False, "crawler.database:read_database", api=False),
    SourceKind("jsonl", False, "crawler.files:read_jsonl_files"),
)}
KINDS = tuple(SOURCE_KINDS)
WEB_KINDS = tuple(name for name, kind in SOURCE_KINDS.items() if kind.web)
API_KINDS = tuple(name for name, kind in SOURCE_KINDS.items() if kind.api)
