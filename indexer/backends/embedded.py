"""The embedded backend: tantivy for matching and BM25, SQLite for the documents. No server.

Chosen over SQLite FTS5 by measurement (docs/BENCHMARKS.md): on the same pre-tokenised text
tantivy answered queries several times faster and computes facets natively.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
import tantivy
from tantivy import Occur, Query

from analysis import ANALYSED_LANGS
from config import Settings
from indexer.backends.base import (
    BackendError,
    BackendHit,
    BackendQuery,
    BackendResult,
    DamagedIndex,
    IndexedDocument,
    IndexStats,
    SiteCount,
    Suggestion,
    UpsertCounts,
    directory_size,
)
from indexer.backends.docstore import DocumentStore
from indexer.backends.tantivy_queries import (
    PAIR_FIELDS,
    BindingQueries,
    NativeQueries,
    QueryCompiler,
    token_pairs,
)
from indexer.document import SERVICES, Document
from indexer.highlight import FoldedText
from indexer.query.plan import PREFERRED_BONUS, Plan

try:  # the one-pass search built from native/ (`make setup` builds it; without it, the binding's)
    import smesearch_native
except ImportError:  # pragma: no cover - CI fails test_native_search_is_built instead
    smesearch_native = None  # type: ignore[assignment]

_Method = TypeVar("_Method", bound=Callable[..., Any])
WRITER_HEAP = 128_000_000
# Bumped whenever build_schema or the words the analyser makes change (3: English stem exceptions,
# 4: phrases over pairs of exact tokens).
# An index of an older layout is not opened for searching: `smesearch reindex` rebuilds it from the store.
INDEX_LAYOUT = 4
INDEX_DIR = f"tantivy-{INDEX_LAYOUT}"
STORE_FILE = "documents.sqlite"  # the document store, beside the index
REINDEX_MARK = "REINDEX_NEEDED"
# Categories and services are counted from one bit mask per document: tantivy's terms aggregation
# over a multi-valued text field cost 15 times as much as over one number (bench/facets.py).
MASKED_FACETS = {"category": ("category_mask", tuple(str(c) for c in range(12))),
                 "service": ("service_mask", SERVICES)}
FACET_SIZES = {"site": 50}  # the values a facet lists, most frequent first
DEFAULT_FACET_SIZE = 20


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("source", "site", "lang", "group"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    for name in ("category", "service"):  # filtered on; counted through their masks
        sb.add_text_field(name, tokenizer_name="raw")
    for mask, _ in MASKED_FACETS.values():
        sb.add_unsigned_field(mask, fast=True, indexed=False)
    sb.add_date_field("date", indexed=True, fast=True)
    for name in ("title", "body", "extra", "title_exact", "body_exact"):
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    # Phrases run on the pair fields only, so only they pay for positions.
    for name in PAIR_FIELDS.values():
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    return sb.build()


def set_aside_damaged_index(path: Path) -> Path:
    """Move a tantivy index that does not open out of the way (kept beside it, for a post-mortem),
    so that the next open starts an empty one and marks it for `smesearch reindex`."""
    index = path / INDEX_DIR
    aside = path / f"damaged-{INDEX_DIR}-{datetime.now(UTC):%Y%m%dT%H%M%S}"  # not tantivy*: reindex removes those
    index.rename(aside)
    return aside


def _storage_errors(method: _Method) -> _Method:
    """Turn what a damaged or vanished file raises under a running process (SQLite's
    DatabaseError, an OSError, tantivy's ValueError) into BackendError with what to do."""
    @functools.wraps(method)
    def guarded(self: EmbeddedBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except BackendError:
            raise
        except sqlite3.DatabaseError as exc:
            raise BackendError(_damaged_store(self.path, exc)) from exc
        except (OSError, ValueError) as exc:
            raise BackendError(f"the index at {self._index_path} cannot be read ({exc}): stop the server and run "
                               "`smesearch reindex` to rebuild it from the document store") from exc
    return guarded  # type: ignore[return-value]


def _damaged_store(path: Path, exc: BaseException) -> str:
    return (f"the document store {path / STORE_FILE} cannot be read ({exc}): restore the data "
            "directory with `smesearch restore BACKUP`, or move it away and crawl and import again")


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, path: Path, writer_heap: int = WRITER_HEAP, native: bool = True) -> None:
        self.path = path
        self._index_path = path / INDEX_DIR
        fresh = not (self._index_path / "meta.json").exists()
        self._index_path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        try:
            self._index = tantivy.Index(self.schema, path=str(self._index_path), reuse=True)
        except ValueError as exc:
            raise DamagedIndex(
                f"the index at {self._index_path} cannot be opened ({exc}): run `smesearch reindex`, which sets "
                "it aside and rebuilds it from the document store") from exc
        self.queries = QueryCompiler(BindingQueries(self.schema))
        self.native_queries = QueryCompiler(NativeQueries())
        self._native: smesearch_native.Index | None = None
        if native and smesearch_native is not None:  # type: ignore[truthy-function]
            try:
                self._native = smesearch_native.Index(str(self._index_path), threads=min(2, os.cpu_count() or 1))
            except ValueError as exc:
                raise DamagedIndex(f"the index at {self._index_path} cannot be opened ({exc}): run "
                                   "`smesearch reindex`, which sets it aside and rebuilds it from the document store"
                                   ) from exc
        try:
            self._store = DocumentStore(path / STORE_FILE)
        except sqlite3.DatabaseError as exc:
            raise BackendError(_damaged_store(path, exc)) from exc
        if fresh and self._store.count():  # documents stored under an older layout (or a lost index)
            (self._index_path / REINDEX_MARK).touch()
        self._needs_reindex = (self._index_path / REINDEX_MARK).exists()
        self._writer: tantivy.IndexWriter | None = None
        self._writer_heap = writer_heap
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tantivy-facets")
        self._seen_meta: float = -1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedBackend:
        return cls(settings.paths.embedded_index, native=settings.native_search)

    @property
    def location(self) -> str:
        return str(self.path)

    def drop(self) -> None:
        """Close and delete the index and the document store."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)

    # -- writing ---------------------------------------------------------------------------

    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(self._writer_heap, 1)
            except ValueError as exc:
                if "lock" not in str(exc).lower():  # a full disk, say, as the writer starts
                    raise BackendError(_write_failure(self._index_path, exc)) from exc
                raise BackendError(
                    f"another process is writing to the index at {self._index_path}; "
                    "wait for it to finish (only one import or crawl writes at a time)") from exc
        return self._writer

    @_storage_errors
    def known_hashes(self, ids: list[str]) -> dict[str, str]:
        return self._store.hashes(ids)

    @property
    def needs_reindex(self) -> bool:
        """True while the index holds fewer documents than the store because its layout changed."""
        return self._needs_reindex

    def _check_layout(self) -> None:
        if self._needs_reindex:
            raise BackendError(
                f"the index at {self._index_path} must be rebuilt from its {self._store.count()} stored documents "
                "(it was built by an earlier version of smesearch, or lost): run `smesearch reindex`")

    def upsert(self, documents: list[IndexedDocument]) -> UpsertCounts:
        if not documents:
            return UpsertCounts()
        self._check_layout()  # unchanged documents would be skipped and missing from the rebuilt index
        known = self._store.hashes([d.document.id for d in documents])
        writer = self._get_writer()
        added = updated = unchanged = 0
        rows = []
        for item in documents:
            doc = item.document
            previous = known.get(doc.id)
            if previous == doc.content_hash:
                unchanged += 1
                continue
            if previous is None:
                added += 1
            else:
                updated += 1
            # Also for "new" documents: a crash between the index commit and the store commit
            # leaves them in the index only, and re-importing must not add them twice.
            try:
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._to_tantivy(item))
            except ValueError as exc:  # tantivy flushes a segment when its heap fills: a full disk shows here
                self._writer = None
                raise BackendError(_write_failure(self._index_path, exc)) from exc
            rows.append((doc, list(item.suggestions), previous is not None, item.folded))
        with self._lock:
            try:
                writer.commit()
            except ValueError as exc:
                self._writer = None  # a writer whose commit failed cannot be trusted with another
                raise BackendError(_write_failure(self._index_path, exc)) from exc
            try:
                self._store.write(rows)
            except (sqlite3.Error, OSError) as exc:
                raise BackendError(_write_failure(self.path, exc)) from exc
        return UpsertCounts(added, updated, unchanged)

    def _to_tantivy(self, item: IndexedDocument) -> tantivy.Document:
        doc = item.document
        tdoc = tantivy.Document()
        tdoc.add_text("id", doc.id)
        tdoc.add_text("source", doc.source)
        tdoc.add_text("site", doc.site)
        tdoc.add_text("lang", doc.lang)
        tdoc.add_text("group", doc.group)
        categories = doc.categories or [0]
        for c in categories:
            tdoc.add_text("category", str(c))
        tdoc.add_unsigned("category_mask", sum(1 << c for c in set(categories)))
        for s in doc.services:
            tdoc.add_text("service", s)
        tdoc.add_unsigned("service_mask", sum(1 << SERVICES.index(s) for s in set(doc.services) if s in SERVICES))
        if doc.published_at is not None:  # undated pages sort last and fall outside date ranges
            tdoc.add_date("date", doc.published_at.astimezone(UTC).replace(tzinfo=None))
        tdoc.add_text("title", item.title)
        tdoc.add_text("body", item.body)
        tdoc.add_text("extra", item.extra)
        tdoc.add_text("title_exact", item.title_exact)
        tdoc.add_text("body_exact", item.body_exact)
        tdoc.add_text("title_pairs", " ".join(token_pairs(item.title_exact.split(" "))))
        tdoc.add_text("body_pairs", " ".join(token_pairs(item.body_exact.split(" "))))
        return tdoc

    def reindex(self, prepare: Callable[[Iterable[Document]], Iterable[IndexedDocument]], batch_size: int = 500,
                progress: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Rebuild the inverted index from the stored documents, analysed again by `prepare` (so a
        new layout, dictionary or analyser takes effect), and drop indexes of older layouts. Run
        it between crawls; servers answer with a clear error until it has finished."""
        writer = self._get_writer()
        count = 0
        try:
            writer.delete_all_documents()
            folded: list[tuple[str, FoldedText]] = []
            for item in prepare(self._store.all_documents()):
                writer.add_document(self._to_tantivy(item))
                if item.folded is not None:
                    folded.append((item.document.id, item.folded))
                count += 1
                if count % batch_size == 0:
                    self._store.write_folded(folded)
                    folded.clear()
                    if progress is not None:
                        progress(count)
            self._store.write_folded(folded)
            self.commit()
        except BaseException as exc:
            # Nothing half-built is committed: the index stays as it was, marked, and reindex can run again.
            writer.rollback()
            self._writer = None
            if isinstance(exc, ValueError):
                raise BackendError(_write_failure(self._index_path, exc)) from exc
            raise
        if progress is not None:
            progress(count)
        (self._index_path / REINDEX_MARK).unlink(missing_ok=True)
        self._needs_reindex = False
        for old in self.path.glob("tantivy*"):
            if old.is_dir() and old != self._index_path:
                shutil.rmtree(old, ignore_errors=True)
        return str(self._index_path), count

    def commit(self) -> None:
        """Commit, and give up the writer so that another process (an import beside a running
        server, say) can write next."""
        if self._writer is not None:
            with self._lock:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None

    @_storage_errors
    def delete_url(self, url: str) -> bool:
        from indexer.document import document_id

        doc_id = document_id(url)
        self._get_writer().delete_documents_by_term("id", doc_id)
        self.commit()
        return bool(self._store.delete("id", doc_id))

    @_storage_errors
    def delete_source(self, source: str) -> int:
        self._get_writer().delete_documents_by_term("source", source)
        self.commit()
        return len(self._store.delete("source", source))

    def close(self) -> None:
        self._threads.shutdown()
        self._native = None  # its search threads end with it
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
        self._store.close()

    # -- reading ---------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit, reloaded only when another commit has landed."""
        self._refresh()
        return self._index.searcher()

    def _refresh(self) -> None:
        """See the latest commit, in the binding and the native search alike."""
        meta = self._index_path / "meta.json"
        try:
            mtime = meta.stat().st_mtime
        except FileNotFoundError:
            mtime = 0.0
        if mtime != self._seen_meta:
            self._index.reload()
            if self._native is not None:
                self._native.reload()
            self._seen_meta = mtime
            self._needs_reindex = (self._index_path / REINDEX_MARK).exists()  # another process may have rebuilt it
        self._check_layout()

    @_storage_errors
    def get(self, doc_id: str) -> Document | None:
        found = self._store.get_many([doc_id]).get(doc_id)
        return None if found is None else found[0]

    @_storage_errors
    def search(self, query: BackendQuery) -> BackendResult:
        if self._native is not None and query.sort == "relevance":
            self._refresh()
            return self._search_natively(self._native, query)
        searcher = self._searcher()
        matching, preferred = self.queries.ranked(query.plan, query.filters, query.sort == "relevance")
        # The facet pass counts what matches, whatever the ranking, so it runs the query without
        # the preferred tier. Counting languages also gives the total (every document has exactly
        # one), so the pass counts them whenever it runs, and always beside a preferred tier, whose
        # top-k search does not run the whole query.
        asked = query.facets
        counted = asked if "lang" in asked or (not asked and preferred is None) else (*asked, "lang")
        try:
            # tantivy releases the GIL, so the facet pass runs beside the top-k search.
            counting = self._threads.submit(self._facets, searcher, matching, counted) if counted else None
            total = 0
            if query.sort == "date":
                result = searcher.search(matching, query.limit, count=not counted, order_by_field="date",
                                         offset=query.offset, order=tantivy.Order.Desc)
                top = result.hits
            elif preferred is None:
                result = searcher.search(matching, query.limit, count=not counted, offset=query.offset)
                top = result.hits
            else:
                top = _preferred_first(searcher, matching, preferred, query.offset, query.limit)
            if counting is not None:
                facets, total = counting.result()
            else:
                # tantivy's type stubs omit SearchResult.count, which search(count=True) fills in.
                facets, total = {}, int(result.count or 0)  # type: ignore[attr-defined]
        except ValueError as exc:
            raise BackendError(f"the index could not run this search: {exc}") from exc
        ids = [searcher.doc(addr)["id"][0] for _, addr in top]
        scores = [float(score) if query.sort == "relevance" else None for score, _ in top]
        return self._result(total, list(zip(scores, ids, strict=True)), {name: facets[name] for name in asked})

    def _search_natively(self, native: smesearch_native.Index, query: BackendQuery) -> BackendResult:
        """The top hits, the count and the facets in one pass of the query (native/src/lib.rs)."""
        matching, preferred = self.native_queries.ranked(query.plan, query.filters, relevance=True)
        try:
            top, total, counted = native.search(orjson.dumps(matching), query.offset, query.limit,
                                                native_facet_kinds(query.facets),
                                                 None if preferred is None else orjson.dumps(preferred),
                                                 PREFERRED_BONUS)
        except ValueError as exc:
            raise BackendError(f"the index could not run this search: {exc}") from exc
        facets = {name: _ranked_facet(name, raw) for name, (_, raw) in zip(query.facets, counted, strict=True)}
        return self._result(total, [(float(score), doc_id) for score, doc_id in top], facets)

    def _result(self, total: int, top: list[tuple[float | None, str]],
                facets: dict[str, list[tuple[str, int]]]) -> BackendResult:
        docs = self._store.get_many([doc_id for _, doc_id in top])
        hits = [BackendHit(docs[doc_id][0], score, docs[doc_id][1]) for score, doc_id in top if doc_id in docs]
        return BackendResult(total, hits, facets)

    def _facets(self, searcher: tantivy.Searcher, tquery: Query,
                names: tuple[str, ...]) -> tuple[dict[str, list[tuple[str, int]]], int]:
        """The counts of `names` over every match, and the number of matches when `names` holds
        the language (0 otherwise: the top-k search counts them then)."""
        raw: dict[str, Any] = searcher.aggregate(tquery, facet_spec(names))
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            buckets = raw[name]["buckets"]
            if name in MASKED_FACETS:
                by_bit = [0] * len(MASKED_FACETS[name][1])
                for b in buckets:
                    for bit in range(len(by_bit)):
                        if int(b["key"]) >> bit & 1:
                            by_bit[bit] += int(b["doc_count"])
                facets[name] = _ranked_facet(name, by_bit)
            else:
                facets[name] = _ranked_facet(name, [(b["key"], int(b["doc_count"])) for b in buckets])
        if "lang" not in names:
            return facets, 0
        return facets, sum(count for _, count in facets["lang"]) + int(raw["lang"].get("sum_other_doc_count", 0))

    @_storage_errors
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        return self._store.suggest(prefix, limit)

    def all_documents(self) -> Iterator[Document]:
        """Every stored document (what `smesearch migrate` copies to another backend)."""
        return self._store.all_documents()

    @_storage_errors
    def term_sites(self, plan: Plan, limit: int = 10) -> list[SiteCount]:
        searcher = self._searcher()
        tquery = self.queries.compile(plan)
        raw = searcher.aggregate(tquery, {"site": {"terms": {"field": "site", "size": limit}}})
        out = []
        for bucket in raw["site"]["buckets"]:
            site_q = Query.boolean_query([(Occur.Must, tquery),
                                          (Occur.Must, Query.term_query(self.schema, "site", bucket["key"]))])
            top = searcher.search(site_q, 1, count=False)
            doc_id = searcher.doc(top.hits[0][1])["id"][0] if top.hits else ""
            sample = self.get(doc_id) if doc_id else None
            out.append(SiteCount(bucket["key"], int(bucket["doc_count"]),
                                 sample.url if sample else "", sample.title if sample else ""))
        return out

    @_storage_errors
    def stats(self) -> IndexStats:
        by_lang = self._store.counts_by("lang")
        return IndexStats(
            backend=self.name,
            documents=self._store.count(),
            by_lang=by_lang,
            by_source=self._store.counts_by("source"),
            by_group=self._store.counts_by("grp"),
            unanalysed_langs={k: v for k, v in by_lang.items() if k not in ANALYSED_LANGS},
            size_bytes=directory_size(self.path),
            location=str(self.path),
            last_commit=self._store.last_commit(),
        )

    def generation(self) -> str:
        # tantivy replaces meta.json (a new file, renamed over the old) at every commit.
        try:
            meta = (self._index_path / "meta.json").stat()
        except FileNotFoundError:
            return ""
        return f"{meta.st_ino}-{meta.st_mtime_ns}-{meta.st_size}"

    @_storage_errors
    def check(self) -> int:
        """Open the index and the store as a search would; the number of documents, or BackendError
        saying what is wrong and what to run (readiness probes call this)."""
        if not (self._index_path / "meta.json").exists():
            raise BackendError(f"the index at {self._index_path} has lost its meta.json (a damaged or partly "
                               "deleted index): stop the server and run `smesearch reindex` to rebuild it from "
                               "the document store")
        self._searcher()
        return self._store.count()


def facet_spec(names: tuple[str, ...]) -> dict[str, Any]:
    """tantivy's aggregation request for these facets (bit masks for categories and services)."""
    spec: dict[str, Any] = {}
    for name in names:
        if name in MASKED_FACETS:
            mask, values = MASKED_FACETS[name]
            spec[name] = {"terms": {"field": mask, "size": 1 << len(values)}}  # every combination
        else:
            spec[name] = {"terms": {"field": name, "size": FACET_SIZES.get(name, DEFAULT_FACET_SIZE)}}
    return spec


def native_facet_kinds(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """The facets as the native search counts them: (field, "bits") for a masked facet, (field,
    "values") otherwise."""
    return [(MASKED_FACETS[name][0], "bits") if name in MASKED_FACETS else (name, "values") for name in names]


def _ranked_facet(name: str, counts: list[int] | list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A facet's values by count, most first (ties by value): from counts by bit for a masked
    facet, from (value, count) pairs, at most FACET_SIZES of them, otherwise."""
    if name in MASKED_FACETS:
        values = MASKED_FACETS[name][1]
        by_bit = cast(list[int], counts)[:len(values)]
        return [(values[bit], -n) for n, bit in sorted((-n, bit) for bit, n in enumerate(by_bit) if n)]
    pairs = cast(list[tuple[str, int]], counts)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:FACET_SIZES.get(name, DEFAULT_FACET_SIZE)]


def _preferred_first(searcher: tantivy.Searcher, matching: Query, preferred: Query, offset: int,
                     limit: int) -> list[tuple[float, tantivy.DocAddress]]:
    """The top of `matching` with the documents `preferred` also matches first, each group ranked
    by its own score: what `matching` plus a bonus for `preferred` ranks, without running
    `matching` scored when the preferred documents fill the page (a key sentence's whole
    translated query then runs once, for the facets, instead of twice more for the top 10)."""
    wanted = offset + limit
    first = searcher.search(preferred, wanted, count=True)
    ranked = [(score + PREFERRED_BONUS, address) for score, address in first.hits]
    if first.count < wanted:  # type: ignore[attr-defined]  # so every preferred document is in `ranked`
        seen = {(address.segment_ord, address.doc) for _, address in first.hits}
        rest = searcher.search(matching, wanted, count=False).hits
        ranked += [(score, a) for score, a in rest if (a.segment_ord, a.doc) not in seen][:wanted - len(ranked)]
    return ranked[offset:wanted]


def _write_failure(where: Path, exc: BaseException) -> str:
    return (f"could not write the index at {where} ({exc}); is the disk full? "
            "Batches committed before this one are kept: free space and run the same import again")
