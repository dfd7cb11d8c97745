"""From documents to the index: language, classification, analysis, batched durable upserts."""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from multiprocessing.connection import wait as wait_for_processes

from analysis import Analyser, AnalyserSpec
from categories import Classifier
from indexer.backends.base import Backend, IndexedDocument, UpsertCounts
from indexer.document import Document, has_markup
from indexer.highlight import FoldedText

LANG_SAMPLE_CHARS = 2000
POOL_STOP_GRACE_S = 30.0  # a chunk is analysed in well under a second; longer means a stuck worker
POOL_MANAGER_GRACE_S = 10.0  # once its workers are gone, the manager thread closes its queues and ends

log = logging.getLogger(__name__)

# Called with each document once its language is known and before it is analysed, to add
# translated titles and summaries (doc.translations), which are then analysed and searched.
TranslationHook = Callable[[Document], None]
FIELD_SEPARATOR = "\x1f"  # never an analyser token, so a phrase cannot run from the body into a name


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    batches: int = 0

    @property
    def indexed(self) -> int:
        return self.added + self.updated


class IndexWriter:
    """The one way documents reach an index, whatever brought them in (a crawl, an import, a
    database, a spool replayed after a crash): analysed documents in, counts out, durable once
    `commit` returns. tests/test_layers.py checks that nothing else calls `Backend.upsert`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def write(self, documents: list[IndexedDocument]) -> UpsertCounts:
        return self.backend.upsert(documents)

    def commit(self) -> None:
        self.backend.commit()

    def delete(self, url: str) -> bool:
        """Remove the page at `url` (gone from its site, or now a duplicate); True if it was indexed."""
        return self.backend.delete_url(url)


class Indexer:
    def __init__(self, analyser: Analyser, backend: Backend, classifier: Classifier | None = None,
                 translate: TranslationHook | None = None) -> None:
        self.analyser = analyser
        self.backend = backend
        self.writer = IndexWriter(backend)
        self.classifier = classifier or Classifier(analyser)
        self.translate = translate
        self.translation_hook_spec = ""  # how worker processes build `translate` (set by whoever loaded it)

    def prepare(self, doc: Document) -> IndexedDocument:
        """Fill in what the source did not say (language, categories, services) and analyse."""
        a = self.analyser
        if not doc.lang:
            doc.lang = a.identify(f"{doc.title}\n{doc.body[:LANG_SAMPLE_CHARS]}")
        if self.translate is not None:
            self.translate(doc)
        title = a.analyse(doc.title, doc.lang)
        body = a.analyse(doc.body, doc.lang)
        if not doc.categories or not doc.services:
            found = self.classifier.classify_analysed(title, body)
            doc.categories = doc.categories or found.categories
            doc.services = doc.services or found.services
        company = a.analyse(doc.company, doc.lang) if doc.company else None
        extras = [company] if company else []
        extras += [a.analyse(f"{t.title}\n{t.summary}", lang) for lang, t in doc.translations.items()]
        suggestions: list[tuple[str, str, str]] = []
        if doc.title and not has_markup(doc.title):  # nor its words (script, alert) as terms
            suggestions.append((title.norm, "title", doc.title[:120]))
            terms = [t for t in title.words if not t.isascii()] + [t for t in title.exact if t.isascii()]
            suggestions += [(t, "term", t) for t in dict.fromkeys(terms) if len(t) > 1 and not t.isdigit()]
        if company and not has_markup(doc.company):
            suggestions.append((company.norm, "company", doc.company[:120]))
        extra_words = [w for e in extras for w in e.words]
        extra_exact = [w for e in extras for w in e.exact]
        return IndexedDocument(
            document=doc,
            title=" ".join(title.words),
            body=" ".join(body.words),
            extra=" ".join(extra_words),
            title_exact=" ".join(title.exact),
            body_exact=" ".join(body.exact) + (f" {FIELD_SEPARATOR} " + " ".join(extra_exact) if extra_exact else ""),
            suggestions=tuple(suggestions),
            folded=FoldedText.of(doc.title, doc.body or doc.summary, a.to_simplified if doc.lang == "zh" else None),
        )

    def index(self, documents: Iterable[Document], batch_size: int = 2000,
              progress: Callable[[int], None] | None = None, workers: int = 0) -> IndexReport:
        """Index in batches; each batch is committed before the next starts, so a crash loses at
        most the batch in flight. Documents whose content hash is unchanged are skipped unanalysed.

        With `workers` > 0, analysis runs in that many processes once the input fills a batch
        (small imports never pay their start-up), and the next batch is analysed while the
        current one is written.
        """
        report = IndexReport()
        pool: ProcessPoolExecutor | None = None
        pending: tuple[int, list[Future[list[IndexedDocument]]] | list[IndexedDocument]] | None = None
        try:
            for batch in _batches(iter(documents), batch_size):
                known = self.backend.known_hashes([d.id for d in batch])
                latest: dict[str, Document] = {d.id: d for d in batch}  # the last version of a URL wins
                changed = [d for d in latest.values() if known.get(d.id) != d.content_hash]
                report.unchanged += len(batch) - len(changed)
                if workers > 0 and pool is None and len(batch) == batch_size:
                    pool = start_analysis_pool(self.analyser.spec, workers, self.translation_hook_spec)
                work: list[Future[list[IndexedDocument]]] | list[IndexedDocument]
                if pool is not None:
                    work = [pool.submit(_prepare_in_worker, chunk) for chunk in _chunks(changed, WORKER_CHUNK)]
                else:
                    work = [self.prepare(d) for d in changed]
                if pending is not None:
                    self._write(*pending, report, progress)
                pending = (len(batch), work)
            if pending is not None:
                self._write(*pending, report, progress)
            self.writer.commit()
        finally:
            if pool is not None:
                stop_analysis_pool(pool)
        return report

    def prepare_many(self, documents: Iterable[Document], workers: int = 0,
                     batch_size: int = 2000) -> Iterator[IndexedDocument]:
        """Every document prepared, in order, for a rebuild (`Backend.reindex`). With `workers` > 0,
        analysis runs in that many processes once the input fills a batch, one batch ahead of the
        caller."""
        pool: ProcessPoolExecutor | None = None
        pending: list[Future[list[IndexedDocument]]] = []
        try:
            for batch in _batches(iter(documents), batch_size):
                if workers > 0 and pool is None and len(batch) == batch_size:
                    pool = start_analysis_pool(self.analyser.spec, workers, self.translation_hook_spec)
                if pool is None:
                    yield from (self.prepare(d) for d in batch)
                    continue
                work = [pool.submit(_prepare_in_worker, chunk) for chunk in _chunks(batch, WORKER_CHUNK)]
                for done in pending:
                    yield from done.result()
                pending = work
            for done in pending:
                yield from done.result()
        finally:
            if pool is not None:
                stop_analysis_pool(pool)

    def _write(self, size: int, work: list[Future[list[IndexedDocument]]] | list[IndexedDocument],
               report: IndexReport, progress: Callable[[int], None] | None) -> None:
        prepared = [d for f in work for d in f.result()] if work and isinstance(work[0], Future) else work
        counts = self.writer.write(prepared)  # type: ignore[arg-type]
        report.added += counts.added
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        report.batches += 1
        if progress is not None:
            progress(size)


WORKER_CHUNK = 50

# Each worker process holds its own analyser and classifier, built once by the pool initialiser:
# process-local state that exists only inside pool workers.
_worker_indexer: Indexer | None = None


class _NoBackend:
    """Workers analyse only; writing stays in the parent, which owns the index writer."""


def _init_worker(spec: AnalyserSpec, translation_hook: str) -> None:
    global _worker_indexer
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    analyser = spec.build()
    _worker_indexer = Indexer(analyser, _NoBackend(),  # type: ignore[arg-type]
                              translate=load_translation_hook(translation_hook, analyser))


def load_translation_hook(spec: str, analyser: Analyser) -> TranslationHook | None:
    """`module:factory` → the hook the factory returns when given the analyser; "" → none. A
    dotted path rather than an object, because worker processes build their own."""
    if not spec:
        return None
    module, _, name = spec.partition(":")
    factory = getattr(importlib.import_module(module), name)
    hook: TranslationHook = factory(analyser)
    return hook


def _exit_with_parent(parent: int) -> None:
    """A worker whose importer was killed (SIGKILL runs no clean-up) would otherwise wait forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def worker_indexer() -> Indexer:
    """The indexer of this pool worker (tasks submitted to `start_analysis_pool` use it)."""
    assert _worker_indexer is not None, "only inside a pool started by start_analysis_pool"
    return _worker_indexer


