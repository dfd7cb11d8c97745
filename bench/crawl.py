"""Crawl throughput against a bare Scrapy CrawlSpider, the re-crawl, and decoding across charsets.

    python -m bench.crawl [PAGES]        (default 5000; about 5 minutes on 2 cores)

1. A static site of PAGES enterprise pages (the demo network's generator, in zh, ja and en) is
   written to disk and served by nginx on 127.0.0.1 (installed from Debian when missing and
   running as root; else the demo network's Python server, which the report says).
2. A bare Scrapy CrawlSpider (LinkExtractor, follow everything, no item processing) crawls it,
   then our crawler with the whole pipeline (extraction, analysis in worker processes,
   classification, duplicate checks, index writes), both with politeness off, each as a fresh
   process timed from start to exit. Then our crawler again on the unchanged site.
3. A charset matrix (GB2312, GBK, GB18030, Big5, Shift_JIS, EUC-JP, UTF-8, each declared in the
   header, in a meta tag, wrongly, or not at all) is crawled and its indexed text checked for
   mojibake.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import yaml

from bench.common import OUT, free_port, machine

PAGES_PER_LIST = 100
BARE_SPIDER = '''
import sys, time
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

class Bare(CrawlSpider):
    name = "bare"
    start_urls = [sys.argv[1]]
    rules = [Rule(LinkExtractor(), callback="parse_page", follow=True)]

    def parse_page(self, response):
        return None

process = CrawlerProcess({"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 32,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0, "COOKIES_ENABLED": False,
                          "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                          "CONCURRENT_ITEMS": 10})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count"))
'''


def write_site(root: Path, pages: int) -> int:
    """Enterprise pages under list pages under one home page; returns the number of HTML files."""
    from crawler.demo_network.content import enterprises, html_page, links

    people = [e for lang in ("zh", "ja", "en") for e in enterprises(lang, pages // 3 + 1)][:pages]
    lists = [people[i:i + PAGES_PER_LIST] for i in range(0, len(people), PAGES_PER_LIST)]
    (root / "p").mkdir(parents=True)
    (root / "list").mkdir()
    home = links([(f"/list/{n}.html", f"list {n}") for n in range(len(lists))])
    (root / "index.html").write_text(html_page("Bench site", home, "en", "utf-8"), encoding="utf-8")
    for n, group in enumerate(lists):
        body = links([(f"/p/{e.lang}-{e.number}.html", e.name) for e in group])
        (root / "list" / f"{n}.html").write_text(html_page(f"list {n}", body, "en", "utf-8"), encoding="utf-8")
        for e in group:
            page = html_page(f"{e.name} - {e.products[0]}", e.page(), e.lang, "utf-8", published=e.published)
            (root / "p" / f"{e.lang}-{e.number}.html").write_text(page, encoding="utf-8")
    return 1 + len(lists) + len(people)


def serve(root: Path, work: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """nginx when we have or can install it, else the demo network's Python server."""
    port = free_port()
    if shutil.which("nginx") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx-light"], check=False, capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx:
        (work / "logs").mkdir(exist_ok=True)
        conf = work / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(f"""{user}
worker_processes 1; pid {work}/nginx.pid; error_log {work}/logs/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; etag on; default_type text/html; charset_types text/html;
  client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
  uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
  types {{ text/html html; }}
  server {{ listen 127.0.0.1:{port}; root {root}; index index.html; }} }}
""")
        process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work), "-g", "daemon off;"])
        server = "nginx " + subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    else:
        code = ("import sys, time, pathlib; from crawler.demo_network.server import SiteServer, Resource; "
                "root = pathlib.Path(sys.argv[1]); "
                "pages = {'/' + str(p.relative_to(root)): Resource(p.read_bytes()) for p in root.rglob('*.html')}; "
                "pages['/'] = pages['/index.html']; SiteServer(pages, port=int(sys.argv[2])).start(); time.sleep(1e6)")
        process = subprocess.Popen([sys.executable, "-c", code, str(root), str(port)])
        server = "Python ThreadingHTTPServer (nginx not available)"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}/", server


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout


