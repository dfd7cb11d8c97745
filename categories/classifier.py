"""The classifier for Table 11's categories and the six retrieval services.

Lexicons first: they are transparent (an operator can see why a page landed in a category) and
precise. A term in the title counts three times as much as one in the body; body counts are
capped so that one long page repeating a word does not outweigh a clear title.

Given a `model`, categories also take the trained model's word (categories/model.py),
which knows product words no lexicon lists: a category it gives at least MODEL_THRESHOLD joins
the lexicons'. It is off by default because on the held-out listings the union scores below the
lexicons alone (bench/classifier.py measures all three). Services stay with the lexicons.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import ahocorasick

from analysis import Analyser, Analysis
from categories.lexicon import CATEGORY_TERMS, SERVICE_TERMS
from categories.model import CategoryModel, features
from categories.thesaurus import Thesaurus

TITLE_WEIGHT = 3
BODY_CAP = 5
MIN_SCORE = 2
RELATIVE_TO_BEST = 0.4
MAX_CATEGORIES = 3
BODY_CHARS = 20_000
# Chosen on the development listings (bench/data/classification_dev.jsonl), never on the held-out set.
MODEL_THRESHOLD = 0.3


# Confidence is 1 - exp(-score / CONFIDENCE_SCALE): the weakest label kept (score 2) is 0.39, one
# title term (3) is 0.53, a title term and three in the body (6) is 0.78. A monotone reading of
# the score for people, not a calibrated probability.
CONFIDENCE_SCALE = 4.0


@dataclass(frozen=True, slots=True)
class Classification:
    categories: list[int]
    services: list[str]
    category_scores: dict[int, int] = field(default_factory=dict)
    service_scores: dict[str, int] = field(default_factory=dict)
    # Why: the lexicon terms that matched, per label, as the lexicon writes them.
    category_terms: dict[int, list[str]] = field(default_factory=dict)
    service_terms: dict[str, list[str]] = field(default_factory=dict)
    # The trained model's probability per category, and for the categories it gave, its reasons.
    model_probabilities: dict[int, float] = field(default_factory=dict)
    model_terms: dict[int, list[str]] = field(default_factory=dict)

    def confidence(self, score: int) -> float:
        return round(1 - math.exp(-score / CONFIDENCE_SCALE), 2)


class Classifier:
    """Counts lexicon terms with one Aho-Corasick pass over the normalised text (CJK terms) and one
    over the space-separated stems (English terms), then scores each category and service."""

    def __init__(self, analyser: Analyser, model: CategoryModel | None = None,
                 thesaurus: Thesaurus | None = None) -> None:
        self._analyser = analyser
        self._model = model
        cjk: dict[str, list[tuple[str, str]]] = {}
        latin: dict[str, list[tuple[str, str]]] = {}
        # The trade thesaurus adds the products the category words do not name (心电监护仪 → 5).
        products = (thesaurus or Thesaurus.load()).category_terms()
        for prefix, lexicons in (("c", CATEGORY_TERMS), ("c", products), ("s", SERVICE_TERMS)):
            for key, terms in lexicons.items():
                label = f"{prefix}{key}"
                for lang, words in terms.items():
                    for word in words:
                        if lang == "en" or word.isascii():
                            owners = latin.setdefault(" " + " ".join(self._stems(word)) + " ", [])
                        else:
                            owners = cjk.setdefault(self._analyser.normalize(word, lang), [])
                        if all(label != owner for owner, _ in owners):
                            owners.append((label, word))
        self._cjk = _automaton(cjk)
        self._latin = _automaton(latin)
        # Text in ASCII alone cannot hold a CJK term, and scanning an English body for them cost
        # 0.27 ms a document, three quarters of its classification (the import benchmark's pages).
        self._cjk_needs_non_ascii = not any(term.isascii() for term in cjk)

    def _stems(self, text: str) -> list[str]:
        return [self._analyser.stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower())]

    def classify(self, title: str, body: str, lang: str = "") -> Classification:
        lang = lang or self._analyser.identify(f"{title}\n{body}")
        return self.classify_analysed(self._analyser.analyse(title, lang),
                                      self._analyser.analyse(body[:BODY_CHARS], lang))

    def classify_analysed(self, title: Analysis, body: Analysis) -> Classification:
        """Classify from the indexer's analysis, so that no text is normalised or stemmed twice."""
        scores: dict[str, int] = {}
        matched: dict[str, dict[str, None]] = {}
        for analysis, weight, cap in ((title, TITLE_WEIGHT, None), (body, 1, BODY_CAP)):
            hits: dict[str, int] = {}
            # Every occurrence of every term counts, overlaps included (汽车零部件 and 零部件).
            passes = [] if self._cjk_needs_non_ascii and analysis.norm.isascii() else [(analysis.norm, self._cjk)]
            passes.append((f" {' '.join(analysis.words)} ", self._latin))
            for haystack, automaton in passes:
                for _, owners in automaton.iter(haystack):
                    for label, word in owners:
                        hits[label] = hits.get(label, 0) + 1
                        matched.setdefault(label, {})[word] = None
            for label, n in hits.items():
                scores[label] = scores.get(label, 0) + weight * (min(n, cap) if cap is not None else n)
        category_scores = {int(k[1:]): v for k, v in scores.items() if k[0] == "c"}
        service_scores = {k[1:]: v for k, v in scores.items() if k[0] == "s"}
        best = max(category_scores.values(), default=0)
        ranked = sorted(((s, -k) for k, s in category_scores.items()
                         if s >= MIN_SCORE and s >= best * RELATIVE_TO_BEST), reverse=True)
        chosen = [-k for _, k in ranked[:MAX_CATEGORIES]]
        probabilities: dict[int, float] = {}
        model_terms: dict[int, list[str]] = {}
        if self._model is not None:
            found = features(title, body)
            probabilities = self._model.probabilities(found)
            # With the trade thesaurus in the lexicons, the model only guesses where they find
            # nothing: adding its categories beside theirs cost 0.04 macro-F1 on the development
            # set (0.808 against 0.846; bench/classifier.py), machinery most of all.
            fallback = not chosen
            for c, p in sorted(probabilities.items(), key=lambda kv: -kv[1]):
                if fallback and p >= MODEL_THRESHOLD and len(chosen) < MAX_CATEGORIES and c not in chosen:
                    chosen.append(c)
                    model_terms[c] = self._model.reasons(found, c)
        categories = sorted(chosen)
        services = [k for k in SERVICE_TERMS if service_scores.get(k, 0) >= MIN_SCORE]
        return Classification(categories, services, category_scores, service_scores,
                              {c: list(matched[f"c{c}"]) for c in categories if f"c{c}" in matched},
                              {s: list(matched[f"s{s}"]) for s in services},
                              {c: round(p, 3) for c, p in probabilities.items()}, model_terms)


def _automaton(terms: dict[str, list[tuple[str, str]]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for term, owners in terms.items():
        automaton.add_word(term, tuple(owners))
    automaton.make_automaton()
    return automaton
