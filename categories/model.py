"""The trained half of the category classifier: a linear model over character n-grams and words.

Why a second opinion next to the lexicons: a lexicon knows the words its authors thought of, and an
SME page about toothbrushes, umbrellas or gypsum board names none of them. The model is trained
(`python -m models.train_categories`) on the customs tariff's headings, whose chapters map onto Table
11, glossed into Chinese and Japanese, and on dictionary headwords labelled through their glosses,
so it has seen many thousands of product words in three languages.

It is a gzipped, sparse JSON file of weights (about 2 MB, models/category_model.json.gz in the
repository, not in the package), so classifying needs neither scikit-learn nor the training data:
a page's features are looked up and summed, one logistic function per category.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

from analysis import Analysis

NGRAMS = (1, 2, 3)
# Only the beginning of a page is read: the title and the first paragraphs say what a company
# makes, and the cost of a page must not grow with its length.
MODEL_CHARS = 1_500


def features(*analyses: Analysis) -> set[str]:
    """Character n-grams of the normalised text within each run of non-space characters, and the
    analyser's words (stems for English), present or not: a page is judged on which product words
    it holds, not on how long it is. The same function serves training and classifying."""
    found: set[str] = set()
    for analysis in analyses:
        for chunk in analysis.norm[:MODEL_CHARS].split():
            for n in NGRAMS:
                for i in range(len(chunk) - n + 1):
                    found.add(chunk[i:i + n])
        for word in analysis.words[:MODEL_CHARS // 2]:
            found.add(f"w:{word}")
    return found


@dataclass(frozen=True, slots=True)
class CategoryModel:
    """One logistic regression per category, as weights keyed by feature."""

    categories: tuple[int, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    trained_on: dict[str, int]  # what the training set held, by origin and language

    @classmethod
    def load(cls, path: Path) -> CategoryModel:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw))
        width = len(data["categories"])
        weights = {}
        for feature, sparse in data["weights"].items():
            dense = [0.0] * width
            for i, w in sparse.items():
                dense[int(i)] = w
            weights[feature] = tuple(dense)
        return cls(tuple(data["categories"]), tuple(data["bias"]), weights, data.get("trained_on", {}))

    def save(self, path: Path) -> None:
        """Sparse: a feature keeps only the categories it weighs in, which is most of the file's size."""
        sparse = {f: {str(i): w for i, w in enumerate(ws) if w} for f, ws in sorted(self.weights.items())}
        data = {"categories": list(self.categories), "bias": list(self.bias), "trained_on": self.trained_on,
                "weights": {f: ws for f, ws in sparse.items() if ws}}
        # mtime=0: the same weights give the same bytes, so retraining unchanged data changes no file.
        path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                                       mtime=0))

    def probabilities(self, found: set[str]) -> dict[int, float]:
        totals = list(self.bias)
        for feature in found:
            weights = self.weights.get(feature)
            if weights is not None:
                for i, w in enumerate(weights):
                    totals[i] += w
        return {c: 1 / (1 + math.exp(-t)) for c, t in zip(self.categories, totals, strict=True)}

    def reasons(self, found: set[str], category: int, limit: int = 5) -> list[str]:
        """The features that pushed hardest towards `category` (`w:` marks a whole word)."""
        i = self.categories.index(category)
        pushes = [(self.weights[f][i], f) for f in found if f in self.weights]
        return [f for push, f in sorted(pushes, reverse=True)[:limit] if push > 0]
