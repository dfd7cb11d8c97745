"""The query language, parsed once in Python and handed to every backend as the same tree.

Syntax: words separated by spaces must all match; `OR` between two parts means either;
`-word` and `NOT word` exclude; `"a phrase"` matches words in order; `title:word` and
`title:"a phrase"` look only in titles; `site:host` keeps one site; parentheses group.
`AND`, `OR` and `NOT` are operators only in capitals, so "or" stays an ordinary word.
Chinese and Japanese words inside are segmented by the analyser afterwards.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, Protocol

from analysis import Analyser, QueryTermVariant
from analysis.languages import INTERFACE_LANGUAGES

Scope = Literal["all", "title"]
SENTENCE_MINIMUM_SHOULD_MATCH = 0.6


class QueryError(ValueError):
    """A query we cannot run; `position` is the character offset the message points at."""

    def __init__(self, message: str, position: int | None = None) -> None:
        where = f" (at character {position + 1})" if position is not None else ""
        super().__init__(message + where)
        self.message = message
        self.position = position


# -- syntax tree -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Word:
    text: str
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class Site:
    host: str


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class MatchAll:
    pass


Node = Word | Phrase | Site | And | Or | Not | MatchAll


# -- lexer -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["word", "phrase", "lparen", "rparen", "or", "and", "not"]
    text: str
    pos: int
    negated: bool = False
    field: str = ""


_FIELD = re.compile(r"(title|site):", re.IGNORECASE)
_STOP_CHARS = set(' ()"')


def clean_query(text: str) -> str:
    """NFKC (so full-width brackets, quotes and colons work), controls to spaces, invisible marks removed."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cf":
            continue
        out.append(" " if kind in ("Cc", "Zl", "Zp") or ch.isspace() else ch)
    return "".join(out)


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        if ch == "(":
            tokens.append(_Token("lparen", ch, i))
            i += 1
            continue
        if ch == ")":
            tokens.append(_Token("rparen", ch, i))
            i += 1
            continue
        start = i
        negated = False
        if ch == "-" and i + 1 < n and text[i + 1] not in " )":
            negated = True
            i += 1
        field_name = ""
        m = _FIELD.match(text, i)
        if m:
            field_name = m.group(1).lower()
            i = m.end()
            if i >= n or text[i] in " )":
                raise QueryError(f"{field_name}: needs a word or a \"phrase\" after it", start)
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("this quotation mark is never closed", i)
            body = text[i + 1 : end].strip()
            if not body:
                raise QueryError("empty quotation marks", i)
            tokens.append(_Token("phrase", body, start, negated, field_name))
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in _STOP_CHARS:
            j += 1
        word = text[i:j]
        i = j
        if not negated and not field_name and word in ("OR", "AND", "NOT"):
            tokens.append(_Token(word.lower(), word, start))  # type: ignore[arg-type]
        elif word:
            tokens.append(_Token("word", word, start, negated, field_name))
    return tokens


# -- parser ------------------------------------------------------------------------------------

# Parentheses nest at most this deep: the parser and every later pass over the tree recurse, and
# 328 levels overflowed Python's stack (a 500 per request). People write two or three.
MAX_NESTING = 32


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.i = 0
        self.length = length
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise QueryError("this closing parenthesis has no opening one", tok.pos)
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                raise QueryError("OR needs something to match on both sides", tok.pos)
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("the query ends where a word was expected", self.length)
        if tok.kind in ("or", "and"):
            raise QueryError(f"{tok.text} needs something to match on both sides", tok.pos)
        if tok.kind == "rparen":
            raise QueryError("empty parentheses or a closing parenthesis too many", tok.pos)
        parts = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in ("or", "and", "rparen"):
                    raise QueryError("AND needs something to match on both sides", tok.pos)
                continue
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "not":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen", "not"):
                raise QueryError("NOT needs a word, phrase or group after it", tok.pos)
            return Not(self.unary())
        if tok.kind == "lparen":
            if self.depth >= MAX_NESTING:
                raise QueryError(f"parentheses nest more than {MAX_NESTING} deep; flatten the query", tok.pos)
            self.i += 1
            self.depth += 1
            inner = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError("this parenthesis is never closed", tok.pos)
            self.i += 1
            return inner
        self.i += 1
        node: Node
        scope: Scope = "title" if tok.field == "title" else "all"
        if tok.field == "site":
            node = Site(tok.text.lower().strip("/"))
        elif tok.kind == "phrase":
            node = Phrase(tok.text, scope)
        else:
            node = Word(tok.text, scope)
        return Not(node) if tok.negated else node


def parse(query: str, max_length: int = 500) -> Node:
    """Parse a keyword query into a syntax tree; raise QueryError naming the position on failure."""
    if len(query) > max_length:
        raise QueryError(f"the query is {len(query)} characters long; the limit is {max_length}")
    text = clean_query(query)
    if not text.strip():
        raise QueryError("the query is empty: type a word, a phrase or a sentence")
    node = _Parser(_lex(text), len(text)).parse()
    if _only_negative(node):
        node = And((MatchAll(), node))
    return node


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(c) for c in node.children)
    return False


