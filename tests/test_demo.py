"""`smesearch demo`: serves the demo network on 127.0.0.1, crawls it, and serves the search API
over what it crawled, exactly as the README's first command does."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from categories import CATEGORIES, SERVICE_LIST
from crawler.extract import mojibake_count
from tests.browser import chromium, foreign_text, screenshot
from tests.helpers import free_port

SAMPLES = ("sample_documents.jsonl", "sample_listings.jsonl")


def test_sample_data_names_only_example_hosts() -> None:
    # Made-up pages and addresses must not point at real organisations' domains.
    hosts: set[str] = set()
    for name in SAMPLES:
        text = resources.files("smesearch").joinpath(f"demo_data/{name}").read_text("utf-8")
        for line in filter(None, text.splitlines()):
            row = json.loads(line)
            hosts |= {urllib.parse.urlsplit(v).hostname or "" for v in row.values()
                      if isinstance(v, str) and v.startswith(("http://", "https://"))}
            hosts |= {v.rsplit("@", 1)[1] for v in row.values() if isinstance(v, str) and "@" in v}
    assert len(hosts) > 10
    assert sorted(h for h in hosts if h.split(".")[-2:-1] != ["example"]) == []


def free_run_of_ports(count: int = 5) -> int:
    """The first of `count` consecutive loopback ports nobody listens on (the demo network's)."""
    for base in random.sample(range(20_000, 60_000, count), 50):
        with contextlib.ExitStack() as held:
            try:
                for port in range(base, base + count):
                    held.enter_context(socket.create_server(("127.0.0.1", port)))
            except OSError:
                continue
            return base
    raise AssertionError(f"no {count} consecutive free ports")


def start_demo(port: int, env: dict[str, str], log: Path, network_port: int) -> subprocess.Popen[str]:
    """`smesearch demo` on `port`, its network on the five ports from `network_port`, returned once it answers."""
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "smesearch", "demo", "--port", str(port), "--network-port",
                                 str(network_port)], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 600
    while True:
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        try:
            if get(f"http://127.0.0.1:{port}/healthz") == {"status": "ok"}:
                return proc
        except OSError:
            pass
        assert time.monotonic() < deadline, "the demo did not start within 10 minutes; its output:\n" + log.read_text(
            encoding="utf-8")[-4000:]
        time.sleep(0.5)


LOCALES = {"zh": "zh-CN", "ja": "ja-JP", "en": "en-US"}
QUERIES = {"zh": "汽车零部件", "ja": "自動車部品", "en": "auto parts"}


