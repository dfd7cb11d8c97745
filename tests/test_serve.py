"""`smesearch serve` as an operator runs it: a real uvicorn process on a free loopback port,
answering over the index that `smesearch import` built, in one process or several."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.helpers import free_port, run, write_jsonl


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_searches_over_the_index(tmp_path: Path, workers: int) -> None:
    data = tmp_path / "data"
    listings = write_jsonl(tmp_path / "l.jsonl", [
        {"url": "https://a.example.cn/auto", "title": "沈阳汽车零部件企业寻求日本合资伙伴", "body": "生产刹车系统。"}])
    assert run(data, "import", str(listings)).returncode == 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "smesearch", "--data-dir", str(data), "serve", "--port", str(port),
                               "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, cwd=tmp_path, env={**os.environ, "SMESEARCH_DATA_DIR": "elsewhere"})
    seen: list[str] = []
    watchdog = threading.Timer(120, server.kill)  # a server that never answers ends the wait below
    watchdog.start()
    try:
        assert server.stdout is not None
        while not seen or not seen[-1].startswith("search API:"):  # the URL is printed once it answers
            line = server.stdout.readline()
            assert line, "the server ended, or did not answer within 2 minutes:\n" + "".join(seen)
            seen.append(line)
        watchdog.cancel()
        found = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "汽车零部件"}, timeout=30)
        assert found.status_code == 200
        assert [r["url"] for r in found.json()["results"]] == ["https://a.example.cn/auto"]
        # Every worker opened the index --data-dir names, not the environment's.
        answers = {httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "汽车"}).json()["total"]
                   for _ in range(10)}
        assert answers == {1}
        # /metrics adds up every worker's requests; the portal page is there too.
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        counted = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                      if line.startswith('smesearch_http_requests_total{') and 'route="/api/search"' in line)
        assert counted == 11
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        watchdog.cancel()
        server.terminate()
        output = "".join(seen) + server.communicate(timeout=30)[0]
    assert "index: 1 documents (embedded)" in output
    # One JSON line per request, with its id and route, and not the query text.
    logged = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    searches = [e for e in logged if e.get("route") == "/api/search"]
    assert len(searches) == 11 and all(len(e["request_id"]) == 32 and e["status"] == 200 for e in searches)
    assert "汽车" not in output.split("search API:")[1]


def test_serve_refuses_to_start_when_the_index_cannot_be_reached(tmp_path: Path) -> None:
    port = free_port()  # nobody listens here once the socket closes
    failed = run(tmp_path / "data", "--backend", "elasticsearch", "serve", "--port", str(free_port()),
                 env={"SMESEARCH_ES_URL": f"http://127.0.0.1:{port}"})
    assert failed.returncode == 3
    assert f"Elasticsearch at http://127.0.0.1:{port} is unreachable" in failed.stderr
    assert "Traceback" not in failed.stderr
