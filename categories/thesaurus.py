"""The trade thesaurus (categories/data/trade-thesaurus.tsv): product and business terms grouped
by concept across Chinese, Japanese and English, each concept under one product category.

Search reads a query word's concept as related terms, weighted below the word itself; the
classifier counts every term as a word of the concept's category.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

THESAURUS_FILE = "data/trade-thesaurus.tsv"
TERM_LANGUAGES = ("zh", "ja", "en")  # the file's column order
COLUMNS = ("concept", "broader", "category", *TERM_LANGUAGES)


class ThesaurusError(ValueError):
    """A line of the thesaurus file is malformed; the message gives its number."""


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    broader: str  # the parent concept's id, or ""
    category: int  # 1-11
    terms: Mapping[str, tuple[str, ...]]  # language → terms, the most common first

    def all_terms(self) -> Iterator[tuple[str, str]]:
        """(language, term) for every term of the concept."""
        for lang, terms in self.terms.items():
            for term in terms:
                yield lang, term


class Thesaurus:
    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = tuple(concepts)
        self._by_id = {c.id: c for c in concepts}
        unknown = [c.broader for c in concepts if c.broader and c.broader not in self._by_id]
        if unknown:
            raise ThesaurusError(f"broader concepts not defined: {', '.join(sorted(set(unknown)))}")

    @classmethod
    def parse(cls, text: str) -> Thesaurus:
        concepts: list[Concept] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != len(COLUMNS):
                raise ThesaurusError(f"line {number}: {len(fields)} columns, expected {len(COLUMNS)} "
                                     f"({', '.join(COLUMNS)})")
            concept, broader, category, *by_lang = fields
            if not category.isdigit() or not 1 <= int(category) <= 11:
                raise ThesaurusError(f"line {number}: category {category!r} is not a number 1-11")
            terms = {lang: tuple(t.strip() for t in column.split(",") if t.strip())
                     for lang, column in zip(TERM_LANGUAGES, by_lang, strict=True)}
            concepts.append(Concept(concept.strip(), broader.strip(), int(category), terms))
        return cls(concepts)

    @classmethod
    def load(cls) -> Thesaurus:
        """The thesaurus that ships with the package."""
        return cls.parse(resources.files("categories").joinpath(THESAURUS_FILE).read_text("utf-8"))

    def get(self, concept_id: str) -> Concept:
        return self._by_id[concept_id]

    def narrower(self, concept: Concept) -> list[Concept]:
        """The concepts directly below `concept` (auto parts → brake parts, engine parts, ...)."""
        return [c for c in self.concepts if c.broader == concept.id]

    def category_terms(self) -> dict[int, dict[str, tuple[str, ...]]]:
        """Every term, by category and language, as the classifier's lexicons are laid out."""
        out: dict[int, dict[str, tuple[str, ...]]] = {}
        for concept in self.concepts:
            by_lang = out.setdefault(concept.category, {})
            for lang, terms in concept.terms.items():
                by_lang[lang] = by_lang.get(lang, ()) + terms
        return out
