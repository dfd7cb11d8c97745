"""The crawler against real HTTP servers on 127.0.0.1: what a run fetches, keeps, skips and
counts, and what the next run does with the same site, changed or not.

Every crawl here is `smesearch crawl` in a subprocess, as operators and the scheduler run it.
Analysis runs inside the crawl process (SMESEARCH_CRAWL_WORKERS=0) except where a test says
otherwise, to keep the suite quick; the demo test crawls with worker processes.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.demo_network.server import Resource, SiteServer
from crawler.extract import mojibake_count
from crawler.middlewares import _resolved_reason
from indexer.backends.embedded import INDEX_DIR
from indexer.document import document_id
from tests.helpers import free_port

NAME = {"zh": "测试站", "en": "Test site", "ja": "テストサイト"}


def html(title: str, body: str, charset: str = "utf-8", links: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<a href="{href}">link</a> ' for href in links)
    page = (f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><main><h1>{title}</h1><p>{body}</p>{anchors}</main></body></html>")
    return page.encode(charset)


def source(server: SiteServer, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": "t", "name": NAME, "group": "other", "kind": "site",
                             "start_urls": [f"{server.url}/"], "allow_private": True,
                             "politeness": {"delay": 0, "autothrottle": False, "concurrency": 4}}
    entry.update(fields)
    return entry


class Crawl:
    """A data directory, a catalog, and `smesearch crawl` run against them."""

    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        self.catalog = tmp_path / "catalog.yaml"
        self.env: dict[str, str] = {"SMESEARCH_CRAWL_WORKERS": "0", "SMESEARCH_CRAWLER_CONTACT_URL":
                                    "https://portal.example/crawler-contact"}

    def sources(self, *entries: dict[str, Any]) -> Crawl:
        self.catalog.write_text(yaml.safe_dump({"sources": list(entries)}, allow_unicode=True), encoding="utf-8")
        return self

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SMESEARCH_DATA_DIR": str(self.data), "SMESEARCH_CATALOG": str(self.catalog),
               "PYTHONIOENCODING": "utf-8", **self.env}
        return subprocess.run([sys.executable, "-m", "smesearch", *args], env=env, capture_output=True, text=True,
                              timeout=timeout)

    def crawl(self, *ids: str) -> dict[str, Any]:
        result = self.run("crawl", *(ids or ("t",)))
        assert result.returncode == 0, result.stdout + result.stderr
        return self.last_run(ids[0] if ids else "t")["counters"]

    def last_run(self, source_id: str = "t") -> dict[str, Any]:
        with sqlite3.connect(self.data / "crawl.sqlite") as db:
            status, counters, error = db.execute(
                "SELECT status, counters, error FROM runs WHERE source = ? ORDER BY id DESC LIMIT 1",
                (source_id,)).fetchone()
        return {"status": status, "counters": json.loads(counters or "{}"), "error": error}

    def documents(self) -> dict[str, dict[str, Any]]:
        """The stored documents by URL, as the index keeps them."""
        with sqlite3.connect(self.data / "index" / "embedded" / "documents.sqlite") as db:
            rows = db.execute("SELECT doc FROM documents").fetchall()
        docs = [json.loads(zlib.decompress(r[0])) for r in rows]
        return {d["url"]: d for d in docs}

    def search(self, query: str) -> list[str]:
        """The pages holding every word (not relaxed: these tests ask what each page was read as)."""
        result = self.run("search", query, "--json", "--limit", "50", "--no-relax")
        assert result.returncode == 0, result.stderr
        return [r["url"] for r in json.loads(result.stdout)["results"]]


@pytest.fixture
def crawl(tmp_path: Path) -> Crawl:
    return Crawl(tmp_path)


@pytest.fixture
def site() -> Iterator[SiteServer]:
    pages = {
        "/robots.txt": Resource(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": Resource(html("沈阳汽车零部件企业", "我们生产刹车系统和发动机配件，寻求日本合资伙伴。",
                           links=("/gbk.html", "/sjis.html", "/private/secret.html", "/gone.html", "/old.html",
                                  "/catalog.pdf", "/?utm_source=mail", "/#top"))),
        "/gbk.html": Resource(html("鞍山钢管厂", "本厂生产不锈钢管材，诚招代理商。", "gbk"),
                              content_type="text/html; charset=iso-8859-1"),  # declared wrongly
        "/sjis.html": Resource(html("自動車部品の代理店募集", "ブレーキ部品メーカーです。販売代理店を探しています。", "shift_jis"),
                               content_type="text/html"),
        "/private/secret.html": Resource(html("secret", "must never be fetched")),
        "/old.html": Resource(status=301, location="/new.html"),
        "/new.html": Resource(html("Auto parts exporter", "We export brake systems and seek distributors in Japan.")),
        "/catalog.pdf": Resource(b"%PDF-1.4 brochure", content_type="application/pdf"),
    }
    with SiteServer(pages) as server:
        yield server


def test_a_site_crawl_keeps_the_pages_and_counts_what_it_skipped(crawl: Crawl, site: SiteServer) -> None:
    crawl.sources(source(site))
    crawl.env["SMESEARCH_PROGRESS_INTERVAL_S"] = "0"  # a progress line per page, as a long crawl gets every 10 s
    result = crawl.run("crawl", "t")
    assert result.returncode == 0, result.stderr
    assert "new 4, updated 0" in result.stdout and "skipped by robots.txt 1" in result.stdout
    # The progress lines count what reached the index so far, never more than the summary says.
    progress = [tuple(map(int, m)) for m in re.findall(
        r"t: (\d+) fetched, \d+ errors; indexed so far: (\d+) new, (\d+) updated", result.stderr)]
    assert progress and progress == sorted(progress) and all(new <= 4 and updated == 0 for _, new, updated in progress)

    counters = crawl.last_run()["counters"]
    assert counters["new"] == 4 and counters["skipped_by_robots"] == 1
    assert counters["errors"] == {"http_404": 1}
    assert counters["skipped"] == {"not a text page (link to a file)": 1}
    paths = [path for path, _ in site.requests]
    assert "/private/secret.html" not in paths and "/catalog.pdf" not in paths
    assert paths.count("/") == 1  # tracking parameters and fragments do not make another page
    agent = site.requests[0][1]["user-agent"]
    assert agent.startswith("smesearch/") and "+https://portal.example/crawler-contact" in agent

    docs = crawl.documents()
    # The redirect's target is the document; the old address is not.
    assert f"{site.url}/new.html" in docs and f"{site.url}/old.html" not in docs
    assert docs[f"{site.url}/gbk.html"]["title"] == "鞍山钢管厂"
    assert docs[f"{site.url}/sjis.html"]["lang"] == "ja"
    assert all(mojibake_count(d["title"] + d["body"]) == 0 for d in docs.values())
    assert crawl.search("不锈钢管材") == [f"{site.url}/gbk.html"]
    assert crawl.search("代理店") == [f"{site.url}/sjis.html"]


def test_a_recrawl_of_an_unchanged_site_is_answered_by_304_and_writes_nothing(crawl: Crawl, site: SiteServer) -> None:
    crawl.sources(source(site))
    crawl.crawl()
    index_files = {p: p.stat().st_mtime_ns for p in (crawl.data / "index" / "embedded" / INDEX_DIR).iterdir()}
    site.requests.clear()

    again = crawl.crawl()
    assert again["not_modified"] == 4 and again["new"] == again["updated"] == 0
    # Validators went out with every request for a page fetched before (not for the 404 page or the
    # redirecting address, which are no documents), and the index was not touched.
    pages = [(p, h) for p, h in site.requests if p in ("/", "/gbk.html", "/sjis.html", "/new.html")]
    assert len(pages) == 4 and all("if-none-match" in h and "if-modified-since" in h for _, h in pages)
    assert {p: p.stat().st_mtime_ns for p in (crawl.data / "index" / "embedded" / INDEX_DIR).iterdir()} == index_files
    # Links of pages answered 304 are followed from the last run's record.
    assert "/sjis.html" in [p for p, _ in site.requests]


def test_changed_pages_are_updated_and_gone_pages_deleted(crawl: Crawl, site: SiteServer) -> None:
    crawl.sources(source(site))
    crawl.crawl()
    site.resources["/new.html"] = Resource(html("Auto parts exporter", "We now also export LED lighting."))
    site.resources["/gbk.html"] = Resource(status=410)
    site.resources["/sjis.html"] = Resource(status=404)

    again = crawl.crawl()
    assert again["updated"] == 1 and again["deleted"] == 2
    docs = crawl.documents()
    assert f"{site.url}/gbk.html" not in docs and f"{site.url}/sjis.html" not in docs
    assert "LED lighting" in docs[f"{site.url}/new.html"]["body"]
    assert crawl.search("不锈钢管材") == []


def test_a_page_with_the_same_content_and_no_validators_causes_no_index_write(crawl: Crawl) -> None:
    pages = {"/": Resource(html("Metal stamping", "Precision metal stamping for the auto industry."), etag=False,
                           last_modified=None)}
    with SiteServer(pages) as server:
        crawl.sources(source(server))
        assert crawl.crawl()["new"] == 1
        again = crawl.crawl()
    assert again["unchanged"] == 1 and again["new"] == again["updated"] == again["not_modified"] == 0


LONG_TEXT = ("Dalian Harbor Machinery makes CNC machine tools, industrial pumps and bearings for shipyards in "
             "Liaoning and exports to Japan and Korea. The plant is ISO 9001 certified and employs 420 people. "
             "We are looking for agents and distributors in Osaka and Nagoya, and for a partner to develop "
             "marine pumps together. Our engineers visit customers within a week and spare parts ship from stock.")


def test_exact_and_near_duplicates_collapse_into_one_document(crawl: Crawl) -> None:
    other = ("Shenyang Crown Textiles weaves cotton fabric and knitwear for apparel brands in Europe and Japan; "
             "the mill runs 300 looms and a dyeing line. We seek a buyer's agent in Tokyo, a joint venture for "
             "technical textiles, and suppliers of organic cotton yarn. Samples are free for trade customers and "
             "orders from 500 metres ship in four weeks.")
    pages = {
        "/": Resource(html("Members", "Member companies", links=("/a.html", "/a-print.html", "/a-dated.html",
                                                                  "/b.html"))),
        "/a.html": Resource(html("Harbor Machinery", LONG_TEXT)),
        "/a-print.html": Resource(html("Harbor Machinery", LONG_TEXT)),
        "/a-dated.html": Resource(html("Harbor Machinery", LONG_TEXT + " Updated 2026-01-05.")),
        "/b.html": Resource(html("Crown Textiles", other)),
    }
    with SiteServer(pages) as server:
        crawl.sources(source(server))
        counters = crawl.crawl()
        assert counters["duplicates"] == 2 and counters["new"] == 3
        docs = crawl.documents()
        assert sum("Harbor Machinery" in d["title"] for d in docs.values()) == 1
        assert f"{server.url}/b.html" in docs  # a different page on the same template is kept
        # The next run keeps them collapsed; the copies answer 304 like every other page.
        again = crawl.crawl()
        assert again["new"] == again["updated"] == 0 and again["not_modified"] == 5 and len(crawl.documents()) == 3
        # When the original goes, the copies are judged afresh: one of them becomes the document.
        # Which copy arrived first, and so became the original, depends on download order.
        (original,) = [url for url, d in docs.items() if "Harbor Machinery" in d["title"]]
        server.resources[original.removeprefix(server.url)] = Resource(status=404)
        assert crawl.crawl()["deleted"] == 1
        last = crawl.crawl()
    assert last["new"] == 1 and last["duplicates"] == 1
    assert sum("Harbor Machinery" in d["title"] for d in crawl.documents().values()) == 1


def test_depth_and_page_limits_stop_an_endless_calendar_and_redirect_loops_end(crawl: Crawl) -> None:
    from crawler.demo_network.content import calendar_trap

    pages = calendar_trap()
    pages["/"] = Resource(html("Events", "Trade fair calendar", links=("/events/calendar-2026-11.html",
                                                                       "/loop/a.html")))
    pages["/loop/a.html"] = Resource(status=302, location="/loop/b.html")
    pages["/loop/b.html"] = Resource(status=302, location="/loop/a.html")
    with SiteServer(pages) as server:
        crawl.sources(source(server, max_depth=4))
        counters = crawl.crawl()
        calendar = [p for p, _ in server.requests if p.startswith("/events/")]
        assert 0 < len(calendar) <= 7  # the months within 3 links of the first one
        assert counters["fetched"] < 20
        crawl.sources(source(server, max_depth=50, max_pages=12))
        crawl.crawl()
        assert len([p for p, _ in server.requests if p.startswith("/events/")]) - len(calendar) <= 12


def test_size_limits_hold_for_large_pages_and_compression_bombs(crawl: Crawl) -> None:
    pages = {
        "/": Resource(html("Index", "Pages", links=("/large.html", "/bomb.html", "/ok.html"))),
        "/large.html": Resource(b"<html><body>" + b"x" * 3_000_000 + b"</body></html>"),
        "/bomb.html": Resource(gzip.compress(b" " * 30_000_000), headers={"Content-Encoding": "gzip"}),
        "/ok.html": Resource(html("Ceramic tiles", "Building materials from Shenyang.")),
    }
    crawl.env["SMESEARCH_CRAWL_MAX_PAGE_BYTES"] = str(1_000_000)
    with SiteServer(pages) as server:
        crawl.sources(source(server))
        result = crawl.run("crawl", "t")
    assert result.returncode == 0, result.stderr
    counters = crawl.last_run()["counters"]
    assert counters["skipped"] == {"larger than the size limit": 2}
    assert counters["new"] == 2  # the index and ok.html
    # Said once, in the summary, instead of a Scrapy warning per page.
    output = result.stdout + result.stderr
    assert "skipped: larger than the size limit 2" in output and "DOWNLOAD_MAXSIZE" not in output
    assert "download max size" not in output, output


def test_slow_pages_time_out_and_dead_hosts_fail_the_run_with_a_reason(crawl: Crawl) -> None:
    pages = {"/": Resource(html("Index", "Pages", links=("/slow.html",))),
             "/slow.html": Resource(html("Slow", "Slow page"), delay=3)}
    crawl.env.update({"SMESEARCH_CRAWL_TIMEOUT": "1", "SMESEARCH_CRAWL_RETRIES": "0"})
    with SiteServer(pages) as server:
        crawl.sources(source(server))
        counters = crawl.crawl()
    assert counters["errors"] == {"timeout": 1} and counters["new"] == 1

    dead = free_port()  # nothing listens there
    crawl.sources({**source(site_at(dead)), "id": "dead"})
    result = crawl.run("crawl", "dead")
    assert result.returncode == 4
    assert "no page could be fetched: connection_refused 1" in result.stderr
    assert crawl.last_run("dead")["status"] == "failed"


def site_at(port: int) -> SiteServer:
    """A SiteServer-like address for a port nobody serves (only its url is used)."""

    class Address(SiteServer):
        def __init__(self) -> None:
            pass

        @property
        def url(self) -> str:
            return f"http://127.0.0.1:{port}"

    return Address()


def test_robots_crawl_delay_spaces_the_requests(crawl: Crawl) -> None:
    pages = {"/robots.txt": Resource(b"User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain"),
             "/": Resource(html("Index", "Pages", links=tuple(f"/{n}.html" for n in range(4))))}
    pages |= {f"/{n}.html": Resource(html(f"Page {n}", f"Machine tools page {n}")) for n in range(4)}
    stamps: list[float] = []
    with SiteServer(pages) as server:
        original = server.record
        server.record = lambda path, headers: (stamps.append(time.monotonic()), original(path, headers))  # type: ignore[method-assign]
        crawl.sources(source(server, politeness={"delay": 0, "concurrency": 4, "autothrottle": True}))
        crawl.crawl()
    gaps = [b - a for a, b in itertools.pairwise(stamps[1:])]  # after robots.txt
    # Measured where the server receives them, so allow for the variance of connection set-up.
    assert len(gaps) == 4 and min(gaps) >= 0.3


def test_a_sitemap_source_follows_robots_and_indexes_and_skips_by_lastmod(crawl: Crawl) -> None:
    pages: dict[str, Resource] = {"/robots.txt": Resource(b"Sitemap: /sitemap-index.xml\n", content_type="text/plain")}
    with SiteServer(pages) as server:
        urls = "".join(f"<url><loc>{server.url}/p{n}.html</loc><lastmod>2024-0{n + 1}-01</lastmod></url>"
                       for n in range(3))
        urls += (f"<url><loc>{server.url}/p3.html</loc><changefreq>daily</changefreq></url>"
                 f"<url><loc>{server.url}/p4.html</loc></url>")
        pages["/sitemap-index.xml"] = Resource(
            f'<sitemapindex><sitemap><loc>{server.url}/sitemap-1.xml</loc></sitemap></sitemapindex>'.encode(),
            content_type="application/xml")
        pages["/sitemap-1.xml"] = Resource(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}'
                                           "</urlset>".encode(), content_type="application/xml")
        pages |= {f"/p{n}.html": Resource(html(f"Offer {n}", f"Auto parts offer number {n}")) for n in range(5)}
        crawl.sources(source(server, kind="sitemap"))
        assert crawl.crawl()["new"] == 5
        pages["/sitemap-1.xml"] = Resource(pages["/sitemap-1.xml"].body.replace(  # type: ignore[union-attr]
            b"2024-01-01", b"2025-01-01"), content_type="application/xml")
        pages["/p0.html"] = Resource(html("Offer 0", "Auto parts offer, now with engine components"))
        server.requests.clear()
        again = crawl.crawl()
    # p1 and p2 kept their lastmod, p3 is "daily" and was fetched minutes ago; p4 says nothing,
    # so it is asked for again (and answers 304).
    assert again["skipped_by_lastmod"] == 3 and again["updated"] == 1 and again["not_modified"] == 1
    assert sorted(p for p, _ in server.requests if p.startswith("/p")) == ["/p0.html", "/p4.html"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_source_indexes_its_entries_with_their_dates(crawl: Crawl, kind: str) -> None:
    pages: dict[str, Resource] = {
        "/a.html": Resource(html("Joint venture sought", "A Dalian valve maker seeks a joint venture partner.")),
        "/b.html": Resource(html("Distributors wanted", "An Osaka pump maker seeks distributors in China.")),
    }
    if kind == "rss":
        feed = ('<rss version="2.0"><channel><title>n</title>'
                "<item><title>a</title><link>/a.html</link><pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate></item>"
                "<item><title>b</title><link>/b.html</link><pubDate>Wed, 06 Mar 2024 09:00:00 GMT</pubDate></item>"
                "</channel></rss>")
    else:
        feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>n</title>'
                '<entry><title>a</title><link href="/a.html"/><updated>2024-03-05T09:00:00Z</updated></entry>'
                '<entry><title>b</title><link rel="alternate" href="/b.html"/><updated>2024-03-06T09:00:00Z</updated>'
                "</entry></feed>")
    pages["/feed.xml"] = Resource(feed.encode(), content_type="application/xml")
    with SiteServer(pages) as server:
        crawl.sources(source(server, kind="feed", start_urls=[f"{server.url}/feed.xml"]))
        assert crawl.crawl()["new"] == 2
        docs = crawl.documents()
    assert docs[f"{server.url}/a.html"]["published_at"].startswith("2024-03-05")


def test_a_killed_crawl_loses_nothing_and_the_next_run_completes_it(crawl: Crawl) -> None:
    pages = {"/": Resource(html("Index", "Pages", links=tuple(f"/{n}.html" for n in range(60))))}
    pages |= {f"/{n}.html": Resource(html(f"Supplier {n}", f"Bearings and valves supplier number {n} in Anshan."),
                                     delay=0.1) for n in range(60)}
    crawl.env["SMESEARCH_CRAWL_BATCH_SIZE"] = "10"
    with SiteServer(pages) as server:
        crawl.sources(source(server, politeness={"delay": 0, "concurrency": 2, "autothrottle": False}))
        env = {**os.environ, "SMESEARCH_DATA_DIR": str(crawl.data), "SMESEARCH_CATALOG": str(crawl.catalog),
               **crawl.env}
        process = subprocess.Popen([sys.executable, "-m", "crawler.run", "t"], env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.requests) < 25:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert crawl.last_run()["status"] == "running"  # what the scheduler will find and mark failed
        crawl.crawl()
    assert len(crawl.documents()) == 61


def test_the_private_address_guard_judges_what_a_name_resolves_to() -> None:
    assert asyncio.run(_resolved_reason("127.0.0.1")) == "a loopback address"
    assert asyncio.run(_resolved_reason("169.254.169.254")) == "a link-local address"
    # The machine's own name resolves (from /etc/hosts) to a loopback or private address.
    assert asyncio.run(_resolved_reason(socket.gethostname())) in ("a loopback address", "a private network address")
    assert asyncio.run(_resolved_reason("93.184.215.14")) is None


def test_sources_add_refuses_private_addresses_unless_allowed_and_edits_keep_comments(crawl: Crawl) -> None:
    crawl.catalog.write_text("# our networks\nsources:\n  # the first\n  - id: first\n    name: {zh: 一, en: One, ja: 一}\n"
                             "    group: other\n    kind: site\n    start_urls: [https://one.example/]\n",
                             encoding="utf-8")
    args = ("sources", "add", "mine", "--start-url", "http://10.1.2.3/", "--name-zh", "内网", "--name-en", "Intranet",
            "--name-ja", "社内")
    refused = crawl.run(*args)
    assert refused.returncode == 1 and "a private network address" in refused.stderr
    assert "mine" not in crawl.catalog.read_text(encoding="utf-8")
    assert crawl.run(*args, "--allow-private").returncode == 0
    assert crawl.run("sources", "disable", "first").returncode == 0
    text = crawl.catalog.read_text(encoding="utf-8")
    assert "# our networks" in text and "# the first" in text
    listed = {s["id"]: s for s in json.loads(crawl.run("sources", "list", "--json").stdout)}
    assert listed["mine"]["allow_private"] and not listed["first"]["enabled"]
    assert crawl.run("sources", "enable", "first").returncode == 0
    assert json.loads(crawl.run("sources", "show", "first").stdout)["enabled"]
    unknown = crawl.run("crawl", "nope")
    assert unknown.returncode == 1 and "no source 'nope'" in unknown.stderr


def test_a_database_source_whose_query_fails_fails_the_run_and_keeps_what_was_indexed(crawl: Crawl,
                                                                                        tmp_path: Path) -> None:
    db = tmp_path / "offers.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE offers (id INTEGER, title TEXT, body TEXT)")
        c.execute("INSERT INTO offers VALUES (1, '沈阳汽车零部件企业寻求合资', '生产刹车系统。')")
    entry = {"id": "db", "name": NAME, "group": "shenyang", "kind": "database",
             "database": {"url": f"sqlite:///{db}", "query": "SELECT id, title, body FROM offers",
                          "columns": {"url": "https://offers.example.cn/{id}"}}}
    crawl.sources(entry)
    assert crawl.crawl("db")["new"] == 1
    entry["database"]["query"] = "SELECT id, title, body FROM offer_typo"
    crawl.sources(entry)
    result = crawl.run("crawl", "db")
    assert result.returncode == 4 and "no such table: offer_typo" in result.stderr
    assert crawl.last_run("db")["status"] == "failed"
    assert list(crawl.documents()) == ["https://offers.example.cn/1"]


def test_document_ids_are_the_final_urls_after_redirects(crawl: Crawl, site: SiteServer) -> None:
    crawl.sources(source(site, start_urls=[f"{site.url}/old.html"], max_depth=0))
    crawl.crawl()
    assert list(crawl.documents()) == [f"{site.url}/new.html"]
    assert document_id(f"{site.url}/new.html") in {d["id"] for d in crawl.documents().values()}


class FailingFirst(dict[str, Resource]):
    """Answers 503 (asking for a one-second wait the second time) before serving the page."""

    def __init__(self, pages: dict[str, Resource], failures: int) -> None:
        super().__init__(pages)
        self.failures = failures

    def get(self, path: str, default: Resource | None = None) -> Resource | None:  # type: ignore[override]
        if path == "/" and self.failures > 0:
            self.failures -= 1
            return Resource(b"busy", status=503, headers={"Retry-After": "1"} if self.failures == 0 else {})
        return super().get(path, default)


def test_retries_wait_longer_each_time_and_honour_retry_after(crawl: Crawl) -> None:
    pages = FailingFirst({"/": Resource(html("Valves", "Industrial valves from Tieling."))}, failures=2)
    stamps: list[float] = []
    crawl.env["SMESEARCH_CRAWL_RETRY_BACKOFF"] = "0.4"
    with SiteServer(pages) as server:
        original = server.record
        server.record = lambda path, headers: (stamps.append(time.monotonic()) if path == "/" else None,  # type: ignore[method-assign]
                                               original(path, headers))
        crawl.sources(source(server))
        counters = crawl.crawl()
    assert counters["new"] == 1 and counters["errors"] == {}
    first_wait, second_wait = (b - a for a, b in itertools.pairwise(stamps))
    assert first_wait >= 0.35  # the back-off
    assert second_wait >= 0.95  # Retry-After: 1 beats the doubled back-off of 0.8 s


def test_connection_resets_are_counted_by_kind(crawl: Crawl) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = False

    def hang_up() -> None:
        while not stop:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(1024)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.close()  # RST instead of an answer

    import threading

    threading.Thread(target=hang_up, daemon=True).start()
    crawl.env["SMESEARCH_CRAWL_RETRIES"] = "1"
    crawl.env["SMESEARCH_CRAWL_RETRY_BACKOFF"] = "0.1"
    crawl.sources({**source(site_at(listener.getsockname()[1])), "id": "reset"})
    result = crawl.run("crawl", "reset")
    stop = True
    listener.close()
    assert result.returncode == 4 and "no page could be fetched: connection_reset 1" in result.stderr


def test_error_kinds_name_dns_failures_and_robots_refusals() -> None:
    from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
    from twisted.internet.error import DNSLookupError
    from twisted.python.failure import Failure

    from crawler.spiders.base import error_kind

    assert error_kind(Failure(CannotResolveHostError("no such host"))) == "dns"
    assert error_kind(Failure(DNSLookupError("no such host"))) == "dns"
    assert error_kind(Failure(IgnoreRequest("Forbidden by robots.txt"))) == "robots"
    assert error_kind(Failure(IgnoreRequest("max redirections reached"))) == "redirect_loop"


def test_the_translation_hook_runs_in_the_analysis_workers(crawl: Crawl, site: SiteServer) -> None:
    crawl.env.update({"SMESEARCH_CRAWL_WORKERS": "2", "SMESEARCH_TRANSLATION_HOOK": "tests.helpers:gloss"})
    crawl.sources(source(site))
    assert crawl.crawl()["new"] == 4
    home = crawl.documents()[f"{site.url}/"]
    assert home["translations"]["en"]["title"] == "auto parts"
    # The Chinese page is found in English through its translated title (it has no English text).
    assert f"{site.url}/" in crawl.search('"auto parts"')
