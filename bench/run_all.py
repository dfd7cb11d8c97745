"""Run every benchmark in turn (about 80 minutes on 2 cores): `make bench`."""

from __future__ import annotations

import runpy
import sys

MODULES = [
    ("bench.detectors", []),
    ("bench.analyser", []),
    ("bench.import_docs", ["100000", "2"]),
    ("bench.query_latency", ["10000", "100000"]),
    ("bench.engines", ["100000"]),
    ("bench.facets", []),
    ("bench.crawl", ["5000"]),
    ("bench.query_translation", []),
    ("bench.classifier", []),
    ("bench.crosslingual", []),
    ("bench.quality", []),
    ("bench.matching", []),
    ("bench.matching_latency", []),
    ("bench.backends", ["100000"]),
    ("bench.widget_size", []),
    ("bench.api_load", ["100000"]),
    ("bench.company_page", ["100000"]),
    ("bench.serve_start", []),
]

if __name__ == "__main__":
    for module, args in MODULES:
        print(f"\n== python -m {module} {' '.join(args)}", flush=True)
        sys.argv = [module, *args]
        runpy.run_module(module, run_name="__main__")
