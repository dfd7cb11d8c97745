"""Search as SMEs type: no dead ends (a plain query whose words are not all on any page shows the
pages holding most of them, says so, and can be asked for all words again; a query with operators
means exactly what it says), and words that ask for a service hint it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from analysis import Analyser
from categories import Classifier
from config import Settings
from indexer.backends.base import Backend
from indexer.pipeline import Indexer
from indexer.query import QueryError, is_plain
from indexer.service import RELAX_BELOW, SearchFilters, SearchService
from operations.app import App
from query_api.app import create_app
from tests.helpers import doc

LISTINGS = [
    doc("https://a.example.cn/agent", title="日本市场代理商招募", body="我公司生产汽车零部件，诚招日本代理商。"),
    doc("https://b.example.jp/food", title="食品の輸入商社", body="中国から食品を輸入しています。"),
    doc("https://c.example.com/oem", title="Textile OEM factory", body="We make garments for brands as an OEM."),
    doc("https://d.example.cn/other", title="机械设备出售", body="二手机床出售。"),
]


@pytest.fixture
def indexed(indexer: Indexer) -> Indexer:
    indexer.index(LISTINGS)
    return indexer


@pytest.mark.parametrize(("query", "expected"), [
    ("寻找日本的代理商", "https://a.example.cn/agent"),  # looking for a Japanese agent
    ("食品 輸入 パートナー", "https://b.example.jp/food"),  # food, import, partner: no page says partner
    ("textile OEM partner", "https://c.example.com/oem"),
])
def test_a_natural_phrase_finds_the_pages_with_most_of_its_words(
        indexed: Indexer, service: SearchService, query: str, expected: str) -> None:
    strict = service.search(query, relax=False, translate=False)
    assert strict.total == 0  # no page holds every word
    found = service.search(query, translate=False)
    assert found.query.relaxed and found.query.mode == "keyword"
    assert found.hits[0].document.url == expected
    assert any("most of them" in note for note in found.notes)


def test_the_words_left_out_are_named(indexed: Indexer, service: SearchService) -> None:
    found = service.search("寻找日本的代理商", translate=False)
    assert {"寻找", "的"} <= set(found.query.dropped_words)
    assert found.query.describe()["relaxed"] is True


def test_a_query_with_all_its_words_on_enough_pages_is_not_relaxed(indexer: Indexer, service: SearchService) -> None:
    indexer.index([doc(f"https://e.example.cn/{n}", title=f"日本代理商 {n}") for n in range(RELAX_BELOW)])
    found = service.search("日本 代理商", translate=False)
    assert found.total == RELAX_BELOW and not found.query.relaxed


@pytest.mark.parametrize("query", ['"textile partner"', "textile AND partner", "textile -cotton partner",
                                   "title:textile partner", "(textile partner)"])
def test_a_query_with_operators_keeps_its_meaning(indexed: Indexer, service: SearchService, query: str) -> None:
    assert not is_plain(query)
    found = service.search(query, translate=False)
    assert found.total == 0 and not found.query.relaxed


def test_a_sentence_is_never_relaxed_further(indexed: Indexer, service: SearchService) -> None:
    assert not service.search("寻找日本的代理商", mode="sentence", translate=False).query.relaxed


def test_the_api_says_it_relaxed_and_relax_false_asks_for_all_words(tmp_path: object) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", translation_hook="", translate=False))  # type: ignore[operator]
    try:
        app.indexer.index(LISTINGS)
        client = TestClient(create_app(app), base_url="http://localhost")
        loose = client.get("/api/search", params={"q": "寻找日本的代理商"}).json()
        assert loose["relaxed"] is True and loose["results"][0]["url"] == "https://a.example.cn/agent"
        strict = client.get("/api/search", params={"q": "寻找日本的代理商", "relax": "false"}).json()
        assert strict["relaxed"] is False and strict["total"] == 0
        assert loose["service_hint"] == strict["service_hint"] == "agent"
        chosen = client.get("/api/search", params={"q": "寻找日本的代理商", "service": "agent"}).json()
        assert chosen["service_hint"] is None  # the reader already chose
    finally:
        app.close()


@pytest.mark.parametrize(("query", "service"), [("寻找日本的代理商", "agent"), ("招聘工程师", "recruit"),
                                                ("distributors wanted", "agent"), ("汽车零部件", None)])
def test_words_that_ask_for_one_service_hint_it(indexed: Indexer, analyser: Analyser, classifier: Classifier,
                                                backend: Backend, query: str, service: str | None) -> None:
    service_search = SearchService(analyser, backend, classifier=classifier)
    found = service_search.search(query, translate=False)
    assert found.service_hint == service
    if service is None:  # the hint reads the words typed, never the pages found: this one recruits agents
        assert [h.document.url for h in found.hits] == ["https://a.example.cn/agent"]
    filtered = service_search.search(query, filters=SearchFilters(services=["recruit"]), translate=False)
    assert filtered.service_hint is None


@pytest.mark.parametrize("query", ["车", "ア", "2024", "OEM汽车parts部品", "食品輸入 textile 代理店"])
def test_odd_but_honest_queries_get_an_answer(indexed: Indexer, service: SearchService, query: str) -> None:
    found = service.search(query, translate=False)  # a single hanzi or kana, a number, mixed scripts
    assert found.total >= 0 and found.query.plan is not None


def test_a_lone_particle_gets_a_clear_message(indexed: Indexer, service: SearchService) -> None:
    with pytest.raises(QueryError, match="only common words"):
        service.search("の", translate=False)


def test_two_words_no_page_holds_together_still_find_the_pages_holding_one(
        indexed: Indexer, service: SearchService) -> None:
    found = service.search("二手机床 食品", translate=False)
    assert found.query.relaxed
    assert {hit.document.url for hit in found.hits} == {"https://d.example.cn/other", "https://b.example.jp/food"}


def test_a_compound_no_page_holds_finds_the_pages_holding_its_dictionary_words(
        indexer: Indexer, service: SearchService) -> None:
    indexer.index([doc("https://e.example.cn/brakes", title="刹车系统供应商", body="生产汽车刹车系统。")])
    assert service.search("刹车片", relax=False, translate=False).total == 0  # brake pads, as one word
    found = service.search("刹车片", translate=False)
    assert [hit.document.url for hit in found.hits] == ["https://e.example.cn/brakes"] and found.query.relaxed


def test_a_pasted_paragraph_is_searched_as_a_key_sentence_and_said_so(tmp_path: object) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", translation_hook="", translate=False))  # type: ignore[operator]
    try:
        app.indexer.index(LISTINGS)
        client = TestClient(create_app(app), base_url="http://localhost")
        paragraph = ("我公司是沈阳的一家汽车零部件生产企业，成立于一九九五年，现有员工三百人，主要产品包括刹车系统、发动机配件和底盘零件。"
                     "为了开拓日本市场，我们希望寻找日本的代理商和经销商，共同开展销售业务，也欢迎技术合作。") * 11
        paragraph = paragraph[:1000]
        assert len(paragraph) == 1000
        body = client.get("/api/search", params={"q": paragraph}).json()
        assert body["results"][0]["url"] == "https://a.example.cn/agent"
        assert body["query"]["mode"] == "sentence"
        assert any("1000 characters is searched as a key sentence" in note for note in body["query"]["notes"])
        # Past the limit, the reader is told the limit rather than given a cut query.
        too_long = client.get("/api/search", params={"q": "textile " * 160})
        assert too_long.status_code == 422 and "1200" in too_long.text
        address = client.get("/api/search", params={"q": paragraph * 2})  # 18 KB percent-encoded
        assert address.status_code == 414 and "shorten the query" in address.text
    finally:
        app.close()
