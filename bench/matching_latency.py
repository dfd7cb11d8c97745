"""`POST /api/match` latency at scale: 100,000 generated documents and 10,000 listings.

    python -m bench.matching_latency [DOCUMENTS] [LISTINGS]

The documents are bench/corpus.py's (built by bench/import_docs.py, about 4 minutes for 100,000
here); the listings are the matching set's sentence frames over its 14 product families, in zh,
ja and en, every service, posted with `Listings.post_many` into a copy of that index. Then 300
ad-hoc needs and offers drawn from the same frames are sent to `POST /api/match` through the
FastAPI app in process (the HTTP stack without a socket), after 30 unmeasured ones.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
import time

from fastapi.testclient import TestClient

from bench.common import OUT, machine, percentile
from bench.matching_set import ANSWER, FAMILIES, NEED, OFFER, _fill
from config.settings import Settings
from matching import ListingDraft
from operations.app import App
from query_api.app import create_app


def drafts(count: int) -> list[ListingDraft]:
    out: list[ListingDraft] = []
    combos = itertools.cycle([(f, lang, kind) for f in FAMILIES for lang in ("zh", "ja", "en")
                              for kind in ("need", "offer")])
    for n, (family, lang, kind) in zip(range(count), combos, strict=False):
        service, category, words = FAMILIES[family]
        product, place = words[lang]
        wanted = service if kind == "need" else ANSWER[service]
        title, text = _fill((NEED if kind == "need" else OFFER)[wanted][lang], product, place)
        out.append(ListingDraft(kind, wanted, f"{title} {n}", text, f"Company {n}", f"c{n}@example.com", [category],
                                lang=lang))
    return out


def main() -> None:
    from bench.import_docs import build

    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    listings = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    source = OUT / f"data-{documents}"
    if not (source / "index" / "embedded" / "documents.sqlite").exists():
        source, _ = build(documents)
    data = OUT / f"data-{documents}-matching"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(source, data)
    app = App(Settings(data_dir=data, rate_limit="", posting_rate_limit="", search_cache_s=0, access_log=False,
                       search_log=False))
    try:
        started = time.perf_counter()
        app.listings.post_many(drafts(listings))
        posting_s = time.perf_counter() - started
        client = TestClient(create_app(app), base_url="http://localhost")
        asks = [{"kind": d.kind, "service": d.service, "title": d.title, "description": d.description,
                 "company": d.company, "lang": d.lang, "categories": d.categories} for d in drafts(330)]
        times: list[float] = []
        for n, ask in enumerate(asks):
            started = time.perf_counter()
            answer = client.post("/api/match", json=ask)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text
            if n >= 30:
                times.append(elapsed)
        result = {"machine": machine(), "documents": documents, "listings": listings,
                  "post_many_s": round(posting_s, 1), "match_p50_ms": round(percentile(times, 50), 1),
                  "match_p99_ms": round(percentile(times, 99), 1), "requests": len(times)}
    finally:
        app.close()
        shutil.rmtree(data, ignore_errors=True)
    (OUT / "matching_latency.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
