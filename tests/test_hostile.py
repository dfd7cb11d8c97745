"""What a hostile tester and a careless operator tried on the running service, and what happens
now: each case is a hole that one such session found open (issue 15), against real `smesearch
serve` processes on loopback, real crawls and the real CLI."""

from __future__ import annotations

import concurrent.futures
import os
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
import yaml

from config import DataDir, Settings
from crawler.catalog import CatalogError, load_catalog
from crawler.demo_network.server import Resource, SiteServer
from crawler.runlock import EXIT_SOURCE_BUSY, source_run_lock
from operations.operators import OperatorKeys
from scheduler.runner import execute
from scheduler.store import RunStore
from tests.helpers import run, serving, write_jsonl
from tests.test_crawl import NAME, Crawl, html, source

LISTINGS = [{"url": f"https://a.example.cn/{i}", "title": f"沈阳汽车零部件企业寻求日本合资伙伴 {i}",
             "body": "生产刹车系统，寻求合资合作。"} for i in range(20)]
SOURCE = {"id": "acme", "name": NAME, "group": "other", "kind": "site", "start_urls": ["https://acme.example.cn/"]}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("hostile") / "data"
    assert run(data, "import", str(write_jsonl(data.parent / "l.jsonl", LISTINGS))).returncode == 0
    return data


