"""Processes killed with SIGKILL: an import in the middle of a batch leaves an index that opens and
is whole up to its last commit, and importing again completes it without duplicates; an API worker
under load is replaced and no acknowledged write is lost. (A killed crawl and a killed scheduler:
tests/test_crawl.py and tests/test_scheduler.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx

from analysis import Analyser
from config import Settings
from indexer.backends import open_backend
from indexer.service import SearchService
from operations.operators import OperatorKeys
from tests.helpers import run, serving, stored_count, tantivy_count, write_jsonl

BATCH = 500
TOTAL = 20_000


def write_corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(TOTAL):
            f.write(json.dumps({"url": f"https://bulk.example.cn/offer/{i}",
                                "title": f"沈阳汽车零部件供应商第{i}号 auto parts offer {i}",
                                "body": "我公司生产发动机配件和刹车系统，寻求日本合资伙伴。" * 5,
                                "lang": "zh"}, ensure_ascii=False) + "\n")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_sigkill_during_import_loses_at_most_the_batch_in_flight(tmp_path: Path, analyser: Analyser) -> None:
    corpus = tmp_path / "bulk.jsonl"
    write_corpus(corpus)
    data = tmp_path / "data"
    index_dir = data / "index" / "embedded"
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_IMPORT_BATCH_SIZE": str(BATCH)}
    proc = subprocess.Popen([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored_count(index_dir / "documents.sqlite") < 3 * BATCH:
        assert proc.poll() is None, "the import finished before it could be killed; make the corpus larger"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = children(proc.pid)
    assert workers, "a long import analyses in worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "analysis workers outlived their killed importer"
        time.sleep(0.1)

    stored = stored_count(index_dir / "documents.sqlite")
    indexed = tantivy_count(index_dir)
    assert 0 < stored < TOTAL
    assert stored % BATCH == 0  # whole batches only
    assert indexed in (stored, stored + BATCH)  # the index commits first, then the store

    backend = open_backend(Settings(data_dir=data))
    try:
        hits = SearchService(analyser, backend).search("汽车零部件", size=5)
        assert hits.total == indexed and len(hits.hits) == 5
    finally:
        backend.close()

    redo = subprocess.run([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert redo.returncode == 0, redo.stderr
    assert f"unchanged {stored}" in redo.stdout
    assert stored_count(index_dir / "documents.sqlite") == TOTAL
    assert tantivy_count(index_dir) == TOTAL  # no duplicates from the batch that was in the index only


def test_sigkill_of_an_api_worker_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """Searches and source additions from several clients while one of two workers is killed:
    clients of that worker see a dropped connection (never a 5xx), every addition answered 201 is
    in the catalog, and the supervisor starts a new worker that answers within seconds."""
    data = tmp_path / "data"
    listings = [{"url": f"https://a.example.cn/{i}", "title": f"汽车零部件 {i}", "body": "寻求合资伙伴。"} for i in range(50)]
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", listings))).returncode == 0
    key = OperatorKeys(data / "operators.sqlite").add("loader", "admin")
    admin = {"Authorization": f"Bearer {key}"}
    outcomes: dict[str, list[object]] = {"status": [], "transport": [], "added": []}
    stop = threading.Event()

    def client(number: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                with httpx.Client(timeout=30) as fresh:  # a new connection each time: both workers are used
                    if i % 5 == 0:
                        source_id = f"load-{number}-{i}"
                        answer = fresh.post(f"{base}/api/admin/sources", headers=admin, json={
                            "id": source_id, "name": {"zh": "甲", "en": "A", "ja": "甲"}, "group": "other",
                            "start_urls": [f"https://{source_id}.example.cn/"]})
                        if answer.status_code == 201:
                            outcomes["added"].append(source_id)
                    else:
                        answer = fresh.get(f"{base}/api/search", params={"q": f"汽车 {i % 7}"})
                    outcomes["status"].append(answer.status_code)
            except httpx.TransportError as exc:
                outcomes["transport"].append(type(exc).__name__)

    with serving(data, env={"SMESEARCH_RATE_LIMIT": "", "SMESEARCH_SEARCH_CACHE_S": "0"}, workers=2) as (base, server):
        workers = [pid for pid in children(server.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            now = [pid for pid in children(server.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            if len(now) == 2 and workers[0] not in now:
                break
            assert time.monotonic() < deadline, "no new worker within a minute"
            time.sleep(0.2)
        time.sleep(5)  # the new worker takes its share of the load
        stop.set()
        for thread in threads:
            thread.join()
        catalog = httpx.get(f"{base}/api/admin/sources", headers=admin).json()
    assert not [s for s in outcomes["status"] if isinstance(s, int) and s >= 500]
    assert outcomes["status"].count(200) > 50 and outcomes["added"]
    assert set(outcomes["added"]) <= {s["id"] for s in catalog}  # nothing acknowledged was lost
    assert len(outcomes["transport"]) <= 4  # at most the requests in flight on the killed worker
