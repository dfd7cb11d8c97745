"""Behaviour particular to the embedded backend: readers see other writers' commits; one writer."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from analysis import Analyser
from config import Settings
from indexer.backends import BackendError, open_backend
from indexer.backends.base import BackendQuery, IndexedDocument, SearchFilters
from indexer.backends.embedded import INDEX_DIR
from indexer.document import SERVICES, Document
from indexer.highlight import FoldedText
from indexer.pipeline import Indexer, stop_analysis_pool
from indexer.query.plan import PREFERRED_BONUS
from indexer.service import SearchService
from indexer.sqlite_readers import ThreadConnections
from tests.helpers import doc, process_running, run, touch_and_sleep


def test_a_serving_process_sees_what_an_importer_commits(analyser: Analyser, tmp_path: Path) -> None:
    reader = open_backend(Settings(data_dir=tmp_path))
    writer = open_backend(Settings(data_dir=tmp_path))
    try:
        service = SearchService(analyser, reader)
        assert service.search("汽车零部件").total == 0
        Indexer(analyser, writer).index([doc("https://a.example.cn/1", title="汽车零部件供应商")])
        assert service.search("汽车零部件").total == 1
    finally:
        writer.close()
        reader.close()


def test_one_writer_at_a_time_and_the_lock_ends_with_the_import(analyser: Analyser, tmp_path: Path) -> None:
    first = open_backend(Settings(data_dir=tmp_path))
    second = open_backend(Settings(data_dir=tmp_path))
    try:
        importing = Indexer(analyser, first)
        first.upsert([importing.prepare(doc("https://a.example.cn/1", title="汽车"))])  # mid-import
        with pytest.raises(BackendError, match="another process is writing"):
            Indexer(analyser, second).index([doc("https://a.example.cn/2", title="机械")])
        first.commit()
        assert Indexer(analyser, second).index([doc("https://a.example.cn/2", title="机械")]).added == 1
        assert importing.index([doc("https://a.example.cn/3", title="电子")]).added == 1
    finally:
        first.close()
        second.close()


def test_category_and_service_facets_agree_with_filtering_on_each_value(analyser: Analyser, tmp_path: Path) -> None:
    """Facets are counted from bit masks; each count must be what filtering on that value finds."""
    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        Indexer(analyser, backend).index([
            doc("https://a.example.cn/1", title="汽车零部件企业寻求合资伙伴", body="招募代理商，寻求投资，招聘工程师。"),
            doc("https://a.example.cn/2", title="纺织服装企业招募代理商", body="针织面料和成衣。"),
            doc("https://b.example.jp/3", title="自動車部品の調達先を探しています", body="購買担当が見積もりを募集。"),
            doc("https://c.example.com/4", title="Green tea exporter", body="Organic green tea and processed foods."),
            doc("https://c.example.com/5", title="A page about nothing in particular", body="Weather today."),
        ])
        service = SearchService(analyser, backend)
        everything = service.search("-nothingmatchesthis", size=1)
        facets = {name: dict(values) for name, values in everything.facets.items()}
        assert everything.total == 5
        assert len(facets["category"]) >= 3 and len(facets["service"]) >= 3  # the corpus exercises several bits
        for c in range(1, 12):
            filtered = service.search("-nothingmatchesthis", filters=SearchFilters(categories=[c]), size=1).total
            assert facets["category"].get(str(c), 0) == filtered, c
        for s in SERVICES:
            filtered = service.search("-nothingmatchesthis", filters=SearchFilters(services=[s]), size=1).total
            assert facets["service"].get(s, 0) == filtered, s
        counts = [n for _, n in everything.facets["category"]]
        assert counts == sorted(counts, reverse=True)  # most frequent first, as every backend orders them
    finally:
        backend.close()


@pytest.mark.parametrize("native", [True, False], ids=["native", "binding"])
def test_a_key_sentence_ranks_as_one_query_would_on_every_page_whatever_the_shortcut(analyser: Analyser,
                                                                                      tmp_path: Path,
                                                                                      native: bool) -> None:
    """The embedded backend finds a key sentence's preferred documents (holding most of its words)
    with a search of their own, and runs the whole sentence only when they do not fill the page.
    Every page must still be what one query with the bonus ranks, and the total every match."""
    backend = open_backend(Settings(data_dir=tmp_path, native_search=native))
    try:
        words = ["汽车", "零部件", "代理商", "日本", "沈阳"]
        pages = [doc(f"https://a.example.cn/{n}", title=f"页面{n}",
                     body="，".join(words[i % 5] for i in range(n, n + 1 + n % 4)) + "。" + "企业介绍" * (n % 3))
                 for n in range(40)]
        pages += [doc(f"https://b.example.cn/{n}", title="纺织服装", body="针织面料和成衣。") for n in range(5)]
        Indexer(analyser, backend).index(pages)
        service = SearchService(analyser, backend)
        query = service.analyse("我们寻找日本汽车零部件代理商在沈阳", "sentence")
        searcher = backend._searcher()  # type: ignore[attr-defined]
        one_query = backend.queries.compile(query.plan)  # type: ignore[attr-defined]
        expected = searcher.search(one_query, 45, count=True)
        assert expected.count == 40
        ids = [searcher.doc(a)["id"][0] for _, a in expected.hits]
        preferred = sum(1 for score, _ in expected.hits if score >= PREFERRED_BONUS)
        assert 3 < preferred < expected.count - 3  # pages inside, across and beyond the preferred ones
        for offset in range(0, expected.count, 3):
            found = backend.search(BackendQuery(query.plan, offset=offset, limit=4, facets=()))
            assert found.total == expected.count
            assert [h.document.id for h in found.hits] == ids[offset:offset + 4], offset
        faceted = backend.search(BackendQuery(query.plan, limit=4, facets=("category",)))
        assert faceted.total == expected.count and set(faceted.facets) == {"category"}
    finally:
        backend.close()


def test_an_index_of_an_older_layout_is_refused_until_reindex_rebuilds_it(analyser: Analyser, tmp_path: Path) -> None:
    backend = open_backend(Settings(data_dir=tmp_path))
    Indexer(analyser, backend).index([doc("https://a.example.cn/1", title="汽车零部件供应商"),
                                      doc("https://a.example.cn/2", title="纺织服装企业")])
    backend.close()
    home = tmp_path / "index" / "embedded"
    (home / INDEX_DIR).rename(home / "tantivy")  # where the first layout kept its index

    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        service = SearchService(analyser, backend)
        assert backend.needs_reindex  # type: ignore[attr-defined]
        with pytest.raises(BackendError, match=r"2 stored documents.*smesearch reindex"):
            service.search("汽车零部件")
        with pytest.raises(BackendError, match="smesearch reindex"):  # a crawl would skip unchanged pages
            Indexer(analyser, backend).index([doc("https://a.example.cn/3", title="机械设备")])
        assert backend.get(doc("https://a.example.cn/1", title="x").id) is not None

        indexer = Indexer(analyser, backend)

        def failing(document: Document) -> IndexedDocument:
            if document.url.endswith("/2"):
                raise RuntimeError("analysis failed")  # as when the process is interrupted
            return indexer.prepare(document)

        with pytest.raises(RuntimeError, match="analysis failed"):
            backend.reindex(lambda documents: map(failing, documents))
        assert backend.needs_reindex  # type: ignore[attr-defined]  # still refused, nothing lost
        where, count = backend.reindex(indexer.prepare_many)
        assert (where, count) == (str(home / INDEX_DIR), 2)
        assert service.search("汽车零部件").total == 1
        assert not (home / "tantivy").exists()  # the old layout's files are gone
    finally:
        backend.close()
    reopened = open_backend(Settings(data_dir=tmp_path))
    try:
        assert not reopened.needs_reindex  # type: ignore[attr-defined]
        assert SearchService(analyser, reopened).search("纺织").total == 1
    finally:
        reopened.close()


def test_text_folded_for_highlighting_is_stored_with_each_document_and_a_reindex_adds_it_to_older_stores(
        analyser: Analyser, tmp_path: Path) -> None:
    traditional = doc("https://d.example.tw/1", title="瀋陽汽車零部件供應商", body="瀋陽某汽車零部件公司，ＯＥＭ生產。",
                      lang="zh")
    simplified = doc("https://a.example.cn/1", title="沈阳汽车零部件企业", body="生产汽车零部件。", lang="zh")
    backend = open_backend(Settings(data_dir=tmp_path))
    indexer = Indexer(analyser, backend)
    indexer.index([traditional, simplified])
    plan = SearchService(analyser, backend).analyse("汽车零部件", "keyword").plan

    def searched() -> tuple[dict[str, FoldedText | None], list[list[str]]]:
        hits = backend.search(BackendQuery(plan, facets=())).hits
        shown = SearchService(analyser, backend).search("汽车零部件 OEM").hits
        marked = [[h.title.text[a:b] for a, b in h.title.highlights]
                  + [h.snippet.text[a:b] for a, b in h.snippet.highlights]
                  for h in sorted(shown, key=lambda h: h.document.url)]
        return {h.document.url: h.folded for h in hits}, marked

    try:
        folded, marked = searched()
        assert folded == {traditional.url: FoldedText(((0, "沈阳"), (3, "车"), (8, "应")), ((0, "沈阳"), (4, "车"), (11, "oem"), (15, "产"))),
                          simplified.url: FoldedText()}  # Simplified text needs nothing kept
        assert marked == [["汽车零部件", "汽车零部件"], ["汽車零部件", "汽車零部件", "ＯＥＭ"]]
    finally:
        backend.close()
    store = tmp_path / "index" / "embedded" / "documents.sqlite"
    with sqlite3.connect(store) as db:  # a store written before folded text was kept
        db.execute("ALTER TABLE documents DROP COLUMN folded")
    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        folded, before = searched()
        assert set(folded.values()) == {None} and before == marked  # folded as it is searched, the same marks
        backend.reindex(Indexer(analyser, backend).prepare_many)
        assert searched() == ({traditional.url: FoldedText(((0, "沈阳"), (3, "车"), (8, "应")), ((0, "沈阳"), (4, "车"), (11, "oem"), (15, "产"))),
                               simplified.url: FoldedText()}, marked)
    finally:
        backend.close()


def test_the_cli_rebuilds_an_embedded_index(analyser: Analyser, tmp_path: Path) -> None:
    data = tmp_path / "data"
    backend = open_backend(Settings(data_dir=data))
    Indexer(analyser, backend).index([doc("https://a.example.cn/1", title="汽车零部件供应商")])
    backend.close()
    (data / "index" / "embedded" / INDEX_DIR).rename(data / "index" / "embedded" / "tantivy")
    refused = run(data, "search", "汽车零部件")
    assert refused.returncode != 0 and "smesearch reindex" in refused.stderr
    rebuilt = run(data, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "reindexed 1 documents" in rebuilt.stdout
    assert "a.example.cn/1" in run(data, "search", "汽车零部件").stdout


def test_searches_on_many_threads_see_each_commit(analyser: Analyser, tmp_path: Path) -> None:
    """Each request thread reads on its own SQLite connection; none may keep seeing an older commit."""
    backend = open_backend(Settings(data_dir=tmp_path))
    indexer = Indexer(analyser, backend)
    service = SearchService(analyser, backend)
    indexer.index([doc("https://a.example.cn/1", title="汽车零部件供应商")])
    threads = 6
    barrier = threading.Barrier(threads)

    def search(_: int) -> tuple[int, int, bool]:
        barrier.wait(timeout=30)  # every pool thread takes part, so each opens its own connection
        response = service.search("汽车零部件")
        return response.total, len(response.hits), "汽车零部件制造商" in [s.text for s in backend.suggest("汽车", 20)]

    try:
        with ThreadPoolExecutor(threads) as pool:
            assert set(pool.map(search, range(threads))) == {(1, 1, False)}
            indexer.index([doc("https://a.example.cn/2", title="汽车零部件制造商")])
            after = set(pool.map(search, range(threads)))
        assert after == {(2, 2, True)}
    finally:
        backend.close()


def test_connections_of_retired_threads_are_closed(tmp_path: Path) -> None:
    """Request thread pools retire idle threads; their SQLite connections must not pile up."""
    readers = ThreadConnections(lambda: sqlite3.connect(tmp_path / "x.sqlite", check_same_thread=False))
    try:
        for _ in range(20):  # twenty short-lived threads, one after another
            worker = threading.Thread(target=lambda: readers.get().execute("SELECT 1").fetchone())
            worker.start()
            worker.join()
        assert readers.get().execute("SELECT 2").fetchone() == (2,)
        assert len(readers) == 1  # only this thread's: each new thread closed those of the finished ones
    finally:
        readers.close()
    assert len(readers) == 0


def test_reindex_analyses_in_worker_processes_and_keeps_every_document(analyser: Analyser, tmp_path: Path) -> None:
    backend = open_backend(Settings(data_dir=tmp_path))
    titles = ["汽车零部件供应商", "纺织服装企业", "自動車部品メーカー", "Auto parts supplier", "機械設備の販売代理店"]
    indexer = Indexer(analyser, backend)
    indexer.index([doc(f"https://a.example.cn/{i}", title=t) for i, t in enumerate(titles)])
    try:
        seen: list[str] = []

        def prepare(documents: Iterable[Document]) -> Iterator[IndexedDocument]:
            for item in indexer.prepare_many(documents, workers=2, batch_size=2):  # a pool from the first batch
                seen.append(item.document.url)
                yield item

        _, count = backend.reindex(prepare)
        assert count == 5
        assert seen == sorted(seen, key=lambda url: doc(url, title="x").id)  # the store's order, none lost
        service = SearchService(analyser, backend)
        for i, title in enumerate(titles):  # each page is found again by its title
            assert f"https://a.example.cn/{i}" in [h.document.url for h in service.search(title).hits], title
    finally:
        backend.close()


def test_stopping_the_analysis_pool_is_bounded_and_kills_a_stuck_worker(tmp_path: Path) -> None:
    busy = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    marker = tmp_path / "started"
    busy.submit(touch_and_sleep, str(marker), 600)  # a task that will not finish
    deadline = time.monotonic() + 60
    while not marker.exists():  # running in the worker, not just queued (queued ones are cancelled)
        assert time.monotonic() < deadline, "the pool's worker never started the task"
        time.sleep(0.05)
    (worker,) = busy._processes.values()
    started = time.monotonic()
    stop_analysis_pool(busy, grace_s=1)
    assert time.monotonic() - started < 15 and not process_running(worker.pid)

    idle = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    assert idle.submit(abs, -2).result(timeout=60) == 2
    (worker,) = idle._processes.values()
    started = time.monotonic()
    stop_analysis_pool(idle, grace_s=60)  # an idle worker takes its stop sentinel and exits by itself
    assert time.monotonic() - started < 30 and not process_running(worker.pid)
