"""The backend contract: every backend passes this same suite, unchanged.

Each test indexes a few documents through the real pipeline (analyser, classifier, backend)
and searches through the search service, as the CLI and the API do.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis import Analyser
from config import Settings
from indexer.backends import Backend, open_backend
from indexer.backends.base import SearchFilters
from indexer.document import Document
from indexer.pipeline import Indexer
from indexer.query import QueryError
from indexer.query.crosslingual import Alternative
from indexer.service import SearchService
from matching import Listing
from tests.helpers import doc

CORPUS = [
    doc("https://a.example.cn/auto", title="沈阳汽车零部件企业寻求日本合资伙伴",
        body="我公司是华晨宝马的汽车零部件供应商，生产发动机配件和刹车系统，寻求合资合作与技术转让，欢迎代理商联系。",
        company="沈阳金杯汽车零部件有限公司", group="shenyang", source="sy", published_at="2024-03-01"),
    doc("https://a.example.cn/textile", title="纺织服装企业招募日本代理商",
        body="沈阳纺织服装公司生产针织面料和成衣，招募日本代理商和经销商。",
        group="shenyang", source="sy", published_at="2024-05-01"),
    doc("https://b.example.jp/jidousha", title="自動車部品メーカー、中国での販売代理店を募集",
        body="ブレーキ部品を製造する自動車部品メーカーです。瀋陽での販売代理店を募集しています。",
        group="japan", source="jp", published_at="2023-11-20"),
    doc("https://c.example.com/jv", title="Auto parts supplier seeks joint venture partner in Shenyang",
        body="A Japanese automotive parts supplier producing brake systems seeks a joint venture partner. "
             "Technology transfer is possible.", group="japan", source="en", published_at="2024-01-15"),
    doc("https://c.example.com/hiring", title="Hiring software engineers in Dalian",
        body="Job vacancy: software engineers for telecom network equipment. We are hiring now.",
        group="japan", source="en", published_at="2022-06-30"),
    doc("https://d.example.tw/machine", title="瀋陽機械企業尋求臺灣代理商",
        body="瀋陽某機械設備公司生產泵、閥門和軸承，尋求代理商。", lang="zh", group="other", source="tw",
        published_at="2024-07-07"),
    doc("https://e.example.de/partner", title="Deutscher Maschinenbauer sucht Vertriebspartner",
        body="Wir suchen Vertriebspartner für Werkzeugmaschinen in Shenyang.", group="other", source="de"),
]


def urls(response: object) -> list[str]:
    return [h.document.url for h in response.hits]  # type: ignore[attr-defined]


@pytest.fixture
def corpus(indexer: Indexer) -> Indexer:
    report = indexer.index([Document.from_mapping(d.to_dict()) for d in CORPUS])
    assert report.added == len(CORPUS)
    return indexer


def test_keyword_search_finds_segmented_chinese(corpus: Indexer, service: SearchService) -> None:
    r = service.search("汽车零部件")
    assert urls(r) == ["https://a.example.cn/auto"]
    assert r.total == 1


def test_traditional_query_finds_simplified_pages_and_back(corpus: Indexer, service: SearchService) -> None:
    found = set(urls(service.search("瀋陽")))
    assert {"https://a.example.cn/textile", "https://d.example.tw/machine", "https://b.example.jp/jidousha"} <= found
    assert "https://d.example.tw/machine" in urls(service.search("沈阳 机械"))
    # Simplified 沈阳 is 瀋陽 in Japanese: the Japanese page is found too.
    assert "https://b.example.jp/jidousha" in urls(service.search("沈阳"))


def test_japanese_query_finds_japanese_pages(corpus: Indexer, service: SearchService) -> None:
    assert urls(service.search("自動車部品 代理店", relax=False)) == ["https://b.example.jp/jidousha"]
    # Relaxed (fewer than a handful hold both words), the page holding both still comes first.
    assert urls(service.search("自動車部品 代理店"))[0] == "https://b.example.jp/jidousha"


def test_english_query_is_stemmed(corpus: Indexer, service: SearchService) -> None:
    assert urls(service.search("supplier brakes", relax=False)) == ["https://c.example.com/jv"]


def test_names_the_dictionary_does_not_know_match_through_bigrams(corpus: Indexer, service: SearchService) -> None:
    # 金杯 is split by jieba into 金 杯 nowhere in the title words; the bigram stream still has it.
    assert urls(service.search("金杯汽车")) == ["https://a.example.cn/auto"]


def test_title_matches_rank_above_body_matches(corpus: Indexer, service: SearchService) -> None:
    r = service.search("代理商")
    assert urls(r)[-1] == "https://a.example.cn/auto"  # only in its body; the others in their titles
    assert r.total == 3


def test_boolean_operators(corpus: Indexer, service: SearchService) -> None:
    assert set(urls(service.search("汽车零部件 OR 纺织"))) == {"https://a.example.cn/auto",
                                                             "https://a.example.cn/textile"}
    assert set(urls(service.search("沈阳 -纺织 -汽车"))) == {"https://d.example.tw/machine",
                                                          "https://b.example.jp/jidousha"}
    assert "https://a.example.cn/textile" not in urls(service.search("沈阳 NOT 纺织"))
    assert set(urls(service.search("-沈阳 -瀋陽 -shenyang"))) == {"https://c.example.com/hiring"}


def test_phrases_match_words_in_order(corpus: Indexer, service: SearchService) -> None:
    assert urls(service.search('"joint venture partner"')) == ["https://c.example.com/jv"]
    assert urls(service.search('"partner venture joint"')) == []
    assert urls(service.search('"汽车零部件供应商"')) == ["https://a.example.cn/auto"]
    # Two words run as one pair term, more as a phrase of pairs: both keep the order.
    assert urls(service.search('"venture partner"')) == ["https://c.example.com/jv"]
    assert urls(service.search('"partner venture"')) == []
    assert urls(service.search('"零部件供应"')) == ["https://a.example.cn/auto"]
    assert urls(service.search('"供应零部件"')) == []


def test_title_and_site_scopes(corpus: Indexer, service: SearchService) -> None:
    assert urls(service.search("title:supplier")) == ["https://c.example.com/jv"]
    assert urls(service.search("title:brake")) == []  # brake is only in the body
    assert urls(service.search("engineers site:c.example.com")) == ["https://c.example.com/hiring"]


def test_key_sentence_ranks_documents_with_most_content_words_first(corpus: Indexer,
                                                                    service: SearchService) -> None:
    r = service.search("我们希望寻找沈阳的汽车零部件合资伙伴", mode="sentence")
    assert urls(r)[0] == "https://a.example.cn/auto"
    # A page with fewer of the words is not dropped: it follows every page holding most of them,
    # however its own words score (沈阳 twice in a short page would outscore the auto page's words).
    most = [hit.score for hit in r.hits if hit.document.url != "https://a.example.cn/textile"]
    textile = next(hit.score for hit in r.hits if hit.document.url == "https://a.example.cn/textile")
    assert textile < min(most[:1]) and urls(r).index("https://a.example.cn/textile") > 0
    r = service.search("We are looking for a joint venture partner for brake parts", mode="sentence")
    assert urls(r)[0] == "https://c.example.com/jv"


def test_candidates_rank_a_key_sentence_by_its_summed_word_scores_within_the_filters(
        corpus: Indexer, service: SearchService) -> None:
    """What the matcher asks for: the same documents as the key sentence, within the filters, ranked
    by score alone (no tier for holding most words), no facets, and the query's highlight terms."""
    text = "我们希望寻找沈阳的汽车零部件合资伙伴"
    query, found = service.candidates(text, SearchFilters(), 10)
    assert query.mode == "sentence" and "汽车零部件" in query.highlight_terms
    assert {h.document.url for h in found.hits} == set(urls(service.search(text, mode="sentence")))
    scores = [h.score or 0 for h in found.hits]
    assert scores == sorted(scores, reverse=True) and max(scores) < 1000  # no preferred bonus added
    assert found.facets == {}
    _, only_agents = service.candidates(text, SearchFilters(services=["agent"]), 10)
    assert only_agents.hits and all("agent" in h.document.services for h in only_agents.hits)
    with pytest.raises(QueryError):
        service.candidates(text, SearchFilters(), 1000)


