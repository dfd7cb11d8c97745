"""What cross-lingual search costs a query: the time to analyse the 1,000 benchmark queries
(bench/corpus.py) as typed, and with their translations added from the dictionary.

    python -m bench.query_translation

The lexicon is compiled first (not timed) and every query is analysed once to warm caches.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from analysis import Analyser
from bench.common import OUT, machine, percentile
from bench.corpus import queries
from config.settings import Settings
from indexer.query import analyse_query, translate_query
from translation.service import open_translations


def main() -> None:
    analyser = Analyser()
    translations = open_translations(analyser, Settings(data_dir=Path(tempfile.mkdtemp())))
    workload = queries(1000)
    timings: dict[str, list[float]] = {"as typed": [], "translated": []}
    readings = 0
    for rnd in range(2):
        for item in workload:
            text, mode = str(item["q"]), item["mode"]
            start = time.perf_counter()
            plain = analyse_query(analyser, text, mode)  # type: ignore[arg-type]
            middle = time.perf_counter()
            crossed = translate_query(plain, analyser, translations)
            end = time.perf_counter()
            if rnd == 1:
                timings["as typed"].append((middle - start) * 1000)
                timings["translated"].append((end - start) * 1000)
                readings += json.dumps(crossed.describe()["plan"]).count('"translated_from"')
    result = {"machine": machine(), "queries": len(workload), "translated_readings_per_query": readings / len(workload)}
    for name, values in timings.items():
        result[name] = {"p50_ms": round(percentile(values, 50), 3), "p99_ms": round(percentile(values, 99), 3)}
    OUT.mkdir(exist_ok=True)
    (OUT / "query_translation.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
