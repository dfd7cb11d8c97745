"""The Elasticsearch node the tests run against (deploy/elasticsearch-local.sh, started by .ci/run)
does what the Elasticsearch backend will rely on: whitespace-analysed text, keyword terms
aggregations and highlighting, with the official Python client.

Locally without SMESEARCH_TEST_ES_URL these tests are skipped with that reason; under CI=true
they fail instead, so CI can never pass without a real node.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest


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
