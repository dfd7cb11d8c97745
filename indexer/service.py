"""The search service: request validation, query analysis, backend call and snippets, in one place.

The CLI and the HTTP API both call this, so a search means the same thing everywhere.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from analysis import Analyser
from categories import Classifier
from categories.thesaurus import Thesaurus
from indexer.backends.base import (
    FACET_FIELDS,
    Backend,
    BackendQuery,
    BackendResult,
    IndexStats,
    SearchFilters,
    SiteCount,
    Suggestion,
)
from indexer.document import SERVICES, Document, has_markup
from indexer.highlight import Highlighter, Snippet
from indexer.query import (
    AnalysedQuery,
    AnyOf,
    Everything,
    QueryError,
    QueryTranslator,
    TermMatch,
    analyse_query,
    clean_query,
    translate_query,
)
from indexer.query.related import RelatedTerms, add_related_terms

log = logging.getLogger("smesearch.search")
DID_YOU_MEAN_SIMILARITY = 0.7  # difflib ratio: one wrong letter in 7, or one wrong character in a 4-character CJK word
Mode = Literal["keyword", "sentence"]
# A plain query finding fewer pages than this with all its words is run on most of them: one or
# two exact matches are worth showing, but a visitor with none should not meet a dead end.
RELAX_BELOW = 3
Sort = Literal["relevance", "date"]


@dataclass(slots=True)
class SearchHit:
    document: Document
    score: float | None
    snippet: Snippet
    title: Snippet
    translated_snippet: str | None = None  # the snippet in the reader's language, when asked for


@dataclass(slots=True)
class SearchResponse:
    total: int
    took_ms: float
    page: int
    size: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    query: AnalysedQuery
    notes: list[str] = field(default_factory=list)
    did_you_mean: str | None = None  # a query with hits, one close word away, when this one has none
    service_hint: str | None = None  # the one retrieval service the query's words ask for (代理商: agent)


@dataclass(frozen=True, slots=True)
class Limits:
    max_query_length: int = 1200
    max_page_size: int = 100
    max_result_window: int = 1000


class SearchService:
    def __init__(self, analyser: Analyser, backend: Backend, limits: Limits | None = None,
                 translator: QueryTranslator | None = None, classifier: Classifier | None = None,
                 thesaurus: Thesaurus | None = None) -> None:
        """With a translator, searches are cross-lingual unless a call says `translate=False`; with
        a thesaurus, they also search a word's related terms (the same switch turns both off); with
        a classifier, a query whose words ask for one retrieval service says which."""
        self.analyser = analyser
        self.backend = backend
        self.limits = limits or Limits()
        self.translator = translator
        self.classifier = classifier
        self.thesaurus = thesaurus

    @functools.cached_property
    def related(self) -> RelatedTerms | None:
        """Built on the first search that needs it (0.3 s: every term analysed), not on start."""
        return None if self.thesaurus is None else RelatedTerms(self.analyser, self.thesaurus)

    def analyse(self, text: str, mode: Mode = "keyword", lang: str = "", translate: bool = True) -> AnalysedQuery:
        query = analyse_query(self.analyser, text, mode, lang, self.limits.max_query_length)
        if translate and self.translator is not None:
            try:
                query = translate_query(query, self.analyser, self.translator)
            except Exception as exc:  # translation enriches a search; it must never stop one
                log.exception("query translation failed")
                query.notes.append(f"the query was searched as typed: translation is unavailable ({exc})")
        if translate and self.related is not None:
            query = add_related_terms(query, self.related)
        return query

    def search(self, text: str, mode: Mode = "keyword", filters: SearchFilters | None = None,
               page: int = 1, size: int = 10, sort: Sort = "relevance", lang_hint: str = "",
               translate: bool = True, snippet_lang: str = "", relax: bool = True,
               facets: tuple[str, ...] = FACET_FIELDS) -> SearchResponse:
        """`snippet_lang`: also give each result's snippet in this language (zh, en, ja). `facets`:
        the fields counted over every match, in a second pass over them (none saves that pass).

        With `relax`, a plain keyword query (words only) that finds fewer than RELAX_BELOW pages
        with all its words is run again as a key sentence: its function and stop words dropped
        (的, の, "for", 寻找), pages holding most of the rest ranked by how many they hold. The
        response says so (`query.relaxed`, `query.dropped_words`)."""
        started = time.perf_counter()
        filters = filters or SearchFilters()
        self._check(filters, page, size)
        unknown = [f for f in facets if f not in FACET_FIELDS]
        if unknown:
            raise QueryError("no_facet", facet=unknown[0], facets=", ".join(FACET_FIELDS))
        query = self.analyse(text, mode, lang_hint, translate)
        result = self.backend.search(BackendQuery(query.plan, filters, (page - 1) * size, size, sort, facets))
        if relax and query.plain and result.total < RELAX_BELOW:
            query, result = self._relaxed(text, query, result, filters, page, size, sort, lang_hint, translate,
                                          facets)
        to_simplified = self.analyser.to_simplified
        highlighter = Highlighter(query.highlight_terms)
        hits = []
        for hit in result.hits:
            doc, folded, shown = hit.document, hit.folded, hit.document.body or hit.document.summary
            if folded is None:  # the backend keeps no folded text: fold it here
                convert = to_simplified if doc.lang == "zh" else None
                snippet, title = highlighter.snippet(shown, convert), highlighter.whole(doc.title, convert)
            else:
                snippet = highlighter.snippet(shown, view=folded.body_view(shown))
                title = highlighter.whole(doc.title, view=folded.title_view(doc.title))
            translated = self._translated(snippet.text, doc.lang, snippet_lang)
            hits.append(SearchHit(doc, hit.score, snippet, title, translated))
        suggestion = self.did_you_mean(text, mode, filters, translate) if result.total == 0 and page == 1 else None
        hint = self._service_hint(text, query.lang) if mode == "keyword" and not filters.services else None
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(result.total, round(took, 2), page, size, hits, result.facets, query,
                              list(query.notes), suggestion, hint)

    def candidates(self, text: str, filters: SearchFilters, size: int, lang_hint: str = "",
                   translate: bool = True) -> tuple[AnalysedQuery, BackendResult]:
        """A key sentence's `size` best documents, for a caller that ranks and shows them its own
        way (the matcher): no facets, no snippets, and no tier for documents holding most of the
        words. That tier runs the whole translated sentence a second time; at 100,000 documents
        the search takes 12.1 ms at the median without it against 25.7 ms with it, and the
        matching benchmark's pairs are the same (bench/matching.py)."""
        self._check(filters, 1, size)
        query = self.analyse(text, "sentence", lang_hint, translate)
        plan = query.plan
        if isinstance(plan, AnyOf) and plan.preferred:
            plan = dataclasses.replace(plan, preferred=0)
        return query, self.backend.search(BackendQuery(plan, filters, 0, size, facets=()))

    def _service_hint(self, text: str, lang: str) -> str | None:
        """The service the words ask for (招聘, 代理店募集, "distributors wanted"), when there is one
        only: a hint to filter by it, never a filter the reader did not choose."""
        if self.classifier is None:
            return None
        services = self.classifier.classify(text, "", lang).services
        return services[0] if len(services) == 1 else None

    def _relaxed(self, text: str, query: AnalysedQuery, result: BackendResult, filters: SearchFilters, page: int,
                 size: int, sort: Sort, lang_hint: str, translate: bool,
                 facets: tuple[str, ...]) -> tuple[AnalysedQuery, BackendResult]:
        """The query on most of its content words, if that finds more than all of them did."""
        try:
            loose = self.analyse(text, "sentence", lang_hint, translate)
        except QueryError:
            return query, result  # nothing but stop words: the words as typed are all there is
        found = self.backend.search(BackendQuery(loose.plan, filters, (page - 1) * size, size, sort, facets))
        if found.total <= result.total:
            return query, result
        loose.mode, loose.relaxed = "keyword", True
        loose.notes.append(("few pages hold all of your words: they come first, then pages with most of them"
                            if result.total else "no page holds all of your words: showing pages with most of them")
                           + (f" (left out: {' '.join(loose.dropped_words)})" if loose.dropped_words else ""))
        return loose, found

    def did_you_mean(self, text: str, mode: Mode, filters: SearchFilters, translate: bool = True) -> str | None:
        """The query with each word that finds nothing replaced by the closest indexed term or title
        sharing its first characters, if the result finds something. Candidates come from the
        completion store, so every backend answers alike."""
        words = text.split()
        if not words or len(words) > 8:
            return None
        changed = False
        for i, word in enumerate(words):
            if word in ("AND", "OR", "NOT") or not word[0].isalnum() or ":" in word:
                continue
            if self._count(word, mode, filters, translate):
                continue
            norm = self.analyser.normalize(word)
            stem = norm[: 3 if norm.isascii() else 2] if len(norm) > 3 else norm[:1]
            candidates = {self.analyser.normalize(s.text): s.text for s in self.backend.suggest(stem, 50)}
            candidates.pop(norm, None)
            close = difflib.get_close_matches(norm, list(candidates), n=1, cutoff=DID_YOU_MEAN_SIMILARITY)
            if close:
                words[i], changed = candidates[close[0]], True
        if not changed:
            return None
        proposal = " ".join(words)
        return proposal if self._count(proposal, mode, filters, translate) else None

    def _count(self, text: str, mode: Mode, filters: SearchFilters, translate: bool) -> int:
        try:
            query = self.analyse(text, mode, "", translate)
        except QueryError:
            return 0
        return self.backend.search(BackendQuery(query.plan, filters, 0, 1, facets=())).total

    def facet_counts(self) -> dict[str, list[tuple[str, int]]]:
        """Documents per category, service, language, group and site over the whole index."""
        return self.backend.search(BackendQuery(Everything(), SearchFilters(), 0, 1)).facets

    def _translated(self, text: str, lang: str, target: str) -> str | None:
        if not target or target == lang or self.translator is None or not text:
            return None
        try:
            return self.translator.translate_text(text, lang, target)
        except Exception:  # a snippet without its translation beats no results
            log.exception("snippet translation failed")
            return None

    def _check(self, filters: SearchFilters, page: int, size: int) -> None:
        if size < 1 or size > self.limits.max_page_size:
            raise QueryError("size_range", limit=self.limits.max_page_size)
        if page < 1:
            raise QueryError("page_from_one")
        if page * size > self.limits.max_result_window:
            raise QueryError("beyond_window", limit=self.limits.max_result_window)
        for c in filters.categories:
            if c not in range(0, 12):
                raise QueryError("no_category", category=c)
        for s in filters.services:
            if s not in SERVICES:
                raise QueryError("no_service", service=s, services=", ".join(SERVICES))
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise QueryError("dates_reversed")

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        cleaned = clean_query(prefix).strip()
        if not cleaned:
            return []
        if len(cleaned) > self.limits.max_query_length:
            raise QueryError("prefix_too_long", limit=self.limits.max_query_length)
        # A prefix in kanji alone (自動) may be Japanese as well as Chinese: titles are stored as
        # their language normalises them, so ask in both spellings (自动, 自動) and merge.
        prefixes = dict.fromkeys([self.analyser.normalize(cleaned), self.analyser.normalize(cleaned, "ja")])
        found: dict[str, Suggestion] = {}
        for prefix_norm in prefixes:
            for suggestion in self.backend.suggest(prefix_norm, limit):
                if not has_markup(suggestion.text):  # stores indexed before titles were checked
                    found.setdefault(suggestion.text, suggestion)
        return sorted(found.values(), key=lambda s: (-s.weight, len(s.text), s.text))[:limit]

    def term_sites(self, term: str, limit: int = 10) -> list[SiteCount]:
        cleaned = clean_query(term).strip()
        if not cleaned:
            raise QueryError("term_empty")
        variants = self.analyser.query_variants(cleaned)
        if not variants:
            raise QueryError("term_no_searchable_words")
        return self.backend.term_sites(TermMatch(cleaned, tuple(variants)), limit)

    def stats(self) -> IndexStats:
        return self.backend.stats()

    def check(self) -> int:
        return self.backend.check()

    def document(self, doc_id: str) -> Document | None:
        return self.backend.get(doc_id)


def filters_from(category: int = 0, service: str | None = None, lang: str | None = None, group: str | None = None,
                 source: str | None = None, site: str | None = None, date_from: str | None = None,
                 date_to: str | None = None, date_names: tuple[str, str] = ("from", "to")) -> SearchFilters:
    """Filters from the single-valued options of the CLI and the API (category 0 means all)."""
    return SearchFilters(
        categories=[category] if category else [], services=[service] if service else [],
        langs=[lang] if lang else [], groups=[group] if group else [], sources=[source] if source else [],
        sites=[site.lower()] if site else [],
        date_from=parse_date(date_from, date_names[0]), date_to=parse_date(date_to, date_names[1]))


def parse_date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise QueryError("bad_date", name=name) from None
