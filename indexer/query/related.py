"""Related terms: a query word's close variants from the trade thesaurus, in every language,
searched below the word itself (textile → 纺织品, 織物; auto parts → 自動車部品, and below them
brake pads)."""

from __future__ import annotations

from analysis import Analyser, QueryTermVariant
from categories.thesaurus import Concept, Thesaurus
from indexer.query.plan import AllOf, AnalysedQuery, AnyOf, Plan, TermMatch

RELATED_WEIGHT = 0.3  # a variant of the concept: below a sure translation (0.5), above nothing
NARROWER_WEIGHT = 0.2  # a kind of it (brake pads for auto parts)
MAX_RELATED = 30  # readings added per query word: the concept's own terms first


class RelatedTerms:
    """The thesaurus's terms analysed as query words are, to find a query word's concepts and
    search their other terms."""

    def __init__(self, analyser: Analyser, thesaurus: Thesaurus) -> None:
        self.analyser = analyser
        self.thesaurus = thesaurus
        self._concepts: dict[tuple[str, tuple[str, ...]], list[Concept]] = {}
        self._readings: dict[str, list[tuple[str, QueryTermVariant]]] = {}
        for concept in thesaurus.concepts:
            readings: list[tuple[str, QueryTermVariant]] = []
            for lang, term in concept.all_terms():
                for v in analyser.query_variants(term, lang):
                    found = self._concepts.setdefault((v.lang, v.words), [])
                    if concept not in found:
                        found.append(concept)
                    if v.lang == lang:  # the term as its own language reads it, not respelled
                        readings.append((term, v))
            self._readings[concept.id] = readings

    def concepts_of(self, word: str, known: tuple[QueryTermVariant, ...] = ()) -> list[Concept]:
        """The concepts a query word names (in any of its readings as typed). The planner's own
        readings are used when it made them, rather than analysing the word again; a phrase that
        only the translation read as one (auto parts) is analysed here."""
        typed = [v for v in known if v.weight == 1 and not v.translated_from and not v.related]
        found: list[Concept] = []
        for v in typed or self.analyser.query_variants(word):
            for concept in self._concepts.get((v.lang, v.words), []):
                if concept not in found:
                    found.append(concept)
        return found

    def readings(self, word: str, known: tuple[QueryTermVariant, ...]) -> tuple[list[QueryTermVariant], list[str]]:
        """The readings a query word gains from its concepts, and the terms they come from."""
        added: list[QueryTermVariant] = []
        terms: list[str] = []
        seen = {v.words for v in known}
        concepts = self.concepts_of(word, known)
        tiers = [(c, RELATED_WEIGHT, False) for c in concepts]
        tiers += [(n, NARROWER_WEIGHT, True) for c in concepts for n in self.thesaurus.narrower(c)]
        for concept, weight, narrower in tiers:
            langs: set[str] = set()
            for term, v in self._readings[concept.id]:
                if narrower and v.lang in langs:
                    continue  # a kind of it by its main term in each language only
                langs.add(v.lang)
                if len(added) >= MAX_RELATED or v.words in seen:
                    continue
                seen.add(v.words)
                terms.append(term)
                share = round(weight / len(v.words), 3)
                if len(v.words) > 1:  # a term of several words is that phrase (brake pads)
                    added += [QueryTermVariant(v.lang, v.words, form, share, related=True, phrase=True)
                              for form in self.analyser.language(v.lang).phrase_forms(v.exact)]
                else:
                    added.append(QueryTermVariant(v.lang, v.words, (), share, related=True))
        return added, terms


def add_related_terms(query: AnalysedQuery, related: RelatedTerms) -> AnalysedQuery:
    """Every query word (and every phrase the translation read as one) gains the other terms of
    its thesaurus concepts. What is excluded (NOT) and quoted phrases stay as typed."""
    notes: list[str] = []
    highlights: list[str] = []

    def expand(plan: Plan) -> Plan:
        if isinstance(plan, TermMatch):
            added, terms = related.readings(plan.source, plan.variants)
            if not added:
                return plan
            notes.append(f"{plan.source}: related terms also searched: " + ", ".join(terms))
            highlights.extend(t.lower() for t in terms)
            return TermMatch(plan.source, plan.variants + tuple(added), plan.scope)
        if isinstance(plan, AllOf):
            return AllOf(tuple(expand(c) for c in plan.children))
        if isinstance(plan, AnyOf):
            return AnyOf(tuple(expand(c) for c in plan.children), plan.minimum_should_match, plan.preferred)
        return plan

    plan = expand(query.plan)
    return AnalysedQuery(query.text, query.mode, plan, query.lang,
                         list(dict.fromkeys(query.highlight_terms + highlights)), query.dropped_words,
                         query.notes + notes, plain=query.plain, relaxed=query.relaxed)
