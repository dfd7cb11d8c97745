"""Pairing a need or an offer with the complementary listings and crawled pages, across
languages: the listing's text is searched as a key sentence (translated, related terms
included), restricted to the services that answer it, and each candidate is scored by how well
its text answers, how many categories it shares and how fresh it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from indexer.backends.base import SearchFilters
from indexer.document import Document
from matching.listing import COMPLEMENT, LISTING_SOURCE, Listing
from matching.service import Listings

CANDIDATES = 50  # searched per match request; the best `limit` of them are kept
CONTENT_WEIGHT, CATEGORY_WEIGHT, FRESHNESS_WEIGHT = 0.6, 0.3, 0.1
FRESH_DAYS = 365  # a page older than this earns no freshness

@dataclass(frozen=True, slots=True)
class Subject:
    """What is matched: a stored listing or an ad-hoc one (`POST /api/match`)."""

    kind: str
    service: str
    title: str
    description: str
    categories: list[int]
    lang: str
    id: str = ""  # a stored listing's, so that it does not match itself

    @classmethod
    def of(cls, listing: Listing) -> Subject:
        return cls(listing.kind, listing.service, listing.title, listing.description, listing.categories,
                   listing.lang, listing.id)

@dataclass(frozen=True, slots=True)
class Match:
    kind: str  # "listing" or "page"
    id: str  # the listing's id, or the page's document id
    title: str
    url: str
    lang: str
    service: str  # the service it answers with
    categories: list[int]
    score: float
    shared_terms: list[str]
    shared_categories: list[int]
    translated: bool  # in another language than the subject

class Matcher:
    def __init__(self, listings: Listings) -> None:
        self.listings = listings

    def matches(self, subject: Subject, limit: int = 10, now: datetime | None = None) -> list[Match]:
        now = now or datetime.now(UTC)
        search = self.listings.engine.search
        text = f"{subject.title}\n{subject.description}"
        wanted = list(COMPLEMENT[subject.service])
        query, found = search.candidates(text, SearchFilters(services=wanted), CANDIDATES, subject.lang)
        hits = list(found.hits)

        if subject.service == "purchase" and subject.kind == "need" and subject.categories:
            # A buyer also meets the makers of what it buys, whatever their pages announce.
            _, makers = search.candidates(text, SearchFilters(categories=subject.categories, groups=[
                "shenyang", "liaoning", "national", "japan", "other"]), CANDIDATES, subject.lang)
            seen = {h.document.id for h in hits}
            hits += [h for h in makers.hits if h.document.id not in seen]
        terms = [t for t in query.highlight_terms if len(t) > 1]
        listed = self.listings.store.get_many([_listing_id(h.document) for h in hits if _is_listing(h.document)])
        out: list[Match] = []
        for rank, hit in enumerate(hits):
            doc = hit.document
            answer = self._answer(subject, doc, listed, now)
            if answer is None:
                continue
            kind, match_id, service = answer
            shared = sorted(set(subject.categories) & set(doc.categories))
            union = set(subject.categories) | set(doc.categories)
            content = 1 - rank / len(hits)
            age_days = (now - doc.published_at).days if doc.published_at else FRESH_DAYS
            freshness = max(0.0, 1 - age_days / FRESH_DAYS)
            score = (CONTENT_WEIGHT * content + CATEGORY_WEIGHT * (len(shared) / len(union) if union else 0)
                     + FRESHNESS_WEIGHT * freshness)
            text_of = f"{doc.title}\n{doc.body}".lower()
            out.append(Match(kind, match_id, doc.title, doc.url, doc.lang, service, list(doc.categories),
                             round(score, 3), [t for t in terms if t.lower() in text_of][:10], shared,
                             doc.lang != subject.lang))
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def _answer(self, subject: Subject, doc: Document, listed: dict[str, Listing],
                now: datetime) -> tuple[str, str, str] | None:
        """(kind, id, service) when `doc` answers `subject`; None when it does not (a listing of
        the same side, an expired or hidden one, the subject itself)."""
        wanted = COMPLEMENT[subject.service]
        if _is_listing(doc):
            other = listed.get(_listing_id(doc))
            if other is None or other.id == subject.id or not other.active(now):
                return None
            if other.service not in wanted or (other.service == subject.service and other.kind == subject.kind):
                return None  # a need never meets a need of the same side, nor an offer an offer
            return "listing", other.id, other.service
        # A page announces what its enterprise seeks (Table 9: agents wanted, partners, capital),
        # so it answers offers, and partner seekers answer each other.
        services = [s for s in doc.services if s in wanted]
        if services and (subject.kind == "offer" or subject.service == "tie_up"):
            return "page", doc.id, services[0]
        if subject.service == "purchase" and set(doc.categories) & set(subject.categories):
            return "page", doc.id, "purchase"
        return None


def _is_listing(doc: Document) -> bool:
    return doc.source == LISTING_SOURCE and doc.group == "listing"


def _listing_id(doc: Document) -> str:
    return doc.url.rstrip("/").rsplit("/", 1)[-1]