def test_filters(corpus: Indexer, service: SearchService) -> None:
    def f(**kw: object) -> list[str]:
        return sorted(urls(service.search("-nothingmatchesthis", filters=SearchFilters(**kw), size=20)))  # type: ignore[arg-type]

    assert f(categories=[8]) == ["https://a.example.cn/auto", "https://b.example.jp/jidousha",
                                 "https://c.example.com/jv"]
    assert f(services=["recruit"]) == ["https://c.example.com/hiring"]
    assert f(langs=["ja"]) == ["https://b.example.jp/jidousha"]
    assert f(groups=["other"], langs=["zh"]) == ["https://d.example.tw/machine"]
    assert f(sources=["sy"]) == ["https://a.example.cn/auto", "https://a.example.cn/textile"]
    assert f(sites=["c.example.com"]) == ["https://c.example.com/hiring", "https://c.example.com/jv"]
    assert f(date_from=datetime(2024, 1, 1, tzinfo=UTC), date_to=datetime(2024, 6, 1, tzinfo=UTC)) == [
        "https://a.example.cn/auto", "https://a.example.cn/textile", "https://c.example.com/jv"]


def test_facets_count_the_matching_documents(corpus: Indexer, service: SearchService) -> None:
    r = service.search("shenyang OR 沈阳 OR 瀋陽")
    facets = {k: dict(v) for k, v in r.facets.items()}
    assert facets["lang"] == {"zh": 3, "ja": 1, "en": 1, "de": 1}
    assert facets["group"]["shenyang"] == 2
    assert facets["category"]["8"] == 3
    assert sum(facets["site"].values()) == r.total == 6


