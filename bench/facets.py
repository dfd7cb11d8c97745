"""Why the embedded index counts categories and services from bit masks.

    python -m bench.facets          # about 20 s

100,000 documents with one to three of the 12 categories each (seeded), indexed twice in one
tantivy index: as a multi-valued raw text fast field (layout 1) and as one u64 mask per document
(layout 2). Both are counted with tantivy's terms aggregation over every document, the worst case
of a search facet; the mask buckets are then split into per-category counts as the backend does,
and both answers are checked to be the same.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import Counter
from typing import Any

import tantivy

from bench.common import OUT, machine

DOCUMENTS = 100_000
ROUNDS = 20


def build(directory: str) -> tantivy.Searcher:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("category", fast=True, tokenizer_name="raw")
    sb.add_unsigned_field("category_mask", fast=True, indexed=False)
    index = tantivy.Index(sb.build(), path=directory)
    writer = index.writer(200_000_000, 1)
    rnd = random.Random(2001)
    for _ in range(DOCUMENTS):
        categories = rnd.sample(range(12), rnd.choice([1, 1, 2, 3]))
        doc = tantivy.Document()
        for c in categories:
            doc.add_text("category", str(c))
        doc.add_unsigned("category_mask", sum(1 << c for c in categories))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index.searcher()


def timed(run: Any) -> tuple[float, Any]:
    run()
    started = time.perf_counter()
    for _ in range(ROUNDS):
        answer = run()
    return round((time.perf_counter() - started) / ROUNDS * 1000, 2), answer


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        searcher = build(directory)
        everything = tantivy.Query.all_query()
        text_ms, text = timed(lambda: searcher.aggregate(
            everything, {"c": {"terms": {"field": "category", "size": 20}}}))
        mask_ms, masks = timed(lambda: searcher.aggregate(
            everything, {"c": {"terms": {"field": "category_mask", "size": 1 << 12}}}))
    from_text = {b["key"]: b["doc_count"] for b in text["c"]["buckets"]}
    from_masks: Counter[str] = Counter()
    for bucket in masks["c"]["buckets"]:
        for bit in range(12):
            if int(bucket["key"]) >> bit & 1:
                from_masks[str(bit)] += bucket["doc_count"]
    assert from_text == dict(from_masks), (from_text, from_masks)
    result = {"machine": machine(), "documents": DOCUMENTS, "rounds": ROUNDS,
              "multi_valued_text_ms": text_ms, "u64_mask_ms": mask_ms,
              "mask_combinations": len(masks["c"]["buckets"]), "speedup": round(text_ms / mask_ms, 1)}
    (OUT / "facets.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
