"""The classifier against a held-out labelled set: per-label precision, recall and F1, and the
macro-F1 of the eleven categories and of the six services (issue 5's goal: >= 0.85 each).

    python -m bench.classifier

The set (`bench/data/classification_heldout.jsonl`, 50 listings in zh, ja and en, written by
hand for this benchmark and labelled multi-label) is never used to build the classifier.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import OUT, machine
from categories import SERVICE_LIST, Classifier
from indexer.analysis import Analyser

HELD_OUT = Path(__file__).parent / "data" / "classification_heldout.jsonl"


def scores(pairs: list[tuple[set[str], set[str]]], labels: list[str]) -> dict[str, dict[str, float]]:
    """Per label: precision, recall, F1 and support over (expected, found) pairs."""
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for want, got in pairs if label in want and label in got)
        fp = sum(1 for want, got in pairs if label not in want and label in got)
        fn = sum(1 for want, got in pairs if label in want and label not in got)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                      "support": tp + fn}
    return out


def macro(per_label: dict[str, dict[str, float]]) -> float:
    return round(sum(s["f1"] for s in per_label.values()) / len(per_label), 3)


def main() -> None:
    classifier = Classifier(Analyser())
    rows = [json.loads(line) for line in HELD_OUT.read_text("utf-8").splitlines() if line.strip()]
    categories: list[tuple[set[str], set[str]]] = []
    services: list[tuple[set[str], set[str]]] = []
    by_lang: dict[str, list[tuple[set[str], set[str]]]] = {}
    for row in rows:
        found = classifier.classify(row["title"], row["body"], row["lang"])
        pair = ({str(c) for c in row["categories"]}, {str(c) for c in found.categories})
        categories.append(pair)
        services.append((set(row["services"]), set(found.services)))
        by_lang.setdefault(row["lang"], []).append(pair)
    category_labels = [str(c) for c in range(1, 12)]
    per_category = scores(categories, category_labels)
    per_service = scores(services, [s.id for s in SERVICE_LIST])
    result = {
        "machine": machine(), "listings": len(rows),
        "categories_macro_f1": macro(per_category), "services_macro_f1": macro(per_service),
        "categories_macro_f1_by_lang": {lang: macro(scores(pairs, category_labels)) for lang, pairs in by_lang.items()},
        "exact_category_sets": sum(1 for want, got in categories if want == got),
        "per_category": per_category, "per_service": per_service,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "classifier.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