def test_only_the_facets_asked_for_are_counted_and_the_total_stays_right(corpus: Indexer,
                                                                         service: SearchService) -> None:
    everything = service.search("代理商")
    assert set(everything.facets) == {"category", "service", "lang", "group", "site"}
    for asked in [("category", "site"), ("lang",), ()]:
        r = service.search("代理商", facets=asked)
        assert set(r.facets) == set(asked) and r.total == everything.total > 1
        assert all(r.facets[name] == everything.facets[name] for name in asked)
    with pytest.raises(QueryError, match="no facet 'colour'"):
        service.search("代理商", facets=("colour",))


def test_sort_by_date_and_paging(corpus: Indexer, service: SearchService) -> None:
    everything = "-nothingmatchesthis"
    by_date = urls(service.search(everything, sort="date", size=7))
    assert by_date[:3] == ["https://d.example.tw/machine", "https://a.example.cn/textile",
                           "https://a.example.cn/auto"]
    assert by_date[-1] == "https://e.example.de/partner"  # no publication date: last
    page1 = urls(service.search(everything, size=3, page=1))
    page2 = urls(service.search(everything, size=3, page=2))
    page3 = urls(service.search(everything, size=3, page=3))
    assert len(page1) == 3 and len(page2) == 3 and len(page3) == 1
    assert len(set(page1 + page2 + page3)) == 7


def test_deep_paging_and_oversized_pages_are_refused(corpus: Indexer, service: SearchService) -> None:
    with pytest.raises(QueryError, match="first 1000"):
        service.search("汽车", page=200, size=10)
    with pytest.raises(QueryError, match="between 1 and 100"):
        service.search("汽车", size=101)


def test_snippets_highlight_query_terms_as_offsets(corpus: Indexer, service: SearchService) -> None:
    hit = service.search("汽车零部件").hits[0]
    marked = [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    assert marked and set(marked) == {"汽车零部件"}
    assert [hit.title.text[s:e] for s, e in hit.title.highlights] == ["汽车零部件"]
    hit = service.search("瀋陽 机械").hits[0]
    assert "瀋陽" in [hit.title.text[s:e] for s, e in hit.title.highlights]
    hit = service.search("brake").hits[0]
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.highlights] == ["brake"]


