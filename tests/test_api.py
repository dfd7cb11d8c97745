"""The HTTP API as its users meet it: search with facets and "did you mean", suggestions, the
term-to-sites reference list, labels with live counts, documents, sources, operations routes,
operator credentials, the guards, and errors as problem details with a message and a request id."""

from __future__ import annotations

import gc
import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from crawler.catalog import load_catalog
from crawler.state import CrawlState
from operations.app import App
from query_api.answers import Answer, AnswerCache
from query_api.app import create_app
from query_api.models import SearchOut
from tests.helpers import doc, forget_finished_apps

PAGES = [
    doc("https://a.example.cn/auto", title="沈阳汽车零部件企业寻求日本合资伙伴", body="生产汽车零部件，寻求合资合作。",
        published_at="2024-03-01", company="沈阳某汽车配件有限公司"),
    doc("https://c.example.com/jv", title="Auto parts supplier seeks joint venture partner",
        body="We make brake systems <script>alert(1)</script> and seek a partner."),
    doc("https://b.example.jp/agent", title="自動車部品の販売代理店を募集", body="ブレーキ部品を製造しています。代理店を募集します。"),
]


def open_client(tmp_path: Path, **settings: Any) -> tuple[TestClient, App]:
    app = App(Settings(data_dir=tmp_path / "data", **{"rate_limit": "", "search_cache_s": 0, **settings}))
    app.indexer.index([doc(d.url, **{k: v for k, v in d.to_dict().items() if k != "url"}) for d in PAGES])
    return TestClient(create_app(app), base_url="http://localhost", raise_server_exceptions=False), app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    client, app = open_client(tmp_path)
    yield client
    app.close()


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "backend": "embedded", "documents": 3}


def test_search_returns_results_facets_and_the_parsed_query(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "沈阳汽车零部件", "ui_lang": "zh"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["url"] == "https://a.example.cn/auto"
    assert hit["categories"] == [{"id": 8, "name": "汽车及零部件"}]
    assert hit["published_at"].startswith("2024-03-01")
    assert [hit["title"]["text"][s:e] for s, e in hit["title"]["highlights"]] == ["沈阳汽车零部件"]
    assert {f["value"]: f["count"] for f in body["facets"]["lang"]} == {"zh": 1}
    assert {"value": "8", "count": 1, "name": "汽车及零部件"} in body["facets"]["category"]
    # The user sees how 沈阳汽车零部件 was segmented.
    assert body["query"]["plan"]["readings"][0]["words"] == ["沈阳", "汽车零部件"]
    assert body["did_you_mean"] is None


@pytest.mark.parametrize("params", [{"q": "沈阳汽车零部件", "ui_lang": "ja"}, {"q": "brake", "snippet_lang": "zh"},
                                    {"q": "nothing-matches-this", "mode": "sentence"}])
def test_search_answers_are_exactly_the_documented_schema(client: TestClient, params: dict[str, str]) -> None:
    """The search answer is serialised without pydantic (the fast path): it must still be exactly
    SearchOut, no field missing (a default would fill it) and none extra (it would be dropped)."""
    r = client.get("/api/search", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert SearchOut.model_validate(body).model_dump(mode="json") == body


def test_a_search_counts_only_the_facets_it_asks_for(client: TestClient) -> None:
    total = client.get("/api/search", params={"q": "汽车零部件 OR brake"}).json()["total"]
    r = client.get("/api/search", params={"q": "汽车零部件 OR brake", "facets": "service,lang"}).json()
    assert set(r["facets"]) == {"service", "lang"} and r["total"] == total == 2
    r = client.get("/api/search", params={"q": "汽车零部件 OR brake", "facets": ""}).json()
    assert r["facets"] == {} and r["total"] == 2
    bad = client.get("/api/search", params={"q": "brake", "facets": "colour"})
    assert bad.status_code == 400 and "the facets are category, service, lang, group, site" in bad.json()["detail"]


def test_filters_narrow_the_results_and_size_pages_them(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "部品 OR parts OR 零部件"}).json()
    assert everything["total"] == 3
    assert client.get("/api/search", params={"q": "部品 OR parts OR 零部件", "lang": "ja"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "部品 OR parts OR 零部件", "service": "agent"}).json()["total"] == 1
    first = client.get("/api/search", params={"q": "部品 OR parts OR 零部件", "size": 2}).json()
    second = client.get("/api/search", params={"q": "部品 OR parts OR 零部件", "size": 2, "page": 2}).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert {r["url"] for r in first["results"] + second["results"]} == {d.url for d in PAGES}


def test_crawled_markup_comes_back_as_plain_text(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "brake"}).json()["results"][0]
    assert "<script>alert(1)</script>" in hit["snippet"]["text"]  # text, for the client to escape
    assert "<mark>" not in hit["snippet"]["text"]


