"""The embedded backend's native one-pass search (native/) answers exactly as the tantivy binding
it falls back to: the same pages in the same order, the same totals and the same facets."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis import Analyser
from config import Settings
from indexer.backends import open_backend
from indexer.backends.base import FACET_FIELDS, BackendQuery, SearchFilters
from indexer.backends.embedded import EmbeddedBackend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from tests.helpers import doc

WORDS = ["汽车", "零部件", "代理商", "日本", "沈阳", "纺织", "机械", "合资"]


def native_module() -> object:
    try:
        import smesearch_native
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("smesearch_native is not built: `make setup` builds it from native/ with cargo")
        pytest.skip("smesearch_native is not built here (no cargo when `make setup` ran)")
    return smesearch_native


def test_native_search_is_built() -> None:
    assert hasattr(native_module(), "Index")


def test_native_and_binding_searches_give_the_same_answers(analyser: Analyser, tmp_path: Path) -> None:
    native_module()
    pages = [doc(f"https://s{n % 7}.example.cn/{n}", title=f"{WORDS[n % 8]}{WORDS[(n * 3) % 8]}企业",
                 body="，".join(WORDS[(n + i) % 8] for i in range(1 + n % 5)) + "。寻求合作伙伴。",
                 group=("shenyang", "japan", "other")[n % 3], source=f"src{n % 4}",
                 published_at=f"202{n % 5}-0{1 + n % 9}-1{n % 10}")
             for n in range(120)]
    writer = open_backend(Settings(data_dir=tmp_path))
    Indexer(analyser, writer).index(pages[:60])
    Indexer(analyser, writer).index(pages[60:])  # two commits: two segments at least
    writer.close()
    native = open_backend(Settings(data_dir=tmp_path))
    binding = open_backend(Settings(data_dir=tmp_path, native_search=False))
    assert isinstance(native, EmbeddedBackend) and native._native is not None
    assert isinstance(binding, EmbeddedBackend) and binding._native is None
    service = SearchService(analyser, native)
    filters = [SearchFilters(), SearchFilters(groups=["japan"]), SearchFilters(categories=[0, 1, 2, 5]),
               SearchFilters(date_from=datetime(2022, 1, 1, tzinfo=UTC), date_to=datetime(2023, 6, 30, tzinfo=UTC))]
    compared = 0
    try:
        for text, mode in [("汽车 零部件", "keyword"), ("日本 OR 纺织", "keyword"), ("机械 -合资", "keyword"),
                           ("我们寻找日本汽车零部件代理商在沈阳", "sentence"), ("\"汽车零部件\"", "keyword")]:
            plan = service.analyse(text, mode).plan  # type: ignore[arg-type]
            for kept in filters:
                for offset, facets in [(0, FACET_FIELDS), (10, ("site", "category")), (3, ())]:
                    query = BackendQuery(plan, kept, offset=offset, limit=10, facets=facets)
                    ours, theirs = native.search(query), binding.search(query)
                    assert [h.document.id for h in ours.hits] == [h.document.id for h in theirs.hits], (text, kept)
                    assert [h.score for h in ours.hits] == pytest.approx([h.score for h in theirs.hits], rel=1e-5)
                    assert (ours.total, ours.facets) == (theirs.total, theirs.facets), (text, kept, offset)
                    compared += bool(ours.hits)
    finally:
        native.close()
        binding.close()
    assert compared > 30  # most of the searches found something to compare


def test_a_malformed_native_query_is_a_clear_error(tmp_path: Path) -> None:
    module = native_module()
    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        index = module.Index(str(backend._index_path))  # type: ignore[attr-defined]
        for bad, said in [(b'["nope"]', "unknown query node `nope`"), (b"{", "EOF"),
                          (b'["term", "no_such_field", "x"]', "no_such_field"),
                          (b'["phrase", "body_exact", ["one"]]', "two words or more"),
                          (b'["bool", [["sometimes", ["all"]]], 1]', "must, should or not")]:
            with pytest.raises(ValueError, match=said):
                index.search(bad, 0, 10, [])
        with pytest.raises(ValueError, match="neither values nor bits"):
            index.search(b'["all"]', 0, 10, [("lang", "histogram")])
        top, total, facets = index.search(b'["all"]', 0, 10, [("lang", "values")])
        assert (top, total, facets) == ([], 0, [("lang", [])])
    finally:
        backend.close()


def test_a_native_index_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    module = native_module()
    with pytest.raises(ValueError, match="nowhere"):
        module.Index(str(tmp_path / "nowhere"))  # type: ignore[attr-defined]
