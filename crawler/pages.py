"""From a fetched response to an analysed document, in a worker process beside the crawl.

The crawl process only downloads and follows links; decoding, main-content extraction, the
Table 9 profile and the analyser run here, so that on two cores the fetching never waits for
the analysis. Everything crossing the process boundary is a plain dataclass.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from simhash import Simhash

from crawler.extract import NotAPage, extract
from crawler.profile import enterprise_profile
from indexer.backends.base import IndexedDocument
from indexer.document import Document, DocumentError
from indexer.pipeline import Indexer, worker_indexer

# Near-duplicates are judged only on texts long enough for SimHash to be meaningful: two short
# product notes can sit within a few bits of each other and still be different offers.
NEAR_DUPLICATE_MIN_CHARS = 300
SIMHASH_TEXT_CHARS = 20_000


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
    text_hash: str | None = None  # exact duplicates: the same extracted text under another URL
    simhash: int | None = None  # near duplicates, None for texts too short to judge
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
                            group=page.group, services=profile.services,
                            published_at=extracted.published_at or page.published_hint)
    except DocumentError as exc:
        return PageOutcome(page.url, skipped=f"not a document ({exc})")
    text_hash = hashlib.blake2b(f"{extracted.title}\n{text}".encode(), digest_size=16).hexdigest()
    simhash = Simhash(text[:SIMHASH_TEXT_CHARS]).value if len(text) >= NEAR_DUPLICATE_MIN_CHARS else None
    if document.content_hash == page.known_hash:
        return PageOutcome(page.url, content_hash=document.content_hash, text_hash=text_hash, simhash=simhash)
    return PageOutcome(page.url, content_hash=document.content_hash, text_hash=text_hash, simhash=simhash,
                       prepared=indexer.prepare(document))


def analyse_pages_in_worker(pages: list[FetchedPage]) -> list[PageOutcome]:
    """The pool task: the worker's own indexer (analyser and classifier) built once per process."""
    indexer = worker_indexer()
    return [analyse_page(p, indexer) for p in pages]