def test_a_misspelt_query_that_finds_nothing_gets_a_suggestion_that_does(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "suplier"}).json()
    assert body["total"] == 0
    assert body["did_you_mean"] == "supplier"
    assert client.get("/api/search", params={"q": body["did_you_mean"]}).json()["total"] == 1
    # Nothing close: no suggestion rather than a wild one.
    assert client.get("/api/search", params={"q": "zebra"}).json()["did_you_mean"] is None


def test_suggest_completes_titles_companies_and_terms(client: TestClient) -> None:
    found = client.get("/api/suggest", params={"q": "沈阳"}).json()["suggestions"]
    assert {"text": "沈阳汽车零部件企业寻求日本合资伙伴", "kind": "title"} in found
    assert {"text": "沈阳某汽车配件有限公司", "kind": "company"} in found
    assert client.get("/api/suggest", params={"q": "auto"}).json()["suggestions"][0]["text"].lower().startswith("auto")
    assert client.get("/api/suggest", params={"q": "   "}).json()["suggestions"] == []
    # Kanji alone could be Chinese or Japanese: a Japanese title is offered for 自動 too.
    assert {"text": "自動車部品の販売代理店を募集", "kind": "title"} in \
        client.get("/api/suggest", params={"q": "自動"}).json()["suggestions"]


def test_term_sites_is_the_retrieval_reference_list(client: TestClient) -> None:
    body = client.get("/api/terms/汽车零部件/sites").json()
    assert body["sites"] == [{"site": "a.example.cn", "documents": 1, "sample_url": "https://a.example.cn/auto",
                              "sample_title": "沈阳汽车零部件企业寻求日本合资伙伴"}]
    assert client.get("/api/terms/%E2%80%8B/sites").status_code == 400  # only a zero-width space


def test_categories_and_services_have_three_names_and_live_counts(client: TestClient) -> None:
    categories = client.get("/api/categories").json()
    assert [c["id"] for c in categories] == list(range(12))
    auto = categories[8]
    assert auto["names"]["zh"] == "汽车及零部件" and set(auto["names"]) == {"zh", "en", "ja"}
    assert auto["documents"] == 3
    services = {s["id"]: s for s in client.get("/api/services").json()}
    assert list(services) == ["tie_up", "agent", "invest", "capital", "purchase", "recruit"]
    assert services["agent"]["documents"] == 1


def test_a_document_with_its_fields_and_a_missing_one(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "brake"}).json()["results"][0]
    one = client.get(f"/api/documents/{hit['id']}").json()
    assert one["url"] == "https://c.example.com/jv"
    assert one["body"].startswith("We make brake systems")
    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "no document 'nope'" in missing.json()["detail"]


def test_sources_show_each_ones_last_crawl_and_page_count(tmp_path: Path) -> None:
    client, app = open_client(tmp_path)
    source = load_catalog().sources[0].id
    state = CrawlState(app.settings.paths.crawl_state)
    run = state.start_run(source)
    state.finish_run(run, "succeeded", {"fetched": 12})
    state.finish_run(state.start_run(source), "failed", {}, "site down")
    state.close()
    listed = {s["id"]: s for s in client.get("/api/sources").json()}
    assert set(listed) == {s.id for s in load_catalog().sources}
    assert listed[source]["last_crawled_at"] is not None  # the successful run, not the failed one after it
    assert listed[source]["last_run_status"] == "failed"
    assert listed[source]["documents"] == 0  # our pages came from an import, not from this source
    app.close()


@pytest.mark.parametrize(("ui_lang", "detail"), [
    ("zh", "这个左括号没有闭合（第 1 个字符处）"), ("ja", "この開き括弧が閉じられていません（1 文字目）"),
    ("en", "this parenthesis is never closed (at character 1)")])
