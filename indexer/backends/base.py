"""The backend interface: what every search engine behind smesearch must do, and the data it trades.

Backends receive documents that are already analysed (`IndexedDocument`) and queries that are
already parsed and segmented (`indexer.query.Plan`), so they differ only in how they store and
execute, never in what matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from indexer.document import Document
from indexer.highlight import FoldedText
from indexer.query.plan import Plan

if TYPE_CHECKING:
    from config import Settings

FACET_FIELDS = ("category", "service", "lang", "group", "site")

# How every backend weighs a match, so that both rank the same documents alike: a title word
# counts three times a body word, and the bigram fallback ranks below dictionary words. The
# extra field holds the company name and the translated title and summary: short, so BM25 would
# favour it; halved, a page written in the query's language ranks above one found by translation.
TITLE_BOOST = 3.0
EXTRA_BOOST = 0.5
EXACT_BOOST = 0.4


def word_fields(scope: str) -> list[tuple[str, float]]:
    """The dictionary-word fields a term is looked up in, with their boosts."""
    if scope == "title":
        return [("title", TITLE_BOOST)]
    return [("title", TITLE_BOOST), ("body", 1.0), ("extra", EXTRA_BOOST)]


def exact_fields(scope: str) -> list[tuple[str, float]]:
    """The exact-stream fields phrases and the bigram fallback run on, with their boosts."""
    return [("title_exact", TITLE_BOOST)] if scope == "title" else [("title_exact", TITLE_BOOST), ("body_exact", 1.0)]


class BackendError(RuntimeError):
    """The index cannot be reached or used; the message says what to do."""


class DamagedIndex(BackendError):
    """The index does not open (a damaged or truncated segment) while its documents may be whole:
    `smesearch reindex` sets it aside and rebuilds it."""


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A document with its analysed fields, each a string of whitespace-separated tokens:
    exactly what a backend indexes, with a whitespace tokenizer and no analysis of its own."""

    document: Document
    title: str  # dictionary words (search mode)
    body: str
    extra: str  # company name and translated titles and summaries
    title_exact: str  # CJK bigrams and unstemmed words, in text order, for phrases and unknown names
    body_exact: str  # body, then a separator token, then the extra texts
    # completions this document offers, as (normalised text, kind, text shown)
    suggestions: tuple[tuple[str, str, str], ...] = ()
    folded: FoldedText | None = None  # its title and snippet text as highlighting compares them


@dataclass(slots=True)
class SearchFilters:
    categories: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None


def filter_terms(filters: SearchFilters) -> list[tuple[str, list[str]]]:
    """The keyword filters in force, as (field, accepted values)."""
    pairs = (("category", [str(c) for c in filters.categories if c]), ("service", filters.services),
             ("lang", filters.langs), ("group", filters.groups), ("source", filters.sources), ("site", filters.sites))
    return [(name, list(values)) for name, values in pairs if values]


@dataclass(slots=True)
class BackendQuery:
    plan: Plan
    filters: SearchFilters = field(default_factory=SearchFilters)
    offset: int = 0
    limit: int = 10
    sort: Literal["relevance", "date"] = "relevance"
    facets: tuple[str, ...] = FACET_FIELDS  # the fields counted over every match; () counts none


@dataclass(slots=True)
class BackendHit:
    document: Document
    score: float | None
    folded: FoldedText | None = None  # None where the backend does not keep it: highlighting folds then


@dataclass(slots=True)
class BackendResult:
    total: int
    hits: list[BackendHit]
    facets: dict[str, list[tuple[str, int]]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    kind: Literal["title", "company", "term"]
    weight: int


@dataclass(frozen=True, slots=True)
class SiteCount:
    site: str
    documents: int
    sample_url: str
    sample_title: str


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class IndexStats:
    backend: str
    documents: int
    by_lang: dict[str, int]
    by_source: dict[str, int]
    by_group: dict[str, int]
    unanalysed_langs: dict[str, int]  # indexed with the generic tokeniser
    size_bytes: int
    location: str
    last_commit: datetime | None


class Backend(Protocol):
    """The whole contract between the search service and an index: tests/test_backend_contract.py
    runs it against every entry of `indexer.backends.BACKENDS`."""

    name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Backend:
        """Open (creating if needed) the index these settings name."""
        ...

    @property
    def location(self) -> str:
        """Where the index lives, for messages: a directory, or the cluster's alias."""
        ...

    @property
    def needs_reindex(self) -> bool:
        """The index was built by an earlier layout and must be rebuilt from stored documents."""
        ...

    def known_hashes(self, ids: list[str]) -> dict[str, str]:
        """content_hash of the documents among `ids` already stored, so unchanged ones are skipped."""
        ...

    def upsert(self, documents: list[IndexedDocument]) -> UpsertCounts:
        """Add or replace documents (by id); durable once `commit` returns."""
        ...

    def commit(self) -> None:
        """Make everything upserted durable and release any write lock the backend holds."""
        ...

    def delete_url(self, url: str) -> bool: ...

    def delete_source(self, source: str) -> int: ...

    def get(self, doc_id: str) -> Document | None: ...

    def search(self, query: BackendQuery) -> BackendResult: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Completions whose normalised text starts with the (normalised) prefix, most frequent first."""
        ...

    def term_sites(self, plan: Plan, limit: int = 10) -> list[SiteCount]:
        """The sites where a term appears in the most documents: the seed's retrieval reference list."""
        ...

    def stats(self) -> IndexStats: ...

    def all_documents(self) -> Iterator[Document]:
        """Every stored document, for a copy into another backend (`smesearch migrate`)."""
        ...

    def drop(self) -> None:
        """Delete the index and everything stored with it."""
        ...

    def generation(self) -> str:
        """A stamp that changes with every commit, so that a cached answer is used only while the
        index is as it was; "" when the backend cannot tell cheaply (answers then live for the
        cache's time only)."""
        ...

    def check(self) -> int:
        """Reach the index as a search would and return its document count, or raise BackendError
        with the reason (what readiness reports)."""
        ...

    def reindex(self, prepare: Callable[[Iterable[Document]], Iterable[IndexedDocument]], batch_size: int = 500,
                progress: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Index every stored document again as `prepare` (`Indexer.prepare_many`) analyses them;
        returns where to and how many."""
        ...

    def close(self) -> None: ...


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0
