"""The demo network running: its five sites on 127.0.0.1 and a catalog of sources crawling them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crawler.demo_network.content import SITES
from crawler.demo_network.server import SiteServer


@dataclass(frozen=True, slots=True)
class DemoSource:
    id: str
    site: str
    kind: str
    group: str
    name: tuple[str, str, str]  # zh, en, ja
    start_path: str
    max_depth: int = 3
    max_pages: int = 600
    exclude: tuple[str, ...] = ()


DEMO_SOURCES = (
    DemoSource("demo-shenyang", "shenyang", "site", "shenyang", ("沈阳市中小企业信息网（演示）", "Shenyang SME portal (demo)",
                                                                 "瀋陽市中小企業情報ネット（デモ）"), "/"),
    DemoSource("demo-liaoning", "liaoning", "site", "liaoning", ("辽宁省科技创新网（演示）", "Liaoning technology innovation "
               "network (demo)", "遼寧省科学技術イノベーションネット（デモ）"), "/", max_depth=4, max_pages=400),
    DemoSource("demo-japan", "japan", "site", "japan", ("日本商务匹配网（演示）", "Japanese business matching (demo)",
                                                        "ビジネスマッチング・ナビ（デモ）"), "/"),
    DemoSource("demo-trade", "trade", "sitemap", "other", ("亚洲中小企业贸易协会（演示）", "Asia SME Trade Association (demo)",
                                                            "アジア中小企業貿易協会（デモ）"), "/", exclude=(r"/news/",)),
    DemoSource("demo-trade-news", "trade", "feed", "other", ("亚洲中小企业贸易协会新闻（演示）", "Asia SME Trade Association "
               "news (demo)", "アジア中小企業貿易協会ニュース（デモ）"), "/news/feed.xml"),
    DemoSource("demo-taiwan", "taiwan", "site", "other", ("台湾中小企业名录（演示）", "Taiwan SME directory (demo)",
                                                          "台湾中小企業名鑑（デモ）"), "/", max_depth=2),
)


class DemoNetwork:
    """Starts every demo site (on `base_port`, `base_port + 1`, ... or on free ports when 0)."""

    def __init__(self, base_port: int = 0) -> None:
        self.base_port = base_port
        self.servers: dict[str, SiteServer] = {}

    def start(self) -> DemoNetwork:
        for number, site in enumerate(SITES):
            server = SiteServer({}, port=self.base_port + number if self.base_port else 0)
            server.resources = SITES[site](server.url)
            self.servers[site] = server.start()
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> DemoNetwork:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()

    def catalog(self, listings: Path | None = None) -> dict[str, Any]:
        """Catalog entries crawling the running sites, plus `listings` (a JSONL file) when given."""
        sources = []
        for s in DEMO_SOURCES:
            origin = self.servers[s.site].url
            sources.append({
                "id": s.id, "name": dict(zip(("zh", "en", "ja"), s.name, strict=True)), "group": s.group,
                "kind": s.kind, "start_urls": [origin + s.start_path], "include": [f"^{re.escape(origin)}/"],
                "exclude": list(s.exclude), "max_depth": s.max_depth, "max_pages": s.max_pages,
                "schedule": "every 10m", "allow_private": True,
                "politeness": {"delay": 0, "concurrency": 8, "autothrottle": False},
                "note": "The bundled demo network, served by `smesearch demo` on 127.0.0.1.",
            })
        if listings is not None:
            sources.append({
                "id": "demo-listings", "name": {"zh": "商务信息样例", "en": "Sample trade listings", "ja": "商談情報サンプル"},
                "group": "other", "kind": "jsonl", "start_urls": [str(listings)], "schedule": "every 1d",
                "note": "Trade listings bundled with smesearch, imported from JSONL.",
            })
        return {"sources": sources}

    def write_catalog(self, path: Path, listings: Path | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.catalog(listings), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path
