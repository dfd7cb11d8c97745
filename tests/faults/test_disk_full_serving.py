"""The data directory's disk full while the API serves and while a crawl runs: searches go on
(analytics are lost, and counted), the crawl fails with a sentence, and the next crawl after
space is freed completes what was missing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx2 as httpx

from crawler.demo_network.server import Resource, SiteServer
from tests.faults.conftest import fill
from tests.helpers import run, serving, write_jsonl
from tests.test_crawl import Crawl, html, source

LISTINGS = [{"url": f"https://a.example.cn/{i}", "title": f"沈阳汽车零部件企业寻求日本合资伙伴 {i}",
             "body": "生产刹车系统，寻求合资合作。"} for i in range(50)]


def dropped(base: str) -> float:
    found = re.search(r"^smesearch_search_log_dropped_total (\S+)$", httpx.get(f"{base}/metrics").text, re.M)
    return float(found.group(1)) if found else 0.0


def test_searches_go_on_when_the_disk_fills_under_the_server(small_disk: Path) -> None:
    data = small_disk / "data"
    assert run(data, "import", str(write_jsonl(small_disk / "l.jsonl", LISTINGS))).returncode == 0
    with serving(data, env={"SMESEARCH_SEARCH_CACHE_S": "0"}) as (base, _):
        assert httpx.get(f"{base}/api/search", params={"q": "汽车"}).json()["total"] == 50
        filler = fill(small_disk)
        answers = [httpx.get(f"{base}/api/search", params={"q": f"汽车 {i}"}).status_code for i in range(40)]
        assert answers == [200] * 40  # a search log written inside the request failed one a second
        deadline = time.monotonic() + 15
        while dropped(base) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert dropped(base) > 0  # the lost analytics are counted, for an alert on /metrics
        assert httpx.get(f"{base}/readyz").status_code == 200  # reading still works: the server is ready
        filler.unlink()
        assert httpx.get(f"{base}/api/search", params={"q": "合资"}).status_code == 200


def test_a_crawl_on_a_full_disk_fails_with_a_sentence_and_the_next_completes_it(small_disk: Path) -> None:
    pages = {"/": Resource(html("Partners", "Index of partner pages.", links=tuple(f"/p{i}" for i in range(30))))}
    pages.update({f"/p{i}": Resource(html(f"Brake parts maker {i}", f"We make brake parts, model {i}. " * 50))
                  for i in range(30)})
    with SiteServer(pages) as site:
        crawl = Crawl(small_disk)
        crawl.catalog = small_disk.parent / "catalog.yaml"
        crawl.sources(source(site))
        assert crawl.run("stats").returncode == 0  # the data directory exists before the disk fills
        filler = fill(small_disk)
        failed = crawl.run("crawl", "t")
        assert failed.returncode != 0
        assert "Traceback" not in failed.stdout + failed.stderr, failed.stdout + failed.stderr
        assert "is the disk full?" in failed.stderr, failed.stderr
        filler.unlink()
        crawl.crawl("t")
        stats = crawl.run("stats")
        assert re.search(r"^documents\s+31$", stats.stdout, re.M), stats.stdout
