"""The company page at scale: `GET /documents/{id}` over 100,000 generated documents.

    python -m bench.company_page [DOCUMENTS] [PAGES]

The documents are bench/corpus.py's (built by bench/import_docs.py when missing). PAGES company
pages of documents drawn at random (seeded) are requested through the FastAPI app in process,
after 10 unmeasured ones, with translation on as users have it. A page runs one classification,
one search of the site, up to ten word-to-sites aggregations and up to three key-sentence
searches; the figures say what that costs, beside the median search of bench/query_latency.py.
"""

from __future__ import annotations

import random
import sys
import time

from fastapi.testclient import TestClient

from bench.common import OUT, machine, percentile
from config.settings import Settings
from operations.app import App
from query_api.app import create_app


def main() -> None:
    from bench.import_docs import build

    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    data = OUT / f"data-{documents}"
    if not (data / "index" / "embedded" / "documents.sqlite").exists():
        data, _ = build(documents)
    app = App(Settings(data_dir=data, rate_limit="", search_cache_s=0, access_log=False, search_log=False))
    try:
        ids = [d.id for d in app.backend.all_documents()]
        chosen = random.Random(2001).sample(ids, pages + 10)
        with TestClient(create_app(app), base_url="http://localhost") as client:
            times = []
            for n, doc_id in enumerate(chosen):
                started = time.perf_counter()
                answer = client.get(f"/documents/{doc_id}", params={"lang": "zh"})
                took = (time.perf_counter() - started) * 1000
                assert answer.status_code == 200, answer.text[:300]
                if n >= 10:
                    times.append(took)
        times.sort()
        print(machine())
        print(f"company page over {documents:,} documents, {pages} pages: p50 {percentile(times, 50):.1f} ms, "
              f"p90 {percentile(times, 90):.1f} ms, p99 {percentile(times, 99):.1f} ms")
    finally:
        app.close()


if __name__ == "__main__":
    main()
