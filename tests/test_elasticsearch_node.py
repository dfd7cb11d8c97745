"""The Elasticsearch node the tests run against (deploy/elasticsearch-local.sh, started by .ci/run)
does what the Elasticsearch backend relies on, and the backend as commands use it: `--backend
elasticsearch` on the CLI, clear errors when the cluster cannot be reached. (The backend's search
behaviour is the contract suite's, tests/test_backend_contract.py, which runs on both backends.)

Locally without SMESEARCH_TEST_ES_URL these tests are skipped with that reason; under CI=true
they fail instead, so CI can never pass without a real node.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import Settings
from tests.helpers import free_port, run, write_jsonl


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run must provide it")
    pytest.skip(reason)


@pytest.fixture
def es() -> Iterator[Any]:
    try:
        import elasticsearch
    except ImportError:
        unavailable("the elasticsearch client is not installed (the [es] extra)")
    url = os.environ.get("SMESEARCH_TEST_ES_URL")
    if not url:
        unavailable("Elasticsearch not started (set SMESEARCH_TEST_ES_URL, as .ci/run does)")
    client = elasticsearch.Elasticsearch(url, request_timeout=30)
    yield client
    client.close()


def remove(es: Any, alias: str) -> None:
    """Leave the shared node as a test found it: the indices behind an alias and their template."""
    es.indices.delete(index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True)
    es.options(ignore_status=404).indices.delete_index_template(name=alias)


def test_the_node_indexes_pre_segmented_text_and_aggregates_and_highlights(es: Any) -> None:
    client = es
    index = f"smesearch-node-check-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=index, mappings={"properties": {
        "body": {"type": "text", "analyzer": "whitespace"}, "site": {"type": "keyword"}}})
    try:
        client.index(index=index, id="1", document={"body": "沈阳 汽车 零部件 企业", "site": "a.example.cn"})
        client.index(index=index, id="2", document={"body": "自動車 部品 代理店", "site": "b.example.jp"})
        client.indices.refresh(index=index)
        found = client.search(index=index, query={"match": {"body": "汽车"}}, highlight={"fields": {"body": {}}},
                              aggs={"sites": {"terms": {"field": "site"}}})
        assert [h["_id"] for h in found["hits"]["hits"]] == ["1"]
        assert found["hits"]["hits"][0]["highlight"]["body"] == ["沈阳 <em>汽车</em> 零部件 企业"]
        assert found["aggregations"]["sites"]["buckets"] == [{"key": "a.example.cn", "doc_count": 1}]
    finally:
        client.indices.delete(index=index)


def test_an_unreachable_cluster_is_a_clear_error() -> None:
    try:
        import elasticsearch  # noqa: F401
    except ImportError:
        unavailable("the elasticsearch client is not installed (the [es] extra)")
    from indexer.backends import BackendError, open_backend

    port = free_port()  # nobody listens there
    with pytest.raises(BackendError, match=rf"127.0.0.1:{port} is unreachable .* SMESEARCH_ES_URL"):
        open_backend(Settings(backend="elasticsearch", data_dir=Path("."), es_url=f"http://127.0.0.1:{port}"))


def test_migrate_copies_the_embedded_index_into_elasticsearch(es: Any, tmp_path: Path) -> None:
    alias = f"smesearch-migrate-{uuid.uuid4().hex[:8]}"
    env = {"SMESEARCH_ES_URL": os.environ["SMESEARCH_TEST_ES_URL"], "SMESEARCH_ES_INDEX": alias}
    rows = [{"url": f"https://a.example.cn/{n}", "title": f"沈阳汽车零部件企业{n}", "body": "寻求日本合资伙伴。"}
            for n in range(30)]
    try:
        assert run(tmp_path / "data", "import", str(write_jsonl(tmp_path / "l.jsonl", rows))).returncode == 0
        moved = run(tmp_path / "data", "migrate", "--from", "embedded", "--to", "elasticsearch", env=env)
        assert moved.returncode == 0, moved.stderr
        assert "copied 30 documents from embedded to elasticsearch (30 new" in moved.stdout
        found = json.loads(run(tmp_path / "data", "--backend", "elasticsearch", "search", "合资伙伴", "--json",
                               "--limit", "50", env=env).stdout)
        assert found["total"] == 30 and len(found["results"]) == 30
        again = run(tmp_path / "data", "migrate", env=env)  # idempotent: nothing changed
        assert "(0 new, 0 updated, 30 already there)" in again.stdout
    finally:
        remove(es, alias)


def test_commands_use_elasticsearch_when_told(es: Any, tmp_path: Path) -> None:
    alias = f"smesearch-cli-{uuid.uuid4().hex[:8]}"
    env = {"SMESEARCH_BACKEND": "elasticsearch", "SMESEARCH_ES_URL": os.environ["SMESEARCH_TEST_ES_URL"],
           "SMESEARCH_ES_INDEX": alias}
    try:
        listings = write_jsonl(tmp_path / "l.jsonl", [
            {"url": "https://a.example.cn/auto", "title": "沈阳汽车零部件企业寻求日本合资伙伴", "body": "生产刹车系统。"},
            {"url": "https://b.example.jp/p", "title": "自動車部品の販売代理店を募集", "body": "ブレーキ部品です。"}])
        imported = run(tmp_path / "data", "import", str(listings), env=env)
        assert imported.returncode == 0, imported.stderr
        found = json.loads(run(tmp_path / "data", "search", "汽车零部件", "--json", env=env).stdout)["results"]
        assert [r["url"] for r in found] == ["https://a.example.cn/auto"]
        stats = json.loads(run(tmp_path / "data", "stats", "--json", env=env).stdout)
        assert stats["backend"] == "elasticsearch" and stats["documents"] == 2 and stats["last_commit"]
        assert not (tmp_path / "data" / "index").exists()  # nothing went to the embedded engine
    finally:
        remove(es, alias)


def test_reindex_swaps_the_alias_while_searches_keep_answering(es: Any, tmp_path: Path) -> None:
    import threading

    from analysis import Analyser
    from indexer.backends import open_backend
    from indexer.pipeline import Indexer
    from indexer.service import SearchService
    from tests.helpers import doc

    alias = f"smesearch-reindex-{uuid.uuid4().hex[:8]}"
    backend = open_backend(Settings(backend="elasticsearch", data_dir=tmp_path, es_url=os.environ["SMESEARCH_TEST_ES_URL"], es_index=alias))
    try:
        analyser = Analyser()
        indexer = Indexer(analyser, backend)
        documents = [doc(f"https://a.example.cn/{n}", title=f"沈阳汽车零部件企业{n}号", body="生产刹车系统，寻求合资伙伴。")
                     for n in range(1500)]
        indexer.index(documents)
        service = SearchService(analyser, backend)
        seen: list[int] = []
        errors: list[BaseException] = []
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                try:
                    seen.append(service.search("汽车零部件").total)
                except BaseException as exc:
                    errors.append(exc)

        thread = threading.Thread(target=reader)
        thread.start()
        new, count = backend.reindex(indexer.prepare_many, batch_size=200)  # type: ignore[attr-defined]
        time.sleep(0.5)  # a few searches after the swap too
        stop.set()
        thread.join()
        assert (new, count) == (f"{alias}-v2", 1500)
        assert list(es.indices.get_alias(name=alias)) == [new]  # the old index is gone
        assert errors == [] and len(seen) > 5 and set(seen) == {1500}
        # The new version took this code's mappings from the index template, and its settings are
        # back to normal once the copy is done.
        (template,) = es.indices.get_index_template(name=alias)["index_templates"]
        assert template["index_template"]["index_patterns"] == [f"{alias}-v*"]
        mapping = es.indices.get_mapping(index=new)[new]["mappings"]
        assert mapping["dynamic"] == "strict" and mapping["properties"]["title_exact"]["analyzer"] == "whitespace"
        settings = es.indices.get_settings(index=new)[new]["settings"]["index"]
        assert (settings["refresh_interval"], settings["number_of_replicas"]) == ("30s", "1")
    finally:
        backend.drop()
        backend.close()


def test_a_conflicting_mapping_is_a_clear_error(es: Any, tmp_path: Path) -> None:
    from analysis import Analyser
    from indexer.backends import BackendError, open_backend
    from indexer.pipeline import Indexer
    from tests.helpers import doc

    alias = f"smesearch-conflict-{uuid.uuid4().hex[:8]}"
    # Someone else's index already answers to our alias, with "title" as a number.
    es.indices.create(index=f"{alias}-other", mappings={"properties": {"title": {"type": "long"}}},
                      aliases={alias: {"is_write_index": True}})
    try:
        backend = open_backend(Settings(backend="elasticsearch", data_dir=tmp_path, es_url=os.environ["SMESEARCH_TEST_ES_URL"], es_index=alias))
        with pytest.raises(BackendError, match=r"refused documents: document_parsing_exception.*a mapping conflict"):
            Indexer(Analyser(), backend).index([doc("https://a.example.cn/1", title="沈阳汽车零部件")])
        backend.close()
    finally:
        es.indices.delete(index=f"{alias}-other")