def _prepare_in_worker(documents: list[Document]) -> list[IndexedDocument]:
    indexer = worker_indexer()
    return [indexer.prepare(d) for d in documents]


def start_analysis_pool(spec: AnalyserSpec, workers: int, translation_hook: str = "") -> ProcessPoolExecutor:
    """Processes that each hold an analyser built from `spec` and the translation hook named
    (see `load_translation_hook`)."""
    # spawn, not fork: the parent holds index-writer threads, which fork would copy half-alive.
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(spec, translation_hook))


def _batches(items: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while batch := list(islice(items, size)):
        yield batch


def _chunks(items: list[Document], size: int) -> list[list[Document]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def stop_analysis_pool(pool: ProcessPoolExecutor, grace_s: float = POOL_STOP_GRACE_S) -> None:
    """Stop the pool's workers within `grace_s` seconds, killing any still running then.

    `ProcessPoolExecutor.shutdown(wait=True)` has no time limit, and in Python 3.11 it can wait
    forever: its manager thread was seen spinning in `shutdown_workers` beside an exited worker,
    which left a full crawl waiting in `close_spider` (CPython has fixed several such shutdown
    hangs since: gh-94440, gh-105829, gh-125451, gh-132969). The workers are joined here instead,
    which also lets the manager thread see them gone.
    """
    # No public handle on the workers or the manager thread before Python 3.14's `kill_workers`.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace_s
    # A worker has ended when its sentinel is ready. Not `join`/`is_alive`: the pool's manager
    # thread reaps workers too, and a process it reaped first looks alive to them for ever, so
    # every import that raced it reported a worker "killed" (and sent a signal to a reaped pid).
    running = {worker.sentinel: worker for worker in workers}
    while running and (left := deadline - time.monotonic()) > 0:
        for ended in wait_for_processes(list(running), left):
            del running[ended]
    stuck = list(running.values())
    for worker in stuck:
        worker.kill()
        worker.join(5)
    if stuck:
        log.warning("%d analysis worker(s) did not stop within %.0f s and were killed", len(stuck), grace_s)
    if manager is not None:
        manager.join(POOL_MANAGER_GRACE_S)
        if manager.is_alive():
            log.warning("the analysis pool's manager thread has not finished; this process may be slow to exit")
