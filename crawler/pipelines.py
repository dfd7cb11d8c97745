"""The item pipeline from fetched pages to the index.

Per page: analysis in a worker process (skipped when the content hash is the last run's), then
duplicate collapsing (the same text, or SimHash within NEAR_DUPLICATE_BITS, as a page already indexed), then
a batched index write. The crawl state of a page is saved only after its document is durable in
the index, so a run killed at any point loses nothing: the next run fetches the page again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler

from analysis import AnalyserSpec
from crawler.duplicates import SimhashBuckets
from crawler.job import CrawlJob, job_of
from crawler.pages import FetchedPage, PageOutcome, analyse_page, analyse_pages_in_worker, shingles
from crawler.spiders.base import GoneItem, PageItem
from crawler.spool import Spool
from crawler.state import PageState
from indexer.backends.base import BackendError, IndexedDocument
from indexer.document import document_id
from indexer.pipeline import start_analysis_pool, stop_analysis_pool

# Near duplicates: SimHash within 8 of 64 bits finds the candidates (Manku, Jain and Das Sarma,
# WWW 2007, use 3 bits for whole web pages; short SME pages move further for a small change: a
# dated line added to a 400-character profile measured 6 bits), and the Jaccard similarity of
# their 4-character shingles decides: 0.85 or more is the same page. Distinct pages on one
# template measured 0.2-0.5 (tests/test_crawl.py holds both cases).
NEAR_DUPLICATE_BITS = 8
NEAR_DUPLICATE_JACCARD = 0.85
WORKER_CHUNK = 8  # pages per analysis task
WORKER_CHUNK_WAIT_S = 0.02  # a chunk not yet full goes out after this long


log = logging.getLogger("smesearch.crawl")


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class IndexPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pool: ProcessPoolExecutor | None = None
        self.batch: list[tuple[IndexedDocument, PageState]] = []
        self.by_hash: dict[str, str] = {}  # content hash → url of the indexed page holding it
        self.near: SimhashBuckets | None = None
        self.shingles: dict[str, frozenset[int]] = {}  # url → shingles, of candidates met so far
        self.spool: Spool | None = None  # opened with the spider
        self.write_lock = asyncio.Lock()
        self.closing: asyncio.Future[None] | None = None
        self.chunk: list[tuple[FetchedPage, asyncio.Future[PageOutcome]]] = []
        self.chunk_timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def job(self) -> CrawlJob:
        return job_of(self.crawler)

    def open_spider(self) -> None:
        job = self.job
        source = job.source.id
        if job.state.page_count(source) and not job.engine.backend.stats().by_source.get(source):
            job.state.forget_source(source)  # the index lost this source's documents: crawl in full
        for url, content_hash in job.state.indexed_hashes(source):
            self.by_hash.setdefault(content_hash, url)
        self.near = SimhashBuckets(NEAR_DUPLICATE_BITS)
        for url, fingerprint in job.state.indexed_simhashes(source):
            self.near.add(url, fingerprint)
        self.spool = Spool(job.engine.settings.paths.spool, source)
        self._drain_spool()

    async def close_spider(self) -> None:
        try:
            async with self.write_lock:
                self._flush()
            if self.spool is not None and not self.spool.pending():
                self.job.engine.writer.commit()
        finally:
            if self.pool is not None:
                stop_analysis_pool(self.pool)

    async def process_item(self, item: Any) -> Any:
        try:
            if isinstance(item, GoneItem):
                self._gone(item)
            elif isinstance(item, PageItem):
                await self._page(item)
        except BackendError as exc:
            # The index cannot take writes (disk full, say): stop rather than fetch pages that
            # cannot be kept. Pages whose state was not saved are fetched again next run.
            self.job.failure = f"the index refused a write: {exc}"
            self.job.counters.errors["index"] += 1
            assert self.crawler.engine is not None
            if self.closing is None:
                self.closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="index_failed"))
        return None

    def _gone(self, item: GoneItem) -> None:
        job = self.job
        prior = job.state.page(job.source.id, item.url)
        if prior is None:
            return
        try:
            if prior.duplicate_of is None and job.engine.writer.delete(item.url):
                job.counters.deleted += 1
        except BackendError:
            job.counters.errors["index_unavailable"] += 1
            return  # the page stays known, and the next run deletes it
        job.state.forget_page(job.source.id, item.url)
        job.state.forget_duplicates_of(job.source.id, item.url)

    async def _page(self, item: PageItem) -> None:
        job = self.job
        source = job.source.id
        prior = job.state.validators(source, item.page.url)
        was_original = prior is not None and not prior.duplicate  # indexed as a document of its own
        known = prior.content_hash if prior is not None and was_original else None
        page = dataclasses.replace(item.page, known_hash=known)
        if job.workers > 0:
            outcome = await self._in_worker(page)
        else:
            outcome = analyse_page(page, job.engine.indexer)
        if outcome.skipped:
            job.counters.skipped[outcome.skipped] += 1
            return
        state = PageState(url=page.url, doc_id=document_id(page.url), etag=item.etag, last_modified=item.last_modified,
                          content_hash=outcome.content_hash, simhash=outcome.simhash, duplicate_of=None,
                          sitemap_lastmod=item.sitemap_lastmod, links=item.links, fetched_at=datetime.now(UTC))
        original = self._duplicate_of(outcome)
        if original is not None:
            job.counters.duplicates += 1
            if was_original:
                job.engine.writer.delete(page.url)
            job.state.save_page(source, dataclasses.replace(state, duplicate_of=original))
            return
        if outcome.content_hash:
            self.by_hash.setdefault(outcome.content_hash, page.url)
        if outcome.simhash is not None and self.near is not None:
            self.near.add(page.url, outcome.simhash)
            self.shingles[page.url] = outcome.shingles
        if outcome.prepared is None:
            job.counters.unchanged += 1
            job.state.save_page(source, state)
            return
        document = outcome.prepared.document
        if not document.categories and job.source.categories:
            document.categories = list(job.source.categories)
        self.batch.append((outcome.prepared, state))
        if len(self.batch) >= job.batch_size:
            async with self.write_lock:
                self._flush()

    async def _in_worker(self, page: FetchedPage) -> PageOutcome:
        """Analyse in the pool, pages sent in small chunks: one task per page measured a fifth of
        the crawl process's time in task bookkeeping and pickling."""
        loop = asyncio.get_running_loop()
        if self.pool is None:  # started with the first page, so a run of 304s never pays for it
            settings = self.job.engine.settings
            self.pool = start_analysis_pool(AnalyserSpec(settings.lang_detector), self.job.workers,
                                            settings.translation_hook)
        waiting: asyncio.Future[PageOutcome] = loop.create_future()
        self.chunk.append((page, waiting))
        if len(self.chunk) >= WORKER_CHUNK:
            self._send_chunk()
        elif self.chunk_timer is None:
            self.chunk_timer = loop.call_later(WORKER_CHUNK_WAIT_S, self._send_chunk)
        return await waiting

    def _send_chunk(self) -> None:
        if self.chunk_timer is not None:
            self.chunk_timer.cancel()
            self.chunk_timer = None
        chunk, self.chunk = self.chunk, []
        if not chunk or self.pool is None:
            return
        loop = asyncio.get_running_loop()
        done = asyncio.wrap_future(self.pool.submit(analyse_pages_in_worker, [page for page, _ in chunk]), loop=loop)

        def deliver(result: asyncio.Future[list[PageOutcome]]) -> None:
            error = result.exception()
            for n, (_, waiting) in enumerate(chunk):
                if waiting.done():
                    continue
                if error is not None:
                    waiting.set_exception(error)
                else:
                    waiting.set_result(result.result()[n])

        done.add_done_callback(deliver)

    def _duplicate_of(self, outcome: PageOutcome) -> str | None:
        """The url of an indexed page this one repeats, exactly or nearly; None for an original."""
        if outcome.content_hash:
            same = self.by_hash.get(outcome.content_hash)
            if same is not None and same != outcome.url:
                return same
        if outcome.simhash is None or self.near is None:
            return None
        for url in self.near.near(outcome.simhash):
            if url == outcome.url:
                continue
            if _jaccard(outcome.shingles, self._shingles_of(url)) >= NEAR_DUPLICATE_JACCARD:
                return str(url)
        return None

    def _shingles_of(self, url: str) -> frozenset[int]:
        if url not in self.shingles:
            try:
                stored = self.job.engine.backend.get(document_id(url))  # indexed by an earlier run
            except BackendError:
                return frozenset()  # cannot judge now; the page counts as an original
            self.shingles[url] = shingles(stored.body) if stored is not None else frozenset()
        return self.shingles[url]

    def _flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        job = self.job
        documents = [prepared for prepared, _ in batch]
        if self._drain_spool():
            try:
                counts = job.engine.writer.write(documents)
            except BackendError as exc:
                self._to_spool(documents, exc)
            else:
                job.counters.new += counts.added
                job.counters.updated += counts.updated
                job.counters.unchanged += counts.unchanged
        else:
            self._to_spool(documents, None)
        with job.state.transaction():
            for _, state in batch:
                job.state.save_page(job.source.id, state)

    def _to_spool(self, documents: list[IndexedDocument], error: BackendError | None) -> None:
        """Keep a batch the index cannot take now; a spool that cannot be written ends the run."""
        assert self.spool is not None
        try:
            self.spool.put(documents)
        except OSError as exc:
            raise BackendError(f"{error or 'the index is unavailable'}, and the spool could not keep the batch "
                               f"({exc.strerror})") from exc
        if error is not None:
            log.warning("the index is unavailable (%s); spooling batches in %s until it is back",
                        error, self.spool.directory)
        self.job.counters.spooled += len(documents)

    def _drain_spool(self) -> bool:
        """Send the spooled batches; False while the index still refuses them."""
        if self.spool is None or not self.spool.pending():
            return True
        try:
            counts = self.spool.drain(self.job.engine.writer)
        except BackendError:
            return False
        self.job.counters.new += counts.added
        self.job.counters.updated += counts.updated
        self.job.counters.unchanged += counts.unchanged
        self.job.counters.unspooled += counts.added + counts.updated + counts.unchanged
        return True
