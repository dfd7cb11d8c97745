"""From query text to a plan: the parsed tree or a key sentence's content words, analysed."""

from __future__ import annotations

import math
from typing import Literal

from analysis import Analyser, QueryTermVariant
from indexer.query.grammar import (
    And,
    MatchAll,
    Node,
    Not,
    Phrase,
    QueryError,
    Site,
    Word,
    clean_query,
    is_plain,
    parse,
)
from indexer.query.plan import (
    AllOf,
    AnalysedQuery,
    AnyOf,
    Everything,
    NoneOf,
    PhraseMatch,
    Plan,
    SiteMatch,
    TermMatch,
)

SENTENCE_PREFERRED_SHARE = 0.6
# A plain keyword query longer than this is a pasted text, which no page holds word for word:
# it is read as a key sentence (and the response says so).
LONG_TEXT_CHARS = 100
# A key sentence is searched for at most this many of its content words, the most repeated first:
# a 1,000-character paragraph has about 150, and every word costs a clause and its translations.
MAX_SENTENCE_WORDS = 24


def analyse_query(analyser: Analyser, text: str, mode: Literal["keyword", "sentence"] = "keyword",
                  lang_hint: str = "", max_length: int = 500) -> AnalysedQuery:
    """Parse (keyword mode) or read as a sentence, then segment every word with the one analyser."""
    if mode == "sentence":
        return _analyse_sentence(analyser, text, lang_hint, max_length)
    plain = is_plain(text)
    if plain and len(text) > LONG_TEXT_CHARS:
        query = _analyse_sentence(analyser, text, lang_hint, max_length)
        query.notes.insert(0, f"a text of {len(text)} characters is searched as a key sentence: the pages "
                              "holding most of its words come first")
        return query
    tree = parse(text, max_length)
    if plain:
        _refuse_common_words_only(analyser, clean_query(text), lang_hint)
    highlights: list[str] = []
    plan = _plan(analyser, tree, lang_hint, highlights)
    if plan is None:
        raise QueryError("no_searchable_words")
    return AnalysedQuery(text, "keyword", plan, lang_hint, list(dict.fromkeys(highlights)),
                         notes=_unanalysed(analyser, _readings(plan)), plain=plain)


def _plan(analyser: Analyser, node: Node, lang_hint: str, highlights: list[str]) -> Plan | None:
    if isinstance(node, Word):
        variants = analyser.query_variants(node.text, lang_hint)
        if not variants:
            return None
        variants = [_without_needless_fallback(v) for v in variants]
        highlights.append(node.text.lower())
        for v in variants:
            # Single characters from a longer word (件 of 零部件) would light up half a page.
            highlights.extend(w for w in v.words if len(w) > 1 or len(node.text) == 1)
        return TermMatch(node.text, tuple(variants), node.scope)
    if isinstance(node, Phrase):
        variants = analyser.query_variants(node.text, lang_hint)
        sequences = tuple(dict.fromkeys(v.exact for v in variants if v.exact))
        if not sequences:
            return None
        highlights.append(node.text.lower())
        return PhraseMatch(node.text, sequences, node.scope)
    if isinstance(node, Site):
        return SiteMatch(node.host)
    if isinstance(node, MatchAll):
        return Everything()
    if isinstance(node, Not):
        inner = _plan(analyser, node.child, lang_hint, [])
        return NoneOf(inner) if inner is not None else None
    children = [p for c in node.children if (p := _plan(analyser, c, lang_hint, highlights)) is not None]
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return AllOf(tuple(children)) if isinstance(node, And) else AnyOf(tuple(children))


def _refuse_common_words_only(analyser: Analyser, text: str, lang_hint: str,
                              terms: tuple[str, list[str], list[str]] | None = None) -> None:
    """A query of nothing but common words (的, の, "to be or not to be") would find nearly every
    page: say so instead of answering with everything."""
    _, content, dropped = terms or analyser.sentence_terms(text, lang_hint)
    if dropped and not content:
        raise QueryError("only_common_words", words=" ".join(dict.fromkeys(dropped)))


def _without_needless_fallback(variant: QueryTermVariant) -> QueryTermVariant:
    """Keep the exact (bigram) reading only where the dictionary cut the word into pieces.

    A word the dictionary knows whole (汽车零部件, 代理商, parts) is found by its dictionary
    token; its phrase query would only slow the search down (measured: 2.5x). A word cut into
    pieces (金杯汽车 → 金杯 汽车, 华晨宝马 → 华晨 宝马) may be a name the dictionary lacks, and its
    bigrams find it even where the page was segmented differently."""
    if len(variant.words) > 1:
        return variant
    return QueryTermVariant(variant.lang, variant.words, ())


def _analyse_sentence(analyser: Analyser, text: str, lang_hint: str, max_length: int) -> AnalysedQuery:
    if len(text) > max_length:
        raise QueryError("too_long", length=len(text), limit=max_length)
    cleaned = clean_query(text)
    if not cleaned.strip():
        raise QueryError("empty")
    lang, content, dropped = analyser.sentence_terms(cleaned, lang_hint)
    notes: list[str] = []
    _refuse_common_words_only(analyser, cleaned, lang_hint, (lang, content, dropped))
    if not content:
        raise QueryError("sentence_no_searchable_words")
    if len(content) > MAX_SENTENCE_WORDS:
        folded = cleaned.lower()
        counts = {w: folded.count(w) for w in content}
        kept = frozenset(sorted(content, key=lambda w: -counts[w])[:MAX_SENTENCE_WORDS])  # ties: first seen
        notes.append(f"searched for the {MAX_SENTENCE_WORDS} words the text repeats most, of {len(content)}")
        content = [w for w in content if w in kept]
    terms: list[Plan] = []
    for word in content:
        variants = [_without_needless_fallback(v) for v in analyser.query_variants(word)]
        variants += [part for v in variants for part in analyser.part_readings(v)]
        if variants:
            terms.append(TermMatch(word, tuple(variants)))
    # Pages holding most of the words rank first; pages holding fewer follow instead of being
    # dropped (a filter at 60% lost relevant pages that say the same thing in fewer of the words).
    most = math.ceil(len(terms) * SENTENCE_PREFERRED_SHARE)  # at least 60%: 2 of 3, 3 of 4 or 5
    plan: Plan = terms[0] if len(terms) == 1 else AnyOf(tuple(terms), 1, most)
    notes += _unanalysed(analyser, {lang})
    return AnalysedQuery(text, "sentence", plan, lang, content, dropped, notes)


def _readings(plan: Plan) -> set[str]:
    """The languages the plan's words were read in."""
    if isinstance(plan, TermMatch):
        return {v.lang for v in plan.variants}
    if isinstance(plan, AllOf | AnyOf):
        return set().union(*(_readings(c) for c in plan.children))
    return set()


def _unanalysed(analyser: Analyser, langs: set[str]) -> list[str]:
    """Say which languages of the query no module analyses (Russian, say): searched as typed."""
    missing = sorted(lang for lang in langs if lang and lang not in analyser.registry)
    return [f"the words in {', '.join(missing)} are searched as typed: there is no dictionary for "
            f"{'that language' if len(missing) == 1 else 'those languages'} here"] if missing else []
