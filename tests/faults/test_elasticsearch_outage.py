"""Elasticsearch stopped while the API serves searches: answers are 503 problem details saying
the cluster is unreachable (never a 500 or a hang), readiness says not ready, and searches come
back by themselves when the cluster does. The node is cut off by a TCP relay in front of the
test node, so the shared node itself keeps running for the other tests. (A node stopped during a
crawl: tests/test_elasticsearch_cluster.py, where the crawl spools and loses nothing.)"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from tests.helpers import doc


class Relay:
    """A TCP relay on a loopback port to the node: `cut()` closes every connection and refuses
    new ones, as a stopped node does; `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        assert self._server is not None
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread: close alone does not
        self._server.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def relayed(tmp_path: Path) -> Iterator[tuple[TestClient, Relay]]:
    url = os.environ.get("SMESEARCH_TEST_ES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SMESEARCH_TEST_ES_URL is not set: .ci/run must start Elasticsearch")
        pytest.skip("Elasticsearch not started (set SMESEARCH_TEST_ES_URL, as .ci/run does)")
    parts = urlsplit(url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 9200))
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=f"http://127.0.0.1:{relay.port}",
                        es_index=f"smesearch-test-{uuid.uuid4().hex[:12]}", es_replicas=0, rate_limit="",
                        search_cache_s=0)
    app = App(settings)
    app.indexer.index([doc(f"https://a.example.cn/{i}", title=f"沈阳汽车零部件企业 {i}", body="寻求日本合资伙伴。")
                       for i in range(10)])
    yield TestClient(create_app(app), base_url="http://localhost", raise_server_exceptions=False), relay
    with contextlib.suppress(Exception):
        relay.restore()
    app.backend.drop()
    app.close()


def test_searches_during_an_outage_are_503_and_recover_by_themselves(relayed: tuple[TestClient, Relay]) -> None:
    client, relay = relayed
    assert client.get("/api/search", params={"q": "汽车零部件"}).json()["total"] == 10
    relay.cut()
    started = time.monotonic()
    down = client.get("/api/search", params={"q": "合资"})
    assert time.monotonic() - started < 60  # an answer, not a hang
    assert down.status_code == 503 and down.headers["retry-after"] == "30"
    assert "is unreachable" in down.json()["detail"] and "SMESEARCH_ES_URL" in down.json()["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "unreachable" in ready.json()["detail"]
    assert client.get("/healthz").status_code == 200
    relay.restore()
    assert client.get("/api/search", params={"q": "合资"}).json()["total"] == 10
    assert client.get("/readyz").status_code == 200