def visit_every_page_in_every_language(base: str, key: str, shenyang: str) -> None:
    """What a visitor sees first, in Chromium: the portal with results, the embedding page, the
    listing form and a listing, a Shenyang enterprise's company page reached from a result, the
    console with the demo's runs and chart, and /docs. In each language no page shows words of
    another outside the documents' own text; the screenshots are kept as CI artifacts."""
    listing = get(f"{base}/api/search?q=-nothingmatchesthis&group=listing&size=1")["results"][0]["url"]
    with chromium() as browser:
        for lang in ("zh", "ja", "en"):
            page = browser.new_page(locale=LOCALES[lang])
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023 (read before the next page)
            foreign: dict[str, list[str]] = {}

            def seen(name: str) -> None:
                foreign[name] = foreign_text(page, lang)  # noqa: B023
                screenshot(page, f"demo-{name}-{lang}")  # noqa: B023

            page.goto(f"{base}/?lang={lang}")
            box = page.locator("sme-search input[role=combobox]")
            box.fill(f"{QUERIES[lang]} site:{shenyang}")  # the Shenyang portal's enterprises, found in any language
            box.press("Enter")
            profiles = page.locator("sme-search li.result a.profile")
            profiles.first.wait_for()
            seen("portal")
            profiles.first.click()  # every result links to its company page
            page.wait_for_url(re.compile(r"/documents/[0-9a-f]{32}\?lang=" + lang))
            assert page.locator("dl.profile dt").count() >= 4  # the enterprise's Table 9 sections
            assert page.locator("#similar ~ ul li").count() >= 1
            seen("company")
            for name, path in (("embed", "/embed"), ("listing-form", "/listings/new"),
                               ("listing", urllib.parse.urlsplit(listing).path)):
                page.goto(f"{base}{path}?lang={lang}")
                seen(name)
            page.goto(f"{base}/admin?lang={lang}")
            page.locator("#key").fill(key)
            page.locator("#key").press("Enter")
            page.locator("#runs tr .status-succeeded").nth(6).wait_for()  # the demo's first crawl, one run a source
            page.locator("#chart rect").first.wait_for()
            seen("console")
            assert errors == [], errors
            assert {name: texts for name, texts in foreign.items() if texts} == {}, lang
            page.close()
        page = browser.new_page()
        page.goto(f"{base}/docs")
        page.locator(".swagger-ui .info").wait_for()
        screenshot(page, "demo-docs")
        page.close()


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.mark.translated
def test_demo_crawls_the_demo_network_and_answers_in_three_languages(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "PYTHONIOENCODING": "utf-8"}
    log = tmp_path / "demo.log"
    network_port = free_run_of_ports()
    proc = start_demo(port, env, log, network_port)
    base = f"http://127.0.0.1:{port}"
    try:
        output = log.read_text(encoding="utf-8")
        for source in ("demo-shenyang", "demo-liaoning", "demo-japan", "demo-trade", "demo-trade-news", "demo-taiwan"):
            assert f"{source}: crawling" in output

        def search(**params: Any) -> Any:
            return get(f"{base}/api/search?" + urllib.parse.urlencode({"size": 10, **params}))

        everything = search(q="-nothingmatchesthis")
        assert everything["total"] >= 1000
        for lang in ("zh", "ja", "en"):
            facets = {k: {f["value"] for f in v} for k, v in search(q="-nothingmatchesthis", lang=lang)["facets"].items()}
            assert facets["category"] >= {str(c.id) for c in CATEGORIES}, lang
            assert facets["service"] == {s.id for s in SERVICE_LIST}, lang
        groups = {f["value"] for f in everything["facets"]["group"]}
        assert groups >= {"shenyang", "liaoning", "japan", "other"}

        assert search(q="汽车零部件", lang="zh")["total"] >= 10
        assert search(q="自動車部品")["results"][0]["lang"] == "ja"
        assert search(q="auto parts distributors")["results"][0]["lang"] == "en"
        # Cross-lingual by default: a query in one language finds the pages about the same products
        # in the other two, ranked after the pages in its own language.
        for query in ("汽车零部件", "自動車部品", "auto parts"):
            for lang in ("zh", "ja", "en"):
                assert search(q=query, lang=lang)["total"] >= 3, (query, lang)
        assert search(q="汽车零部件", translate="false", lang="en")["total"] < search(q="汽车零部件", lang="en")["total"]
        # Big5 pages were decoded, and their Traditional script is found by a Simplified query.
        assert search(q="台湾中小企业名录", source="demo-taiwan")["total"] >= 1
        # The sample needs and offers are posted, found by search, and matched across languages.
        assert search(q="-nothingmatchesthis", group="listing")["total"] >= 60
        example = output.split("/api/listings/")[1].split("/matches")[0]
        matches = get(f"{base}/api/listings/{example}/matches")["matches"]
        assert {m["lang"] for m in matches if m["kind"] == "listing"} >= {"ja", "en"}
        assert all(m["url"].startswith(base) for m in matches if m["kind"] == "listing")
        key = re.search(r"operator key \(admin, shown once\): (\S+)", output)
        assert key, output[-2000:]
        visit_every_page_in_every_language(base, key[1], f"127.0.0.1:{network_port}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    first = log.read_text(encoding="utf-8")
    # A visitor's terminal is not flooded: no line per request unless SMESEARCH_ACCESS_LOG asks.
    assert '"logger": "smesearch.access"' not in first
    scheduled = re.search(r"scheduler: (\d+) demo sources re-crawled", first)
    assert scheduled and int(scheduled[1]) >= 6, first[-2000:]
    # Started again over the same data and ports, it serves what it crawled without crawling it
    # all again (the scheduler re-crawls), and says the same schedules run (not "0": none was added).
    again = start_demo(port, env, tmp_path / "demo-again.log", network_port)
    try:
        assert get(f"{base}/api/search?q=%E6%B1%BD%E8%BD%A6%E9%9B%B6%E9%83%A8%E4%BB%B6")["total"] >= 10
    finally:
        again.terminate()
        again.wait(timeout=30)
    second = (tmp_path / "demo-again.log").read_text("utf-8")
    assert f"scheduler: {scheduled[1]} demo sources re-crawled" in second
    assert "crawled in full before" in second and ": crawling" not in second, second

    with sqlite3.connect(data / "index" / "embedded" / "documents.sqlite") as db:
        docs = [json.loads(zlib.decompress(row[0])) for row in db.execute("SELECT doc FROM documents")]
    assert sum(mojibake_count(d["title"] + d["body"]) for d in docs) == 0
    injected = [d for d in docs if d["url"].endswith("/inject.html")]
    assert injected and "alert('body')" not in injected[0]["body"]  # scripts are not text
