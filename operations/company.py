"""What the index knows of the enterprise behind one page: the company profile the portal shows.

The 2001 network's home-page builder gave each SME one page of Table 9 sections on a shared
portal, and many SME sites today are one such page among others, so a profile starts from a
page, not a host: its sections, why it carries its categories and services, the languages it
can be read in, the other pages of its site, the words that lead to that site in the seed's
word-to-sites list, and the pages of other enterprises whose words are closest to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.languages import INTERFACE_LANGUAGES
from categories import PROFILE_SECTIONS
from engine import Engine
from indexer.backends.base import BackendQuery, SearchFilters
from indexer.document import Document
from indexer.query import Everything, QueryError

SITE_PAGES = 10  # the site's latest pages listed; the search link shows the rest
LEADING_WORDS = 10  # candidate words looked up in the word-to-sites list (one aggregation each)
LEADING_RANK = 5  # a word leads to the site when the site is among its first five
SIMILAR = 5
_SIMILAR_CANDIDATES = 25  # searched, so that duplicates and the site's own copies can be dropped
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#-]{2,}")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a page carries a category or a service: the words of our lexicons found on it, and the
    Table 9 sections that announce the service; neither when the source gave the label itself."""

    label: int | str
    words: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SitePage:
    id: str
    url: str
    title: str
    lang: str


@dataclass(frozen=True, slots=True)
class LeadingWord:
    """A word for which the site is among the sites where it appears most (rank 1 is first)."""

    word: str
    rank: int
    documents: int  # of the site, holding the word


@dataclass(frozen=True, slots=True)
class SimilarCompany:
    id: str
    title: str
    company: str
    url: str
    site: str
    lang: str
    shared_categories: tuple[int, ...]


@dataclass(slots=True)
class CompanyProfile:
    document: Document
    categories: list[Evidence]
    services: list[Evidence]
    site_documents: int
    site_pages: list[SitePage]
    site_languages: list[tuple[str, int]]
    leading_words: list[LeadingWord] = field(default_factory=list)
    similar: list[SimilarCompany] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The enterprise's name where the source gave one, else the page's title."""
        return self.document.company or self.document.title or self.document.site

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(section id, text) in Table 9's order."""
        return [(s.id, self.document.sections[s.id]) for s in PROFILE_SECTIONS if s.id in self.document.sections]

    @property
    def languages(self) -> list[str]:
        """The page's own language, then those its title reads well in (a dictionary gloss of part
        of a title is searched, never shown, and does not count)."""
        readable = sorted(lang for lang, t in self.document.translations.items() if t.readable and t.title)
        return list(dict.fromkeys([self.document.lang, *readable]))


def company_profile(engine: Engine, doc_id: str) -> CompanyProfile | None:
    """The profile of the page `doc_id`, or None when the index does not hold it."""
    doc = engine.search.document(doc_id)
    if doc is None:
        return None
    found = engine.classifier.classify(doc.title, doc.body, doc.lang)
    categories = [Evidence(c, tuple(found.category_terms.get(c, ()))) for c in doc.categories]
    services = [Evidence(s, tuple(found.service_terms.get(s, ())),
                         tuple(p.id for p in PROFILE_SECTIONS if p.service == s and p.id in doc.sections))
                for s in doc.services]
    site = engine.backend.search(BackendQuery(Everything(), SearchFilters(sites=[doc.site]), 0, SITE_PAGES,
                                              "date", facets=("lang",)))
    profile = CompanyProfile(
        doc, categories, services, site.total,
        [SitePage(h.document.id, h.document.url, h.document.title, h.document.lang) for h in site.hits],
        list(site.facets.get("lang", [])))
    candidates = [*(w for e in categories for w in e.words), *(w for e in services for w in e.words),
                  *_title_words(engine, doc)]
    profile.leading_words = leading_words(engine, doc.site, list(dict.fromkeys(candidates))[:LEADING_WORDS])
    profile.similar = similar_companies(engine, doc)
    return profile


def _title_words(engine: Engine, doc: Document) -> list[str]:
    """The title's words as a reader would type them: dictionary words for CJK, surface words for
    English (the analyser's stems would not read as words)."""
    stop = engine.analyser.stopwords
    if doc.lang in ("zh", "ja"):
        words = engine.analyser.analyse(doc.title, doc.lang).words
        return [w for w in words if len(w) >= 2 and not w.isdigit() and w not in stop]
    return [w for w in _LATIN_WORD.findall(doc.title) if w.lower() not in stop]


def leading_words(engine: Engine, site: str, candidates: list[str]) -> list[LeadingWord]:
    """The candidates for which `site` is among the LEADING_RANK sites where the word appears most
    (the seed's reference list of words and their sites), best rank first."""
    out = []
    for word in candidates:
        try:
            sites = engine.search.term_sites(word, LEADING_RANK)
        except QueryError:  # a word of symbols only: nothing to look up
            continue
        for rank, found in enumerate(sites, start=1):
            if found.site == site:
                out.append(LeadingWord(word, rank, found.documents))
                break
    return sorted(out, key=lambda w: (w.rank, -w.documents))


def similar_companies(engine: Engine, doc: Document) -> list[SimilarCompany]:
    """Other enterprises' pages closest to this one: its title and products searched as a key
    sentence in its categories, across languages when translation is on, as the matcher searches a
    listing. Not its summary: a need's words (诚招代理商) found the agents' listings of every trade."""
    text = "\n".join([doc.title, doc.sections.get("products", "")])
    out: list[SimilarCompany] = []
    seen = {doc.title, doc.content_hash}
    # The closest pages in any language, then the closest in each interface language not among
    # them yet: the closest Japanese maker of brake systems is worth showing beside five Chinese ones.
    for langs, wanted in [([], SIMILAR), *(([lang], 1) for lang in INTERFACE_LANGUAGES if lang != doc.lang)]:
        if langs and any(s.lang == langs[0] for s in out):
            continue
        filters = SearchFilters(categories=list(doc.categories), langs=langs)
        try:
            _, result = engine.search.candidates(text, filters, _SIMILAR_CANDIDATES, doc.lang)
        except QueryError:
            return out
        found = 0
        for hit in result.hits:
            other = hit.document
            if other.id == doc.id or other.title in seen or other.content_hash in seen:
                continue
            seen.update((other.title, other.content_hash))
            out.append(SimilarCompany(other.id, other.title, other.company, other.url, other.site, other.lang,
                                      tuple(c for c in other.categories if c in doc.categories)))
            found += 1
            if found == wanted:
                break
    return out