# -- analysed plan, what backends execute -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TermMatch:
    """One query word: matches when any reading matches (all its words, or its exact sequence)."""

    source: str
    variants: tuple[QueryTermVariant, ...]
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """The exact token sequences of a phrase, one per reading; any one in order matches."""

    source: str
    sequences: tuple[tuple[str, ...], ...]
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class SiteMatch:
    host: str


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Plan, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Plan, ...]
    minimum_should_match: int = 1


@dataclass(frozen=True, slots=True)
class NoneOf:
    child: Plan


@dataclass(frozen=True, slots=True)
class Everything:
    pass


Plan = TermMatch | PhraseMatch | SiteMatch | AllOf | AnyOf | NoneOf | Everything


@dataclass(slots=True)
class AnalysedQuery:
    """What a backend runs, plus what the user should see about how we read the query."""

    text: str
    mode: Literal["keyword", "sentence"]
    plan: Plan
    lang: str = ""
    highlight_terms: list[str] = field(default_factory=list)
    dropped_words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, object]:
        return {"text": self.text, "mode": self.mode, "lang": self.lang, "plan": _describe(self.plan),
                "dropped_words": self.dropped_words, "notes": self.notes}


def _describe(plan: Plan) -> object:
    if isinstance(plan, TermMatch):
        return {"term": plan.source, "scope": plan.scope,
                "readings": [{"lang": v.lang, "words": list(v.words)}
                             | ({"translated_from": v.translated_from, "weight": v.weight} if v.translated_from else {})
                             for v in plan.variants]}
    if isinstance(plan, PhraseMatch):
        return {"phrase": plan.source, "scope": plan.scope}
    if isinstance(plan, SiteMatch):
        return {"site": plan.host}
    if isinstance(plan, AllOf):
        return {"all": [_describe(c) for c in plan.children]}
    if isinstance(plan, AnyOf):
        return {"any": [_describe(c) for c in plan.children], "minimum_should_match": plan.minimum_should_match}
    if isinstance(plan, NoneOf):
        return {"not": _describe(plan.child)}
    return {"everything": True}


class QueryTranslator(Protocol):
    """What cross-lingual search needs of a translator: a query word's translations, best first."""

    def alternatives(self, term: str, source: str, target: str, limit: int = 3, whole: bool = False) -> list[str]:
        """`whole`: only translations of the term as one unit (a phrase the dictionary knows)."""
        ...

    def translate_text(self, text: str, source: str, target: str) -> str | None:
        """A passage (a result's snippet) in `target`, or None when the pair is not translated."""
        ...


TRANSLATED_WEIGHTS = (0.5, 0.35)  # a translated reading counts less than the word as typed


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
                alternatives = translator.alternatives(term, source, target, len(TRANSLATED_WEIGHTS), whole)
                for rank, alternative in enumerate(alternatives):
                    if alternative.lower() == term.lower():
                        continue  # the same word in both scripts: already searched
                    for v in analyser.query_variants(alternative, target):
                        # A reading scores the sum of its words: a two-word translation must not
                        # outweigh the one word typed just by having two.
                        weight = round(TRANSLATED_WEIGHTS[rank] / len(v.words), 3)
                        reading = QueryTermVariant(target, v.words, (),
                                                   weight, source)
                        if all(reading.words != known.words for known in found):
                            found.append(reading)
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
            return AnyOf(tuple(children), plan.minimum_should_match)
        return plan  # phrases stay as typed; what is excluded (NOT) stays what the user wrote

    plan = expand(query.plan)
    return AnalysedQuery(query.text, query.mode, plan, query.lang,
                         list(dict.fromkeys(query.highlight_terms + highlights)), query.dropped_words,
                         query.notes + notes)


def analyse_query(analyser: Analyser, text: str, mode: Literal["keyword", "sentence"] = "keyword",
                  lang_hint: str = "", max_length: int = 500) -> AnalysedQuery:
    """Parse (keyword mode) or read as a sentence, then segment every word with the one analyser."""
    if mode == "sentence":
        return _analyse_sentence(analyser, text, lang_hint, max_length)
    tree = parse(text, max_length)
    highlights: list[str] = []
    plan = _plan(analyser, tree, lang_hint, highlights)
    if plan is None:
        raise QueryError("the query has no searchable words (only punctuation or symbols)")
    return AnalysedQuery(text, "keyword", plan, lang_hint, list(dict.fromkeys(highlights)))


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
        raise QueryError(f"the query is {len(text)} characters long; the limit is {max_length}")
    cleaned = clean_query(text)
    if not cleaned.strip():
        raise QueryError("the query is empty: type a word, a phrase or a sentence")
    lang, content, dropped = analyser.sentence_terms(cleaned, lang_hint)
    notes = []
    if not content:
        raise QueryError("the sentence has no searchable words (only punctuation or symbols)")
    if not dropped and all(w in analyser.stopwords for w in content):
        notes.append("the sentence has only common words, so all of them are searched")
    terms: list[Plan] = []
    for word in content:
        variants = [_without_needless_fallback(v) for v in analyser.query_variants(word)]
        if variants:
            terms.append(TermMatch(word, tuple(variants)))
    minimum = max(1, math.floor(len(terms) * SENTENCE_MINIMUM_SHOULD_MATCH)) if len(terms) > 2 else len(terms)
    plan: Plan = terms[0] if len(terms) == 1 else AnyOf(tuple(terms), minimum)
    return AnalysedQuery(text, "sentence", plan, lang, content, dropped, notes)