def test_a_bad_query_is_explained_in_the_language_answers_are_asked_in(client: TestClient, ui_lang: str,
                                                                         detail: str) -> None:
    r = client.get("/api/search", params={"q": "(汽车", "ui_lang": ui_lang})
    assert r.status_code == 400 and r.json()["detail"] == detail


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"q": "(汽车"}, 400, "never closed"),
        ({"q": ""}, 400, "empty"),
        ({"q": "汽车", "size": 500}, 422, "size: Input should be less than or equal to 100"),
        ({"q": "汽车", "page": 500}, 400, "first 1000"),
        ({"q": "汽车", "page": 10**15}, 422, "page"),
        ({"q": "汽车", "category": 12}, 422, "categories are 0 (all) to 11"),
        ({"q": "汽车", "category": "cars"}, 422, "category: Input should be a valid integer"),
        ({"q": "汽车", "service": "sell"}, 400, "service 'sell'"),
        ({"q": "汽车", "from": "last week"}, 400, "from must be a date"),
        ({"q": "x" * 1201}, 422, "q: String should have at most 1200 characters"),
        ({}, 422, "q: Field required"),
    ],
)
def test_bad_requests_are_problem_details(client: TestClient, params: dict[str, object], status: int,
                                          detail: str) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"]
    assert r.json()["request_id"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize("q", [
    "汽车😀零部件", "🚗", "قطع غيار السيارات", "\u202eauto\u202c", "汽\u200b车", "\u200b\u200d\ufeff", "汽车\x00",
    "ｐａｒｔｓ", "e\u0301", "-", "\"", "NOT", "title:", "site:", "((((((((((", "a" * 500,
])
def test_unicode_edge_cases_never_fail_the_server(client: TestClient, q: str) -> None:
    for mode in ("keyword", "sentence"):
        r = client.get("/api/search", params={"q": q, "mode": mode})
        assert r.status_code in (200, 400), r.text
        assert r.headers["content-type"] in ("application/json", "application/problem+json")
        assert client.get("/api/suggest", params={"q": q}).status_code in (200, 400)


def test_invalid_utf8_and_lone_surrogates_in_the_address_are_read_as_replacement_characters(
        client: TestClient) -> None:
    for raw in ("%ED%A0%80", "%FF%FE", "%C3", "%F0%9F%98"):
        r = client.get(f"/api/search?q={raw}auto")
        assert r.status_code in (200, 400), r.text
    assert client.get("/api/search?q=%ED%A0%80parts").json()["query"]["text"].endswith("parts")


def test_a_request_id_is_kept_when_sane_and_made_otherwise(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "portal-42"}).headers["x-request-id"] == "portal-42"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(made) == 32 and made != "bad id\twith spaces"


def test_metrics_count_requests_by_route_and_report_the_index(client: TestClient) -> None:
    client.get("/api/search", params={"q": "brake"})
    client.get("/api/documents/nope")
    text = client.get("/metrics").text
    assert 'smesearch_http_requests_total{method="GET",route="/api/search",status="200"} 1.0' in text
    # Path parameters are counted under their template, so the route label stays small.
    assert 'smesearch_http_requests_total{method="GET",route="/api/documents/{doc_id}",status="404"} 1.0' in text
    assert 'smesearch_http_request_duration_seconds_bucket{le="0.05",route="/api/search"}' in text
    assert 'smesearch_index_documents{lang="zh"} 1.0' in text
    assert "smesearch_index_up 1.0" in text


