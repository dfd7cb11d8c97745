"""The analysed plan: what every backend executes (part of the backend contract, indexer/backends/base.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from analysis import QueryTermVariant
from indexer.query.grammar import Scope


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
    """Matches documents holding at least `minimum_should_match` children; those holding at
    least `preferred` (when set) rank above all the others, by their own score."""

    children: tuple[Plan, ...]
    minimum_should_match: int = 1
    preferred: int = 0


# What a document holding `preferred` children gains: more than any sum of word scores reaches
# (a key sentence of 20 words scores about 60 on the demo), so the tiers never interleave.
PREFERRED_BONUS = 1000.0


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
    plain: bool = False  # words only: no operators, quotes, fields or exclusions (grammar.is_plain)
    relaxed: bool = False  # a plain keyword query run on most of its words, since all of them found too little

    def describe(self) -> dict[str, object]:
        return {"text": self.text, "mode": self.mode, "lang": self.lang, "plan": _describe(self.plan),
                "dropped_words": self.dropped_words, "notes": self.notes, "relaxed": self.relaxed}


def _describe(plan: Plan) -> object:
    if isinstance(plan, TermMatch):
        return {"term": plan.source, "scope": plan.scope,
                "readings": [{"lang": v.lang, "words": list(v.words)}
                             | ({"translated_from": v.translated_from, "weight": v.weight} if v.translated_from else {})
                             | ({"related": True, "weight": v.weight} if v.related else {})
                             | ({"as_phrase": True} if v.phrase else {})
                             for v in plan.variants]}
    if isinstance(plan, PhraseMatch):
        return {"phrase": plan.source, "scope": plan.scope}
    if isinstance(plan, SiteMatch):
        return {"site": plan.host}
    if isinstance(plan, AllOf):
        return {"all": [_describe(c) for c in plan.children]}
    if isinstance(plan, AnyOf):
        return {"any": [_describe(c) for c in plan.children], "minimum_should_match": plan.minimum_should_match} | (
            {"preferred": plan.preferred} if plan.preferred else {})
    if isinstance(plan, NoneOf):
        return {"not": _describe(plan.child)}
    return {"everything": True}