def test_unchanged_documents_are_not_rewritten_and_changed_ones_replace(corpus: Indexer,
                                                                        service: SearchService) -> None:
    again = corpus.index([Document.from_mapping(d.to_dict()) for d in CORPUS])
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(CORPUS))
    changed = doc("https://c.example.com/jv", title="Auto parts supplier seeks distributor",
                  body="Now we look for a distributor instead.", source="en")
    report = corpus.index([changed])
    assert (report.added, report.updated) == (0, 1)
    assert urls(service.search("distributor")) == ["https://c.example.com/jv"]
    assert urls(service.search('"joint venture partner"')) == []
    assert service.stats().documents == len(CORPUS)


def test_delete_by_url_and_by_source(corpus: Indexer, backend: Backend, service: SearchService) -> None:
    assert backend.delete_url("https://c.example.com/hiring#frag") is True
    assert backend.delete_url("https://c.example.com/hiring") is False
    assert urls(service.search("engineers")) == []
    assert backend.delete_source("sy") == 2
    assert urls(service.search("汽车零部件 OR 纺织")) == []
    assert backend.get(Document.from_mapping({"url": "https://a.example.cn/auto", "title": "x"}).id) is None
    assert service.stats().documents == len(CORPUS) - 3


def test_get_returns_the_stored_document(corpus: Indexer, backend: Backend) -> None:
    stored = backend.get(CORPUS[0].id)
    assert stored is not None
    assert stored.title == CORPUS[0].title and stored.company == CORPUS[0].company
    assert stored.categories == [8] and "tie_up" in stored.services and stored.lang == "zh"


def test_suggest_completes_titles_company_names_and_terms(corpus: Indexer, service: SearchService) -> None:
    texts = [s.text for s in service.suggest("沈阳")]
    assert "沈阳汽车零部件企业寻求日本合资伙伴" in texts
    assert "沈阳金杯汽车零部件有限公司" in texts
    assert [s.kind for s in service.suggest("瀋陽機械")] == ["title"]  # Traditional prefix, Traditional title
    assert "auto parts supplier seeks joint venture partner in shenyang" not in texts
    assert any(s.text.startswith("Auto parts") for s in service.suggest("AUTO PA"))
    assert service.suggest("   ") == []
    assert service.suggest("zzzz") == []


def test_suggest_never_offers_markup(corpus: Indexer, service: SearchService) -> None:
    trap = doc("https://trap.example/inject.html", title="<script>alert('title')</script> Auto parts trap",
               company="<img src=x onerror=alert(1)> Trading", body="Brake systems and auto parts.")
    assert not any("<" in text or "alert" in text for _, _, text in corpus.prepare(trap).suggestions)
    corpus.index([trap])
    offered = [s.text for prefix in ("auto", "<scr", "scr", "alert", "<img", "trad") for s in service.suggest(prefix)]
    assert offered and not any("<" in text or "alert" in text for text in offered), offered
    # A store written before titles were checked still holds such completions: they are not offered.
    prepared = corpus.prepare(doc("https://trap.example/old.html", title="Old auto parts page", body="Brakes."))
    old = replace(prepared, suggestions=(("auto <script>", "title", "auto <script>alert(1)</script>"),))
    corpus.writer.write([old])
    corpus.writer.commit()
    assert not any("<" in s.text for s in service.suggest("auto"))


def test_term_to_sites_lists_where_a_term_appears_most(corpus: Indexer, service: SearchService) -> None:
    sites = service.term_sites("代理商")
    assert [(s.site, s.documents) for s in sites] == [("a.example.cn", 2), ("d.example.tw", 1)]
    assert {s.site for s in sites} == {"a.example.cn", "d.example.tw"}
    assert sites[0].sample_url.startswith("https://a.example.cn/")
    with pytest.raises(QueryError):
        service.term_sites("  ")


def test_stats_count_languages_and_say_which_are_unanalysed(corpus: Indexer, service: SearchService) -> None:
    s = service.stats()
    assert s.documents == 7
    assert s.by_lang == {"zh": 3, "en": 2, "ja": 1, "de": 1}
    assert s.unanalysed_langs == {"de": 1}
    assert s.by_source["sy"] == 2 and s.size_bytes > 0 and s.last_commit is not None