def test_the_rate_limit_answers_429_with_retry_after_but_spares_probes(tmp_path: Path) -> None:
    client, app = open_client(tmp_path, rate_limit="3/minute")
    answers = [client.get("/api/search", params={"q": "brake"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/suggest", params={"q": "a"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "3 per 1 minute" in refused.json()["detail"]
    assert client.get("/healthz").status_code == 200 and client.get("/metrics").status_code == 200
    app.close()


def test_oversized_requests_are_refused_before_any_work(tmp_path: Path) -> None:
    client, app = open_client(tmp_path, max_url_bytes=200, max_body_bytes=10)
    assert client.get("/api/search", params={"q": "x" * 300}).status_code == 414
    posted = client.post("/api/search", content=b"x" * 100)
    assert posted.status_code == 413
    assert posted.json()["title"] == "Request too large"
    app.close()


def test_cors_lets_configured_portals_call_the_api_and_no_others(tmp_path: Path) -> None:
    client, app = open_client(tmp_path, cors_origins=["https://portal.example"])
    allowed = client.get("/api/search", params={"q": "brake"}, headers={"Origin": "https://portal.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = client.get("/api/search", params={"q": "brake"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/api/search", headers={"Origin": "https://portal.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    app.close()


def test_analytics_need_an_operator_key_and_count_queries_without_personal_data(tmp_path: Path) -> None:
    client, app = open_client(tmp_path)
    for q in ("brake", "Brake", "nothing-matches-this", "汽车零部件", "Brake  OR  hydraulic", "brake OR Hydraulic",
              "Brake OR hydraulic", "brake or hydraulic"):
        client.get("/api/search", params={"q": q}, headers={"User-Agent": "secret-agent/1.0"})
    # Counts alone (the widget's tab counts) are no search someone read: not logged.
    counts = client.get("/api/search", params={"q": "brake", "size": 0, "facets": "service"}).json()
    assert counts["results"] == [] and counts["total"] >= 1 and "service" in counts["facets"]
    missing = client.get("/api/admin/analytics")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/admin/analytics", headers={"Authorization": "Bearer sme_wrong"}).status_code == 401
    key = app.operators.add("analyst", "read")
    body = client.get("/api/admin/analytics", headers={"Authorization": f"Bearer {key}"}).json()
    assert body["searches"] == 8 and body["zero_hit_searches"] == 1
    # Counted with case folded, shown as typed most often (first typed on a tie); `OR` and `or`
    # are different queries (an operator, a word).
    assert body["top_queries"][:3] == [{"query": "Brake OR hydraulic", "searches": 3},
                                       {"query": "brake", "searches": 2},
                                       {"query": "brake or hydraulic", "searches": 1}]
    assert body["zero_hit_queries"] == [{"query": "nothing-matches-this", "searches": 1}]
    assert len(body["per_day"]) == 1 and body["per_day"][0]["searches"] == 8
    assert client.get("/api/admin/stats", headers={"X-API-Key": key}).json()["documents"] == 3
    app.close()
    with sqlite3.connect(app.settings.data_dir / "search_log.sqlite") as db:
        stored = json.dumps(db.execute("SELECT * FROM searches").fetchall())
        columns = [c[1] for c in db.execute("PRAGMA table_info(searches)")]
    assert columns == ["at", "query", "mode", "filters", "hits", "took_ms"]
    assert "testclient" not in stored and "secret-agent" not in stored


def test_the_portal_and_embed_pages_are_built_on_the_widget_in_three_languages(client: TestClient) -> None:
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert zh.status_code == 200 and '<html lang="zh">' in zh.text and '<sme-search lang="zh"' in zh.text
    assert "汽车及零部件" in zh.text and "寻找代理" in zh.text  # the categories and services explained
    assert "为寻找代理商的企业提供检索" in zh.text and "Retrieval for" not in zh.text  # in the reader's language
    ja = client.get("/?lang=ja").text
    assert '<html lang="ja">' in ja and "代理店を探す企業のための検索" in ja and "Retrieval for" not in ja
    assert "Retrieval for the enterprise searching agent" in client.get("/?lang=en").text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ko"}).text
    policy = zh.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "<script>" not in zh.text  # no inline script: the widget is a file
    embed = client.get("/embed?lang=en").text
    assert "&lt;script src=&quot;http://localhost/widget.js&quot; defer&gt;&lt;/script&gt;" in embed
    assert 'class="preview"><sme-search' in embed
    widget = client.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in widget.text and "insertAdjacentHTML" not in widget.text


def test_unknown_routes_are_problem_details(client: TestClient) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def searches_run(app: App) -> list[str]:
    """The searches that reach the search service (its own method, wrapped to note each query)."""
    ran: list[str] = []
    service, search = app.search, app.search.search

    def noted(text: str, *args: Any, **kwargs: Any) -> Any:
        ran.append(text)
        return search(text, *args, **kwargs)

    service.search = noted  # type: ignore[method-assign]
    return ran


def test_repeated_searches_are_answered_from_the_cache_until_the_index_changes(tmp_path: Path) -> None:
    client, app = open_client(tmp_path, search_cache_s=60)
    ran = searches_run(app)
    first = client.get("/api/search", params={"q": "brake"})
    assert first.json()["total"] == 1 and len(ran) == 1
    assert client.get("/api/search", params={"q": "brake"}).content == first.content and len(ran) == 1
    client.get("/api/search", params={"q": "brake", "size": 5})  # another request is another answer
    assert len(ran) == 2
    # A commit changes the index's stamp: no answer from before it is served after it.
    app.indexer.index([doc("https://d.example.com/brakes", title="Brake pads exporter", body="Brake pads.")])
    assert client.get("/api/search", params={"q": "brake"}).json()["total"] == 2 and len(ran) == 3
    app.close()
    uncached, app = open_client(tmp_path / "fresh", search_cache_s=0)
    ran = searches_run(app)
    for _ in range(2):
        assert uncached.get("/api/search", params={"q": "brake"}).json()["total"] == 1
    assert len(ran) == 2
    app.close()


def test_request_threads_share_popular_answers_whichever_thread_retires_whose(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A server's thread pool retires idle threads, and the next thread to open a cache connection
    closes theirs: a thread that finished while another still waited for its first search."""
    cache = AnswerCache(tmp_path / "answers.sqlite", 0.001, 10, lambda: "g1", lambda: ["brake"])
    cache.put("brake", ("brake",), Answer(b"{}", 1, 1.0), "g1")
    time.sleep(0.01)  # past the worker's own few seconds (milliseconds here): answers come from the file
    answered: list[Answer | None] = []
    go = threading.Event()

    def search() -> None:
        answered.append(cache.get("brake", ("brake",)))

    def waiting_search() -> None:
        go.wait(10)
        search()

    waiting = threading.Thread(target=waiting_search)
    waiting.start()  # alive, so the next thread cannot reuse its identity
    finished = threading.Thread(target=search)
    finished.start()
    finished.join()
    time.sleep(0.01)  # the finished thread's answer leaves the worker's own cache too
    go.set()  # the waiting thread opens its connection, closing the finished one's
    waiting.join()
    assert answered == [Answer(b"{}", 1, 1.0)] * 2
    assert [r.getMessage() for r in caplog.records if r.name == "smesearch.api"] == []


def test_a_closed_app_is_freed_once_fastapi_forgets_its_endpoints(tmp_path: Path) -> None:
    """What keeps the test process small (tests/conftest.py frees each test's app this way)."""
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=0))
    with TestClient(create_app(app), base_url="http://localhost") as client:
        assert client.get("/api/search", params={"q": "汽车"}).status_code == 200
    app.close()
    freed = weakref.ref(app)
    del app, client
    forget_finished_apps()
    gc.collect()
    assert freed() is None


def test_workers_share_the_answers_to_the_search_logs_popular_queries(tmp_path: Path) -> None:
    """Two Apps over one data directory are two workers of one server."""
    first, app = open_client(tmp_path, search_cache_s=60)
    assert app.search_log is not None
    app.search_log.record("brake", "keyword", {}, 1, 1.0)  # searched before: a popular query
    app.search_log.flush()
    second_app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=60))
    second = TestClient(create_app(second_app), base_url="http://localhost")
    try:
        ran, ran_second = searches_run(app), searches_run(second_app)
        assert first.get("/api/search", params={"q": "brake"}).json()["total"] == 1 and ran == ["brake"]
        assert second.get("/api/search", params={"q": "brake"}).content == first.get(
            "/api/search", params={"q": "brake"}).content
        assert ran_second == []  # the other worker's answer
        second.get("/api/search", params={"q": "ブレーキ"})  # never searched before: kept by that worker only
        first.get("/api/search", params={"q": "ブレーキ"})
        assert ran_second == ["ブレーキ"] and ran == ["brake", "ブレーキ"]
        app.indexer.index([doc("https://d.example.com/brakes", title="Brake pads exporter", body="Brake pads.")])
        assert second.get("/api/search", params={"q": "brake"}).json()["total"] == 2 and len(ran_second) == 2
    finally:
        second_app.close()
        app.close()