def ours(work: Path, url: str, source_id: str, pages: int, extra: dict[str, Any] | None = None,
         ) -> tuple[float, dict[str, Any]]:
    catalog = work / f"{source_id}.yaml"
    entry = {"id": source_id, "name": {"zh": "基准", "en": "Bench", "ja": "ベンチ"}, "group": "other",
             "kind": "site", "start_urls": [url], "allow_private": True, "max_pages": pages * 2 + 100, "max_depth": 5,
             "politeness": {"delay": 0, "concurrency": 16, "autothrottle": False, "obey_robots": False},
             **(extra or {})}
    catalog.write_text(yaml.safe_dump({"sources": [entry]}, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(work / "data"), "SMESEARCH_CATALOG": str(catalog)}
    elapsed, _ = timed([sys.executable, "-m", "crawler.run", source_id], env)
    with sqlite3.connect(work / "data" / "crawl.sqlite") as db:
        counters = json.loads(db.execute("SELECT counters FROM runs WHERE source = ? ORDER BY id DESC LIMIT 1",
                                         (source_id,)).fetchone()[0])
    return elapsed, counters


def index_mtimes(work: Path) -> dict[str, int]:
    index = work / "data" / "index" / "embedded"
    return {str(p): p.stat().st_mtime_ns for p in index.rglob("*") if p.is_file()}


CHARSETS = ("gb2312", "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "utf-8")
DECLARED = ("header", "meta", "wrong", "none")


def charset_site() -> dict[str, Any]:
    """Pages per charset and declaration, five enterprises each, as resources of the demo server."""
    import opencc

    from crawler.demo_network.content import enterprises, html_page, links
    from crawler.demo_network.server import Resource

    to_traditional = opencc.OpenCC("s2t").convert
    site: dict[str, Resource] = {}
    for charset in CHARSETS:
        lang = "ja" if charset in ("shift_jis", "euc-jp") else "zh"
        for how in DECLARED:
            for e in enterprises(lang, 5, offset=CHARSETS.index(charset) * 40 + DECLARED.index(how) * 5):
                body = e.page(to_traditional) if charset == "big5" else e.page()
                page = html_page(e.name, body, lang, charset, meta_charset=how == "meta")
                header = {"header": f"text/html; charset={charset}", "wrong": "text/html; charset=iso-8859-1"}
                site[f"/{charset}-{how}-{e.number}.html"] = Resource(page.encode(charset, errors="xmlcharrefreplace"),
                                                                     content_type=header.get(how, "text/html"))
    index = links([(path, path) for path in site])
    site["/"] = Resource(html_page("charsets", index, "en", "utf-8").encode())
    return site


def mojibake_in_index(work: Path, source: str) -> tuple[int, int]:
    from crawler.extract import mojibake_count

    with sqlite3.connect(work / "data" / "index" / "embedded" / "documents.sqlite") as db:
        docs = [json.loads(zlib.decompress(r[0])) for r in db.execute("SELECT doc FROM documents")]
    docs = [d for d in docs if d["source"] == source]
    return len(docs), sum(1 for d in docs if mojibake_count(d["title"] + d["body"]))


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    files = write_site(work / "site", pages)
    server, url, server_name = serve(work / "site", work)
    try:
        bare_s, bare_out = timed([sys.executable, "-c", BARE_SPIDER, url])
        bare_pages = int(bare_out.strip().splitlines()[-1])
        ours_s, first = ours(work, url, "bench", pages)
        before = index_mtimes(work)
        again_s, again = ours(work, url, "bench", pages)
        untouched = index_mtimes(work) == before
    finally:
        server.terminate()
        server.wait()
    from crawler.demo_network.server import SiteServer

    charset_pages = charset_site()
    with SiteServer(charset_pages) as charset_server:
        _, charset_counters = ours(work, charset_server.url + "/", "charsets", len(charset_pages), {"max_depth": 1})
    indexed, with_mojibake = mojibake_in_index(work, "charsets")

    bare_rate, our_rate = bare_pages / bare_s, first["fetched"] / ours_s
    quiet = again["not_modified"] + again["unchanged"]
    result = {
        "machine": machine(), "server": server_name, "site_pages": files,
        "bare_scrapy": {"pages": bare_pages, "seconds": round(bare_s, 1), "pages_per_s": round(bare_rate, 1)},
        "ours": {"pages": first["fetched"], "new": first["new"], "seconds": round(ours_s, 1),
                 "pages_per_s": round(our_rate, 1), "share_of_bare": round(our_rate / bare_rate, 3)},
        "recrawl": {"seconds": round(again_s, 1), "fetched": again["fetched"], "not_modified": again["not_modified"],
                    "unchanged": again["unchanged"], "new": again["new"], "updated": again["updated"],
                    "quiet_share": round(quiet / max(again["fetched"], 1), 3), "index_untouched": untouched},
        "charsets": {"pages": len(charset_pages) - 1, "indexed": indexed, "with_mojibake": with_mojibake,
                     "counters": charset_counters},
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "crawl.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
