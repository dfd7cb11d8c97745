"""Damaged files in the data directory: the document store, a tantivy segment, the index's
meta.json removed under a running server, the translation cache and the scheduler's database.
What the user sees is a sentence saying what to run, readiness tells the truth, and the recovery
is automatic (caches) or one command (`smesearch reindex`, `smesearch restore`)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from indexer.backends.embedded import INDEX_DIR
from operations.app import App
from query_api.app import create_app
from tests.helpers import run, serving, write_jsonl
from translation.cache import TranslationCache

LISTINGS = [{"url": f"https://a.example.cn/{i}", "title": f"沈阳汽车零部件企业寻求日本合资伙伴 {i}",
             "body": "生产刹车系统，寻求合资合作。"} for i in range(30)]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", LISTINGS))).returncode == 0
    return data


def garble(path: Path, every: int = 7) -> None:
    damaged = bytearray(path.read_bytes())
    for i in range(0, len(damaged), every):
        damaged[i] ^= 0xFF
    path.write_bytes(bytes(damaged))


def test_a_damaged_document_store_is_503_with_what_to_do_and_the_cli_says_so(data: Path) -> None:
    store = data / "index" / "embedded" / "documents.sqlite"
    for leftover in (store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        leftover.unlink(missing_ok=True)
    garble(store)
    app = App(Settings(data_dir=data, rate_limit=""))
    client = TestClient(create_app(app), base_url="http://localhost", raise_server_exceptions=False)
    assert client.get("/healthz").status_code == 200  # the process is up ...
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "smesearch restore" in ready.json()["detail"]  # ... and not ready
    search = client.get("/api/search", params={"q": "汽车"})
    assert search.status_code == 503 and search.headers["content-type"] == "application/problem+json"
    assert client.get("/api/suggest", params={"q": "汽"}).status_code == 503
    cli = run(data, "stats")
    assert cli.returncode == 3 and "documents.sqlite cannot be read" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_a_damaged_segment_is_rebuilt_by_reindex_from_the_document_store(data: Path) -> None:
    index = data / "index" / "embedded" / INDEX_DIR
    for segment in index.glob("*.term"):
        garble(segment)
    broken = run(data, "search", "汽车")
    assert broken.returncode == 3 and "run `smesearch reindex`" in broken.stderr
    assert "Traceback" not in broken.stderr
    rebuilt = run(data, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "set aside" in rebuilt.stderr and "reindexed 30 documents" in rebuilt.stdout
    assert list(index.parent.glob(f"damaged-{INDEX_DIR}-*"))  # kept for a post-mortem
    assert "30 results" in run(data, "search", "汽车零部件").stdout


def test_readiness_fails_when_the_index_loses_its_meta_under_a_running_server(data: Path) -> None:
    with serving(data, env={"SMESEARCH_SEARCH_CACHE_S": "0"}) as (base, _):
        assert httpx.get(f"{base}/readyz").status_code == 200
        (data / "index" / "embedded" / INDEX_DIR / "meta.json").unlink()
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 503 and "meta.json" in ready.json()["detail"]
        assert httpx.get(f"{base}/api/search", params={"q": "汽车"}).status_code in (200, 503)  # never a 500
        assert run(data, "reindex").returncode == 0  # the one command that recovers, beside the server
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert httpx.get(f"{base}/api/search", params={"q": "汽车"}).json()["total"] == 30


def test_a_damaged_translation_cache_is_set_aside_and_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = TranslationCache(path)
    cache.put("dictionary", "zh", "en", "汽车", "car")
    cache.close()
    path.write_bytes(b"this is not a database" * 100)
    reopened = TranslationCache(path)  # no error: a cache only saves work
    assert reopened.get("dictionary", "zh", "en", "汽车") is None
    reopened.put("dictionary", "zh", "en", "汽车", "car")
    assert reopened.get("dictionary", "zh", "en", "汽车") == "car"
    assert len(list(tmp_path.glob("cache.sqlite.damaged-*"))) == 1


def _fill_cache(path: str, barrier: Any, writer: int) -> None:
    barrier.wait()  # every process opens the new file at the same moment, as a crawl's workers do
    cache = TranslationCache(Path(path))
    for n in range(10):
        cache.put("dictionary", "zh", "en", f"{writer}-{n}", "x")
    cache.close()


def test_processes_opening_a_new_translation_cache_at_once_share_it_whole(tmp_path: Path) -> None:
    """A busy file is not a damaged one: before, one round in eight set a cache aside that other
    processes were still writing, and the demo's first crawl logged 154 warnings of it."""
    context = multiprocessing.get_context("fork")
    for round_ in range(40):
        path = tmp_path / f"round-{round_}" / "cache.sqlite"
        path.parent.mkdir()
        barrier = context.Barrier(8)
        writers = [context.Process(target=_fill_cache, args=(str(path), barrier, w)) for w in range(8)]
        for w in writers:
            w.start()
        for w in writers:
            w.join(60)
        assert [w.exitcode for w in writers] == [0] * 8
        assert list(path.parent.glob("*.damaged-*")) == [], f"round {round_}"
        assert len(TranslationCache(path)) == 80


def test_a_damaged_scheduler_database_is_a_sentence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "scheduler.sqlite").write_bytes(b"garbage " * 1000)
    for command in (("runs", "list"), ("schedule", "list")):
        result = run(data, *command)
        assert result.returncode == 3, result.stderr
        assert "the scheduler's database cannot be used" in result.stderr and "Traceback" not in result.stderr

