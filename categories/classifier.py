"""A lexicon classifier for Table 11's categories and the six retrieval services.

Why lexicons first: they are transparent (an operator can see why a page landed in a
category), they work in all three languages from day one, and they need no labelled data.
A term in the title counts three times as much as one in the body; body counts are capped
so that one long page repeating a word does not outweigh a clear title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from categories.lexicon import CATEGORY_TERMS, SERVICE_TERMS
from indexer.analysis import Analyser

TITLE_WEIGHT = 3
BODY_CAP = 5
MIN_SCORE = 2
RELATIVE_TO_BEST = 0.4
MAX_CATEGORIES = 3
BODY_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Classification:
    categories: list[int]
    services: list[str]
    category_scores: dict[int, int] = field(default_factory=dict)
    service_scores: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    cjk: tuple[str, ...]  # matched as substrings of normalised text
    latin: tuple[str, ...]  # matched as " stem stem " sequences


class Classifier:
    def __init__(self, analyser: Analyser) -> None:
        self._analyser = analyser
        self._categories = {k: self._compile(v) for k, v in CATEGORY_TERMS.items()}
        self._services = {k: self._compile(v) for k, v in SERVICE_TERMS.items()}

    def _compile(self, terms: dict[str, tuple[str, ...]]) -> _Lexicon:
        cjk: list[str] = []
        latin: list[str] = []
        for lang, words in terms.items():
            for word in words:
                if lang == "en" or word.isascii():
                    latin.append(" " + " ".join(self._stems(word)) + " ")
                else:
                    cjk.append(self._analyser.normalize(word, lang))
        return _Lexicon(tuple(dict.fromkeys(cjk)), tuple(dict.fromkeys(latin)))

    def _stems(self, text: str) -> list[str]:
        return [self._analyser.stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower())]

    def classify(self, title: str, body: str, lang: str = "") -> Classification:
        lang = lang or self._analyser.identify(f"{title}\n{body}")
        title_n = self._analyser.normalize(title, lang)
        body_n = self._analyser.normalize(body[:BODY_CHARS], lang)
        texts = (
            (title_n, " " + " ".join(self._stems(title_n)) + " ", TITLE_WEIGHT, None),
            (body_n, " " + " ".join(self._stems(body_n)) + " ", 1, BODY_CAP),
        )
        category_scores = {k: _score(lex, texts) for k, lex in self._categories.items()}
        service_scores = {k: _score(lex, texts) for k, lex in self._services.items()}
        best = max(category_scores.values(), default=0)
        ranked = sorted((s, -k, k) for k, s in category_scores.items()
                        if s >= MIN_SCORE and s >= best * RELATIVE_TO_BEST)
        categories = sorted(k for _, _, k in ranked[::-1][:MAX_CATEGORIES])
        services = [k for k, s in service_scores.items() if s >= MIN_SCORE]
        return Classification(
            categories, services,
            {k: v for k, v in category_scores.items() if v},
            {k: v for k, v in service_scores.items() if v},
        )


def _score(lexicon: _Lexicon, texts: tuple[tuple[str, str, int, int | None], ...]) -> int:
    total = 0
    for plain, stems, weight, cap in texts:
        hits = sum(plain.count(term) for term in lexicon.cjk) + sum(stems.count(term) for term in lexicon.latin)
        total += weight * (min(hits, cap) if cap is not None else hits)
    return total
