"""The same documents and the same 1,000 queries on both backends, in one run: import speed, query
latency through the whole search service, and how far the two agree on the top 10.

    python -m bench.backends 100000

Starts a single-node Elasticsearch with deploy/elasticsearch-local.sh (1 GB heap) unless
SMESEARCH_ES_URL names one, and stops it at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from analysis import Analyser
from bench.common import OUT, free_port, machine, percentile
from bench.corpus import queries, write
from config import Settings
from indexer.backends import Backend, open_backend
from indexer.backends.base import SearchFilters
from indexer.importer import LineErrors, read_jsonl
from indexer.pipeline import Indexer
from indexer.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
ALIAS = "smesearch-bench"


def start_node(work: Path) -> tuple[str, bool]:
    if os.environ.get("SMESEARCH_ES_URL"):
        return os.environ["SMESEARCH_ES_URL"], False
    port = free_port()
    out = subprocess.run([str(ROOT / "deploy" / "elasticsearch-local.sh"), "start", str(work), str(port)],
                         env={**os.environ, "SMESEARCH_ES_HEAP": "1g"}, capture_output=True, text=True, check=True)
    return out.stdout.strip().split("=", 1)[1], True


def load(backend: Backend, analyser: Analyser, corpus: Path) -> float:
    errors = LineErrors()
    started = time.perf_counter()
    with corpus.open("rb") as stream:
        Indexer(analyser, backend).index(read_jsonl(stream, errors), batch_size=Settings().import_batch_size, workers=2)
    return time.perf_counter() - started


def ask(service: SearchService, workload: list[dict[str, Any]]) -> tuple[list[float], list[list[str]]]:
    latencies: list[float] = []
    tops: list[list[str]] = []
    for rnd in range(2):  # the first round warms caches and is not counted
        for item in workload:
            filters = SearchFilters(**item["filters"])
            start = time.perf_counter()
            response = service.search(str(item["q"]), item["mode"], filters)
            elapsed = (time.perf_counter() - start) * 1000
            if rnd == 1:
                latencies.append(elapsed)
                tops.append([h.document.url for h in response.hits])
    return latencies, tops


def overlap(a: list[str], b: list[str]) -> float:
    """Shared share of two top-10 lists: 1.0 when both are the same set, or both are empty."""
    if not a and not b:
        return 1.0
    return len(set(a) & set(b)) / max(len(a), len(b))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    corpus = write(count)
    analyser = Analyser()
    workload = queries(1000)
    work = OUT / f"backends-{count}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url, started = start_node(work / "es-node")
    try:
        embedded = open_backend(Settings(data_dir=work))
        elastic = open_backend(Settings(backend="elasticsearch", data_dir=work, es_url=url, es_index=ALIAS))
        elastic.drop()
        elastic.close()
        elastic = open_backend(Settings(backend="elasticsearch", data_dir=work, es_url=url, es_index=ALIAS))
        result: dict[str, Any] = {"machine": machine(), "documents": count, "queries": len(workload)}
        tops: dict[str, list[list[str]]] = {}
        for name, backend in (("embedded", embedded), ("elasticsearch", elastic)):
            seconds = load(backend, analyser, corpus)
            size = backend.stats().size_bytes
            latencies, tops[name] = ask(SearchService(analyser, backend), workload)
            result[name] = {"import_s": round(seconds, 1), "docs_per_s": round(count / seconds),
                            "p50_ms": round(percentile(latencies, 50), 2),
                            "p99_ms": round(percentile(latencies, 99), 2),
                            "index_bytes": size, "bytes_per_doc": round(size / count)}
        shares = [overlap(a, b) for a, b in zip(tops["embedded"], tops["elasticsearch"], strict=True)]
        result["top10_overlap_mean"] = round(sum(shares) / len(shares), 3)
        result["queries_with_full_agreement"] = sum(1 for s in shares if s == 1.0)
        worst = sorted(range(len(shares)), key=lambda i: shares[i])[:5]
        result["least_agreement"] = [
            {"q": workload[i]["q"], "mode": workload[i]["mode"], "overlap": round(shares[i], 2)} for i in worst]
        elastic.drop()
        embedded.close()
        elastic.close()
    finally:
        if started:
            script = str(ROOT / "deploy" / "elasticsearch-local.sh")
            subprocess.run([script, "stop", str(work / "es-node")], check=False)
    (OUT / "backends.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
