"""Cross-lingual expansion: the readings a query word gains from its translations."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from analysis import Analyser, QueryTermVariant
from analysis.languages import INTERFACE_LANGUAGES
from indexer.query.plan import AllOf, AnalysedQuery, AnyOf, Plan, TermMatch


class Alternative(NamedTuple):
    """One translation of a query word."""

    text: str
    confidence: float  # 0-1: how sure the translator is that the word means this
    composed: bool = False  # glosses of the word's parts joined, not one translation of the whole


class QueryTranslator(Protocol):
    """What cross-lingual search needs of a translator: a query word's translations, best first."""

    def alternatives(self, term: str, source: str, target: str, limit: int = 3,
                     whole: bool = False) -> list[Alternative]:
        """Translations, best first, those under the translator's own confidence floor left out.
        `whole`: only translations of the term as one unit (a phrase the dictionary knows)."""
        ...

    def translate_text(self, text: str, source: str, target: str) -> str | None:
        """A passage (a result's snippet) in `target`, or None when the pair is not translated."""
        ...


TRANSLATED_WEIGHT = 0.5  # a sure translation counts half the word as typed; a less sure one less
TRANSLATIONS_PER_LANGUAGE = 2


def translate_query(query: AnalysedQuery, analyser: Analyser, translator: QueryTranslator) -> AnalysedQuery:
    """Add to every query word its translations into the other index languages, as readings
    weighted below the original, so that pages in all languages are ranked together. English
    words that make a known phrase together (joint venture → 合资) are translated as one."""
    notes: list[str] = []
    highlights: list[str] = []

    def readings(term: str, sources: list[str], whole: bool) -> list[QueryTermVariant]:
        found: list[QueryTermVariant] = []
        said: list[str] = []
        for source in sources:
            for target in INTERFACE_LANGUAGES:
                if target == source:
                    continue
                alternatives = translator.alternatives(term, source, target, TRANSLATIONS_PER_LANGUAGE, whole)
                for alternative, confidence, composed in alternatives:
                    if alternative.lower() == term.lower():
                        continue  # the same word in both scripts: already searched
                    for v in analyser.query_variants(alternative, target):
                        # A reading scores about the sum of its words: a two-word translation must
                        # not outweigh the one word typed just by having two.
                        weight = round(TRANSLATED_WEIGHT * confidence / len(v.words), 3)
                        # A translation of several words matches as that phrase only: "spare
                        # parts" is not a page that says "parts" and, elsewhere, "spare". Glosses of
                        # a word's parts joined are no phrase, and match word by word.
                        if len(v.words) > 1 and not composed:
                            phrases = [QueryTermVariant(target, v.words, form, weight, source, phrase=True)
                                       for form in analyser.language(target).phrase_forms(v.exact)]
                        else:
                            phrases = [QueryTermVariant(target, v.words, (), weight, source)]
                        if all(v.words != known.words for known in found):
                            found.extend(phrases)
                            said.append(f"{alternative} ({target})")
                            highlights.append(alternative.lower())
                            highlights.extend(w for w in v.words if len(w) > 1)
        if said:
            notes.append(f"{term} also searched as " + ", ".join(dict.fromkeys(said)))
        return found

    def sources_of(plan: TermMatch) -> list[str]:
        if plan.source.isdigit() or (len(plan.source) < 2 and not plan.source.isalpha()):
            return []  # a number or a lone symbol means the same in every language
        langs = {v.lang for v in plan.variants}
        if "zh" in langs and "en" not in langs:
            langs.add("ja")  # a word in hanzi alone may be Japanese too (代理店募集, 自動車部品)
        return [lang for lang in INTERFACE_LANGUAGES if lang in langs]

    def expand_term(plan: TermMatch) -> TermMatch:
        added = readings(plan.source, sources_of(plan), whole=False)
        fresh = [r for r in added if all(r.words != v.words for v in plan.variants)]
        return TermMatch(plan.source, plan.variants + tuple(fresh), plan.scope) if fresh else plan

    def english_phrase(children: tuple[Plan, ...], i: int) -> tuple[int, TermMatch] | None:
        """The longest run of English words from children[i] that the dictionary knows whole."""
        for n in (3, 2):
            run = children[i:i + n]
            if len(run) == n and all(isinstance(c, TermMatch) and sources_of(c) == ["en"] and c.scope == "all"
                                     for c in run):
                words = " ".join(c.source for c in run if isinstance(c, TermMatch))
                found = readings(words, ["en"], whole=True)
                if found:
                    return n, TermMatch(words, tuple(found))
        return None

    def expand(plan: Plan) -> Plan:
        if isinstance(plan, TermMatch):
            return expand_term(plan)
        if isinstance(plan, (AllOf, AnyOf)):
            children: list[Plan] = []
            i = 0
            while i < len(plan.children):
                phrase = english_phrase(plan.children, i)
                if phrase is None:
                    children.append(expand(plan.children[i]))
                    i += 1
                    continue
                n, translated = phrase
                originals = tuple(expand(c) for c in plan.children[i:i + n])
                if isinstance(plan, AllOf):  # all the words as typed, or the phrase's translation
                    children.append(AnyOf((AllOf(originals), translated)))
                else:  # a key sentence: each word still counts, and the translation counts too
                    children.extend((*originals, translated))
                i += n
            if isinstance(plan, AllOf):
                return AllOf(tuple(children))
            return AnyOf(tuple(children), plan.minimum_should_match, plan.preferred)
        return plan  # phrases stay as typed; what is excluded (NOT) stays what the user wrote

    plan = expand(query.plan)
    return AnalysedQuery(query.text, query.mode, plan, query.lang,
                         list(dict.fromkeys(query.highlight_terms + highlights)), query.dropped_words,
                         query.notes + notes, plain=query.plain)
