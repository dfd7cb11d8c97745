"""The minimal HTTP API of the foundation: search and health, with errors as problem details."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.analysis import Analyser
from indexer.backends import open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from query_api.app import create_app
from tests.helpers import doc


@pytest.fixture
def client(analyser: Analyser, tmp_path: Path) -> TestClient:
    backend = open_backend("embedded", tmp_path)
    Indexer(analyser, backend).index([
        doc("https://a.example.cn/auto", title="沈阳汽车零部件企业寻求日本合资伙伴",
            body="生产汽车零部件，寻求合资合作。", published_at="2024-03-01"),
        doc("https://c.example.com/jv", title="Auto parts supplier seeks joint venture partner",
            body="We make brake systems <script>alert(1)</script> and seek a partner."),
    ])
    return TestClient(create_app(SearchService(analyser, backend)), raise_server_exceptions=False)


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_search_returns_results_facets_and_the_parsed_query(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "沈阳汽车零部件", "ui_lang": "zh"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["url"] == "https://a.example.cn/auto"
    assert hit["categories"] == [{"id": 8, "name": "汽车及零部件"}]
    assert [hit["title"]["text"][s:e] for s, e in hit["title"]["highlights"]] == ["沈阳汽车零部件"]
    assert {f["value"]: f["count"] for f in body["facets"]["lang"]} == {"zh": 1}
    assert body["query"]["plan"]["readings"][0]["words"] == ["沈阳", "汽车零部件"]


def test_crawled_markup_comes_back_as_plain_text(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "brake"}).json()["results"][0]
    assert "<script>alert(1)</script>" in hit["snippet"]["text"]  # text, for the client to escape
    assert "<mark>" not in hit["snippet"]["text"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": "(汽车"}, "never closed"),
        ({"q": ""}, "empty"),
        ({"q": "汽车", "size": 500}, "between 1 and 100"),
        ({"q": "汽车", "page": 500}, "first 1000"),
        ({"q": "汽车", "category": 12}, "category"),
        ({"q": "汽车", "service": "sell"}, "service 'sell'"),
        ({"q": "汽车", "from": "last week"}, "from must be a date"),
        ({}, "q"),
    ],
)
def test_bad_requests_are_problem_details(client: TestClient, params: dict[str, object], detail: str) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"]
    assert "Traceback" not in r.text