@pytest.fixture(scope="module")
def api(data: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Two workers, as in production, no rate limit (the rate-limit case starts its own)."""
    key = OperatorKeys(data / "operators.sqlite").add("tester", "admin")
    with serving(data, env={"SMESEARCH_RATE_LIMIT": ""}, workers=2) as (base, _):
        yield base, {"Authorization": f"Bearer {key}"}


def test_a_chunked_upload_is_cut_off_at_the_body_limit_without_a_key(api: tuple[str, Any]) -> None:
    """A 1 GB chunked body was read whole (3.6 GB RSS); now the answer comes after about 1 MB."""
    port = urlsplit(api[0]).port
    chunk = b"x" * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST /api/admin/sources HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        while sent < 1 << 30 and not answer:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                answer = sock.recv(65536)
            elif writable:
                sent += sock.send(framed)
            else:
                raise AssertionError("the server neither read nor answered for 30 s")
        try:
            while chunk := sock.recv(65536):  # the rest of the answer, until the server closes
                answer += chunk
        except ConnectionResetError:
            pass  # closing on a body it never read, the server's kernel resets: the answer's body may be lost
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"content-type: application/problem+json" in answer.lower()  # our guard's answer
    if b"\r\n\r\n{" in answer:
        assert b"request bodies are limited to 1048576 bytes" in answer
    assert sent < 64 << 20  # what the socket buffers held when the answer came, not a gigabyte
    assert httpx.get(f"{api[0]}/healthz").status_code == 200  # the worker lives on


def test_file_sources_read_only_the_import_directory_and_stay_private(api: tuple[str, dict[str, str]],
                                                                      data: Path) -> None:
    base, admin = api
    details = set()
    for location in ("file:///etc/passwd", "/etc/shadow-that-does-not-exist", "/dev/zero",
                     "../../etc/passwd", "file:///proc/self/environ", "imports/\u0000x"):
        refused = httpx.post(f"{base}/api/admin/sources", headers=admin, json={
            **SOURCE, "id": "leak", "kind": "jsonl", "start_urls": [location]})
        assert refused.status_code == 422, refused.text
        detail = refused.json()["detail"]
        assert "SMESEARCH_IMPORT_DIR" in detail and "No such file" not in detail
        details.add(detail.split("'")[2])  # the sentence without the path: the same whether the file exists
    assert len(details) == 1
    imports = data / "imports"
    imports.mkdir(exist_ok=True)
    write_jsonl(imports / "partners.jsonl", LISTINGS[:2])
    made = httpx.post(f"{base}/api/admin/sources", headers=admin, json={
        **SOURCE, "id": "partners", "kind": "jsonl", "start_urls": ["partners.jsonl"]})
    assert made.status_code == 201, made.text
    assert made.json()["start_urls"] == [str((imports / "partners.jsonl").resolve())]
    public = {s["id"]: s for s in httpx.get(f"{base}/api/sources").json()}
    assert public["partners"]["start_urls"] == []  # where the server keeps its files is nobody's business
    assert public["partners"]["kind"] == "jsonl"


def test_a_device_file_in_the_catalog_fails_the_run_at_once(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path).sources({**SOURCE, "id": "t", "kind": "jsonl", "start_urls": ["/dev/zero"]})
    result = crawl.run("crawl", "t", timeout=60)
    assert result.returncode == 4
    assert "/dev/zero is not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_allow_private_is_not_for_keys_to_grant(api: tuple[str, dict[str, str]]) -> None:
    base, admin = api
    refused = httpx.post(f"{base}/api/admin/sources", headers=admin, json={
        **SOURCE, "id": "intranet", "start_urls": ["http://10.0.0.8/"], "allow_private": True})
    assert refused.status_code == 422 and "--allow-private" in refused.json()["detail"]


def test_parallel_additions_are_all_kept(api: tuple[str, dict[str, str]]) -> None:
    """40 at once through two workers kept 8 of them, each answered 201."""
    base, admin = api

    def add(i: int) -> int:
        entry = {**SOURCE, "id": f"parallel-{i}", "start_urls": [f"https://p{i}.example.cn/"]}
        return httpx.post(f"{base}/api/admin/sources", headers=admin, json=entry, timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(add, range(40)))
    assert answers == [201] * 40
    listed = {s["id"] for s in httpx.get(f"{base}/api/admin/sources", headers=admin).json()}
    assert {f"parallel-{i}" for i in range(40)} <= listed
    again = httpx.post(f"{base}/api/admin/sources", headers=admin,
                       json={**SOURCE, "id": "parallel-0", "start_urls": ["https://p0.example.cn/"]})
    assert again.status_code == 409


def test_a_second_crawl_of_a_source_does_not_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two crawls of one source both fetched everything; a scheduled run beside a CLI crawl was
    recorded as failed. The lock is held here as a running crawl holds it."""
    with SiteServer({"/": Resource(html("Brake parts", "We make brake parts."))}) as site:
        crawl = Crawl(tmp_path).sources(source(site))
        with source_run_lock(DataDir(crawl.data).run_locks, "t"):
            busy = crawl.run("crawl", "t")
            assert busy.returncode == EXIT_SOURCE_BUSY
            assert f"source t is being crawled already (by process {os.getpid()} since" in busy.stderr
            assert "Traceback" not in busy.stderr
            assert site.requests == []  # the site saw nothing of the second crawl

            monkeypatch.setenv("SMESEARCH_CATALOG", str(crawl.catalog))
            monkeypatch.setenv("SMESEARCH_CRAWL_WORKERS", "0")
            settings = Settings(data_dir=crawl.data, alert_failures=1)
            store = RunStore(settings.scheduler_database_url)
            scheduled = execute(settings, store, store.enqueue("t", "schedule"), "test-scheduler")
            assert scheduled.status == "skipped" and "being crawled already" in (scheduled.error or "")
            assert store.alerts("t") == []  # nothing failed, so nobody is woken up
            store.close()
        # Once the other crawl is over, the source crawls as usual and the CLI reports its own run.
        done = crawl.run("crawl", "t")
        assert done.returncode == 0, done.stderr
        assert "fetched 2 pages" in done.stdout  # robots.txt and the page
        assert crawl.last_run()["status"] == "succeeded"


def test_deeply_nested_queries_are_a_bad_query_not_a_crash(api: tuple[str, Any], data: Path) -> None:
    query = "(" * 330 + "brake"  # 328 levels overflowed the stack; the length limit (500) allows them
    answer = httpx.get(f"{api[0]}/api/search", params={"q": query})
    assert answer.status_code == 400
    assert "parentheses nest more than 32 deep" in answer.json()["detail"]
    assert httpx.get(f"{api[0]}/api/search", params={"q": "(" * 30 + "汽车" + ")" * 30}).status_code == 200
    cli = run(data, "search", query)
    assert cli.returncode == 2 and "nest more than 32 deep" in cli.stderr and "Traceback" not in cli.stderr


def test_forged_host_headers_never_become_links(data: Path) -> None:
    env = {"SMESEARCH_RATE_LIMIT": "", "SMESEARCH_PUBLIC_BASE_URL": "https://search.example.cn"}
    with serving(data, env=env) as (base, _):
        forged = httpx.get(f"{base}/embed", headers={"Host": "evil.example"})
        assert forged.status_code == 400 and "SMESEARCH_ALLOWED_HOSTS" in forged.json()["detail"]
        redirect = httpx.get(f"{base}/api/search/", params={"q": "x"}, headers={"Host": "evil.example"})
        assert redirect.status_code == 400 and "location" not in redirect.headers
        embed = httpx.get(f"{base}/embed", headers={"Host": "search.example.cn"}).text
        assert "https://search.example.cn/widget.js" in embed and "127.0.0.1" not in embed
        assert httpx.get(f"{base}/api/search", params={"q": "汽车"}).status_code == 200


def test_the_rate_limit_is_one_limit_whatever_the_number_of_workers(data: Path) -> None:
    """Per-worker counters let a client make the rate times the workers."""
    with serving(data, env={"SMESEARCH_RATE_LIMIT": "10/minute"}, workers=2) as (base, _):
        answers = []
        for _ in range(30):
            with httpx.Client() as fresh:  # a new connection each time, so both workers answer
                answers.append(fresh.get(f"{base}/api/suggest", params={"q": "汽"}).status_code)
        assert answers.count(200) == 10 and answers.count(429) == 20


def test_loopback_in_any_spelling_is_refused_when_a_source_is_added(tmp_path: Path) -> None:
    for host in ("0x7f000001", "2130706433", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]"):
        path = tmp_path / "catalog.yaml"
        path.write_text(yaml.safe_dump({"sources": [{**SOURCE, "start_urls": [f"http://{host}/"]}]}),
                        encoding="utf-8")
        with pytest.raises(CatalogError, match="loopback address"):
            load_catalog(path)
    added = run(tmp_path / "data", "sources", "add", "x", "--start-url", "http://0x7f000001:8080/",
                "--name-zh", "x", "--name-en", "x", "--name-ja", "x")
    assert added.returncode == 1 and "loopback address" in added.stderr


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy on loopback standing in for the internet: answers every request with one
    page, and remembers the Host it was asked for."""

    hosts: list[str] = []  # noqa: RUF012 (one list per test, reset by the test)

    def do_GET(self) -> None:
        self.hosts.append(self.headers["Host"])
        body = html("沈阳企业网", "沈阳汽车零部件企业寻求日本合资伙伴。") if self.path.endswith("/") else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def test_an_internationalised_host_name_is_crawled_by_its_punycode(tmp_path: Path) -> None:
    """`http://沈阳企业.中国/` fetched nothing and succeeded."""
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    _Proxy.hosts = []
    try:
        crawl = Crawl(tmp_path).sources({**source(SiteServer({})), "start_urls": ["http://沈阳企业.中国/"],
                                         "max_depth": 0})
        crawl.env.update({"http_proxy": f"http://127.0.0.1:{proxy.server_port}", "no_proxy": ""})
        counters = crawl.crawl("t")
    finally:
        proxy.shutdown()
    assert "xn--vhquvu22ed50b.xn--fiqs8s" in _Proxy.hosts
    assert counters["new"] == 1


def test_an_ipv6_literal_start_url_is_crawled(tmp_path: Path) -> None:
    """`http://[::1]:PORT/` failed as "dns"."""
    if not socket.has_ipv6:
        pytest.fail("this machine has no IPv6 loopback")
    with SiteServer({"/": Resource(html("IPv6 partner page", "We make brake parts for export."))},
                    host="::1") as server:
        crawl = Crawl(tmp_path).sources(source(server))
        assert server.url.startswith("http://[::1]:")
        counters = crawl.crawl("t")
    assert counters["new"] == 1 and not counters["errors"]


def test_a_run_that_fetches_nothing_is_not_a_success(tmp_path: Path) -> None:
    with SiteServer({"/robots.txt": Resource(b"User-agent: *\nDisallow: /\n", "text/plain")}) as site:
        crawl = Crawl(tmp_path).sources(source(site))
        result = crawl.run("crawl", "t")
    assert result.returncode == 4
    assert crawl.last_run()["status"] == "failed"
    assert "every start URL was filtered out (robots.txt 1" in crawl.last_run()["error"]

