"""Partner matching against a labelled set: does a need find its true partners first, in every
language, past decoys of the same product for another service and of the same service for
another product?

    python -m bench.matching

The set is bench/matching_set.py (14 product families, 42 needs in zh, ja and en, 154 listings
and crawled pages; two thirds of the true pairs cross languages). Every listing is posted through
`Listings.post` (classified and language-detected as the API does it) into a fresh embedded
index, the pages indexed as crawled ones, and each need matched as `GET /api/listings/{id}/matches`
matches it (top 10).

Reported: precision@5 (true partners in the top 5, over the fewer of 5 and the need's partners),
recall@10, MRR, overall, per need language and per (need language → partner language) pair, with
each pair's recall as a ratio to the monolingual pairs'; and the matcher's latency per need.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import OUT, machine
from bench.matching_set import Item, items, partners
from config.settings import Settings
from indexer.document import Document
from matching import ListingDraft
from matching.matcher import Subject
from operations.app import App

LANGS = ("zh", "ja", "en")


def main() -> None:
    every = items()
    by_listing: dict[str, str] = {}
    by_url: dict[str, str] = {}
    needs: list[tuple[Item, Subject]] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = App(Settings(data_dir=Path(tmp), backend="embedded", search_cache_s=0))
        try:
            pages = [i for i in every if i.kind == "page"]
            documents = [Document(url=f"https://{i.key}.example.com/", title=i.title, body=i.description, lang=i.lang,
                                  services=[i.service] if i.service else [], categories=[i.category], group="other",
                                  source="bench") for i in pages]
            app.indexer.index(documents)
            by_url.update({d.url: i.key for d, i in zip(documents, pages, strict=True)})
            for n, item in enumerate(i for i in every if i.kind != "page"):
                listing, _ = app.listings.post(ListingDraft(item.kind, item.service, item.title, item.description,
                                                            f"Company {n}", f"contact{n}@example.com"))
                by_listing[listing.id] = item.key
                if "-need-" in item.key:
                    needs.append((item, Subject.of(listing)))
            rows = []
            latencies = []
            for item, subject in needs:
                started = time.perf_counter()
                found = app.matcher.matches(subject, 10)
                latencies.append((time.perf_counter() - started) * 1000)
                ranked = [by_listing.get(m.id) or by_url.get(m.url, m.url) for m in found]
                true = partners(item, every)
                first = next((rank for rank, key in enumerate(ranked, 1) if key in true), None)
                rows.append({"need": item.key, "lang": item.lang, "partners": sorted(true), "ranked": ranked,
                             "p5": sum(k in true for k in ranked[:5]) / min(5, len(true)),
                             "r10": sum(k in true for k in ranked[:10]) / len(true),
                             "mrr": 1 / first if first else 0.0,
                             "by_lang": {lang: [sum(k in true and k.endswith(f"-{lang}") for k in ranked[:10]),
                                                sum(k.endswith(f"-{lang}") for k in true)] for lang in LANGS}})
        finally:
            app.close()

    def mean(key: str, subset: list[dict[str, object]]) -> float:
        return round(statistics.fmean(float(r[key]) for r in subset), 3)  # type: ignore[arg-type]

    pair_recall = {}
    for q in LANGS:
        for d in LANGS:
            got = sum(r["by_lang"][d][0] for r in rows if r["lang"] == q)  # type: ignore[index]
            total = sum(r["by_lang"][d][1] for r in rows if r["lang"] == q)  # type: ignore[index]
            if total:
                pair_recall[f"{q}->{d}"] = round(got / total, 3)
    mono = statistics.fmean(pair_recall[f"{lang}->{lang}"] for lang in LANGS)
    result = {
        "machine": machine(), "needs": len(rows), "listings_and_pages": len(every),
        "precision_at_5": mean("p5", rows), "recall_at_10": mean("r10", rows), "mrr": mean("mrr", rows),
        "by_need_language": {lang: {k: mean(k, [r for r in rows if r["lang"] == lang]) for k in ("p5", "r10", "mrr")}
                             for lang in LANGS},
        "recall_at_10_by_pair": pair_recall,
        "pair_ratio_to_monolingual": {pair: round(v / mono, 3) for pair, v in pair_recall.items()},
        "match_ms_p50": round(statistics.median(latencies), 1),
        "match_ms_max": round(max(latencies), 1),
        "per_need": rows,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "matching.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "per_need"}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
