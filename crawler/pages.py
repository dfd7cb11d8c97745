"""From a fetched response to an analysed document, in a worker process beside the crawl.

The crawl process only downloads and follows links; decoding, main-content extraction, the
Table 9 profile and the analyser run here, so that on two cores the fetching never waits for
the analysis. Everything crossing the process boundary is a plain dataclass.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from datetime import datetime

from simhash import Simhash

from crawler.extract import NotAPage, extract
from crawler.profile import enterprise_profile
from indexer.backends.base import IndexedDocument
from indexer.document import Document, DocumentError
from indexer.pipeline import Indexer, worker_indexer

# Near-duplicates are judged only on texts long enough for the judgement to mean something: two
# short product notes can share most of their words and still be different offers.
NEAR_DUPLICATE_MIN_CHARS = 300
SIMHASH_TEXT_CHARS = 20_000
SHINGLE_CHARS = 4
SHINGLE_TEXT_CHARS = 5_000


def shingles(text: str) -> frozenset[int]:
    """The set of 4-character windows of a text (as stable hashes): the Jaccard similarity of two
    such sets is what "near duplicate" means here; SimHash only finds the candidates quickly."""
    text = " ".join(text[:SHINGLE_TEXT_CHARS].lower().split())
    return frozenset(zlib.crc32(text[i:i + SHINGLE_CHARS].encode()) for i in range(len(text) - SHINGLE_CHARS + 1))


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # the final URL, after redirects
    body: bytes
    content_type: str
    source: str
    group: str
    known_hash: str | None  # content hash stored by the last run, to skip analysing unchanged pages
    published_hint: datetime | None = None  # from a feed entry


@dataclass(frozen=True, slots=True)
class PageOutcome:
    url: str
    skipped: str | None = None  # why the page makes no document ("not a text page (image/png)")
    content_hash: str | None = None
    simhash: int | None = None  # near duplicates, None for texts too short to judge
    shingles: frozenset[int] = frozenset()  # empty for texts too short to judge
    prepared: IndexedDocument | None = None  # None when skipped or unchanged


def analyse_page(page: FetchedPage, indexer: Indexer) -> PageOutcome:
    try:
        extracted = extract(page.url, page.body, page.content_type)
    except NotAPage as exc:
        return PageOutcome(page.url, skipped=exc.reason)
    text = extracted.text
    if not text and not extracted.title:
        return PageOutcome(page.url, skipped="no text")
    profile = enterprise_profile(extracted.html)
    try:
        document = Document(url=page.url, title=extracted.title[:500], body=text, source=page.source,
                            group=page.group, services=profile.services, sections=profile.sections,
                            published_at=extracted.published_at or page.published_hint)
    except DocumentError as exc:
        return PageOutcome(page.url, skipped=f"not a document ({exc})")
    long_enough = len(text) >= NEAR_DUPLICATE_MIN_CHARS
    outcome = PageOutcome(page.url, content_hash=document.content_hash,
                          simhash=Simhash(text[:SIMHASH_TEXT_CHARS]).value if long_enough else None,
                          shingles=shingles(text) if long_enough else frozenset())
    if document.content_hash == page.known_hash:
        return outcome
    return dataclasses.replace(outcome, prepared=indexer.prepare(document))


def analyse_pages_in_worker(pages: list[FetchedPage]) -> list[PageOutcome]:
    """The pool task: the worker's own indexer (analyser and classifier) built once per process."""
    indexer = worker_indexer()
    return [analyse_page(p, indexer) for p in pages]
