"""Query latency over 1,000 mixed queries, full stack against the bare engine, at two corpus sizes.

"Full" is SearchService.search as the API calls it, configured as served (cross-lingual
translation and the trade thesaurus on) and asking for the widget's facets (category, service,
language, site): parsing, analysis, translation, tantivy, facets, the document store and
snippets. "Bare" is tantivy alone answering the same already-analysed and compiled queries (top
10 with a total count, no facets), so the difference is what our layers and the facets cost.
`--untranslated` measures with translation off, as this benchmark did until 2026-12-04.

    python -m bench.query_latency 10000 100000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.common import OUT, machine, percentile
from bench.corpus import queries
from config.settings import Settings
from indexer.backends.base import SearchFilters
from indexer.backends.embedded import EmbeddedBackend
from operations.app import App

WIDGET_FACETS = ("category", "service", "lang", "site")


def measure(data: Path, count: int = 1000, translate: bool = True) -> dict[str, float]:
    app = App(Settings(data_dir=data, search_log=False, search_cache_s=0, access_log=False))
    service = app.search
    backend = service.backend
    assert isinstance(backend, EmbeddedBackend)
    workload = queries(count)
    compiled = []
    for item in workload:
        filters = SearchFilters(**item["filters"])  # type: ignore[arg-type]
        analysed = service.analyse(str(item["q"]), item["mode"], translate=translate)  # type: ignore[arg-type]
        compiled.append(backend.queries.with_filters(backend.queries.compile(analysed.plan), filters))
    searcher = backend._searcher()
    full: dict[str, list[float]] = {"all": [], "keyword": [], "sentence": [], "filtered": [], "unfiltered": []}
    bare: list[float] = []
    totals = 0
    for rnd in range(2):  # the first round warms caches and is not counted
        for item, tquery in zip(workload, compiled, strict=True):
            filters = SearchFilters(**item["filters"])  # type: ignore[arg-type]
            start = time.perf_counter()
            response = service.search(str(item["q"]), item["mode"], filters,  # type: ignore[arg-type]
                                      translate=translate, facets=WIDGET_FACETS)
            elapsed = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            searcher.search(tquery, 10, count=True)
            bare_ms = (time.perf_counter() - start) * 1000
            if rnd == 1:
                totals += response.total
                full["all"].append(elapsed)
                full[str(item["mode"])].append(elapsed)
                full["filtered" if item["filters"] else "unfiltered"].append(elapsed)
                bare.append(bare_ms)
    app.close()
    out = {f"full_{k}_p{p}": percentile(v, p) for k, v in full.items() for p in (50, 99)}
    out.update({"bare_p50": percentile(bare, 50), "bare_p99": percentile(bare, 99),
                "mean_total_hits": totals / count})
    return out


if __name__ == "__main__":
    from bench.import_docs import build

    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [10_000, 100_000]
    translated = "--untranslated" not in sys.argv
    print(machine(), "translation on" if translated else "translation off")
    for n in sizes:
        data = OUT / f"data-{n}"
        if not (data / "index" / "embedded" / "documents.sqlite").exists():
            data, _ = build(n)
        f = measure(data, translate=translated)
        print(f"{n} documents, mean {f['mean_total_hits']:.0f} hits per query:")
        for key in ("all", "keyword", "sentence", "filtered", "unfiltered"):
            print(f"  full {key:<10} p50 {f[f'full_{key}_p50']:6.2f} ms   p99 {f[f'full_{key}_p99']:6.2f} ms")
        print(f"  bare tantivy    p50 {f['bare_p50']:6.2f} ms   p99 {f['bare_p99']:6.2f} ms")