def test_index_survives_reopening(analyser: Analyser, tmp_path: Path) -> None:
    first = open_backend(Settings(data_dir=tmp_path))
    Indexer(analyser, first).index([Document.from_mapping(d.to_dict()) for d in CORPUS])
    first.close()
    second = open_backend(Settings(data_dir=tmp_path))
    try:
        assert urls(SearchService(analyser, second).search("汽车零部件")) == ["https://a.example.cn/auto"]
    finally:
        second.close()


class Glossary:
    """A translator for the contract: a fixed word list, so that what is tested is how a backend
    weights translated readings, not what a dictionary says."""

    def __init__(self) -> None:
        self.words = {("合资", "en"): ["joint venture"], ("joint venture", "zh"): ["合资"], ("代理店", "zh"): ["代理商"],
                      ("软件工程师", "en"): ["software engineers"], ("大连软件", "en"): ["dalian software"]}

    def alternatives(self, term: str, source: str, target: str, limit: int = 3,
                     whole: bool = False) -> list[Alternative]:
        return [Alternative(word, 1.0) for word in self.words.get((term, target), [])[:limit]]

    def translate_text(self, text: str, source: str, target: str) -> str | None:
        return None


def test_translated_readings_find_other_languages_and_rank_below_the_words_as_typed(
        corpus: Indexer, analyser: Analyser, backend: Backend) -> None:
    cross = SearchService(analyser, backend, translator=Glossary())
    found = cross.search("合资")
    urls = [h.document.url for h in found.hits]
    assert set(urls) == {"https://a.example.cn/auto", "https://c.example.com/jv"}
    assert urls[0] == "https://a.example.cn/auto"  # the page with the word as typed comes first
    assert "合资 also searched as joint venture (en)" in found.query.notes
    reading = found.query.describe()["plan"]["readings"][-1]  # type: ignore[index]
    # A translation of two words is matched as that phrase, not as two words anywhere.
    assert reading == {"lang": "en", "words": ["joint", "ventur"], "translated_from": "zh", "weight": 0.25,
                       "as_phrase": True}
    # Two English words that make a known phrase are translated together.
    both = [h.document.url for h in cross.search("joint venture").hits]
    assert both[0] == "https://c.example.com/jv" and "https://a.example.cn/auto" in both
    # A translation of several words is found as that phrase only: the hiring page says "software
    # engineers in Dalian", which holds "dalian" and "software" but not "dalian software".
    assert [h.document.url for h in cross.search("软件工程师").hits] == ["https://c.example.com/hiring"]
    assert cross.search("大连软件").hits == []
    # translate=False searches the words as typed only.
    assert [h.document.url for h in cross.search("合资", translate=False).hits] == ["https://a.example.cn/auto"]


def test_listings_are_documents_of_their_own_group_found_filtered_and_withdrawn(
        corpus: Indexer, backend: Backend, service: SearchService) -> None:
    now = datetime.now(UTC)
    need = Listing("0123456789abcdef", "need", "agent", "寻找日本刹车片代理商", "沈阳工厂生产刹车片，寻找日本代理商。",
                   "沈阳刹车片有限公司", "sales@brake.example.cn", [8], "辽宁", "CN", "zh", now,
                   now + timedelta(days=90))
    corpus.index([need.document("https://portal.example.org")])
    found = service.search("刹车片", filters=SearchFilters(groups=["listing"]))
    assert urls(found) == ["https://portal.example.org/listings/0123456789abcdef"]
    stored = found.hits[0].document
    assert stored.services == ["agent"] and stored.categories == [8] and stored.source == "listings"
    assert "sales@brake.example.cn" not in f"{stored.title} {stored.body} {stored.company}"
    assert "listing" in {f[0] for f in service.search("刹车片").facets["group"]}
    assert backend.delete_url(need.url("https://portal.example.org"))
    backend.commit()
    assert service.search("刹车片", filters=SearchFilters(groups=["listing"])).hits == []
