"""End-to-end import: JSONL file to a committed embedded index, documents per second and size on disk.

    python -m bench.import_docs 100000
"""

from __future__ import annotations

import resource
import shutil
import sys
import time
from pathlib import Path

from analysis import Analyser
from bench.common import OUT, machine
from bench.corpus import write
from config import Settings
from indexer.backends import open_backend
from indexer.backends.base import directory_size
from indexer.backends.embedded import INDEX_DIR
from indexer.importer import LineErrors, read_jsonl
from indexer.pipeline import Indexer


def build(count: int, workers: int = 2) -> tuple[Path, dict[str, float]]:
    corpus = write(count)
    data = OUT / f"data-{count}"
    shutil.rmtree(data, ignore_errors=True)
    analyser = Analyser()  # loaded before the clock starts, as in a long-running crawler
    started = time.perf_counter()
    cpu_before = _cpu_s(resource.RUSAGE_SELF), _cpu_s(resource.RUSAGE_CHILDREN)
    backend = open_backend(Settings(data_dir=data))
    errors = LineErrors()
    with corpus.open("rb") as stream:
        report = Indexer(analyser, backend).index(read_jsonl(stream, errors),
                                                  batch_size=Settings().import_batch_size, workers=workers)
    backend.close()
    seconds = time.perf_counter() - started
    importer_cpu = _cpu_s(resource.RUSAGE_SELF) - cpu_before[0]
    workers_cpu = _cpu_s(resource.RUSAGE_CHILDREN) - cpu_before[1]  # the analysis workers, ended by now
    assert not errors.errors and report.added == count, (errors.errors[:3], report)
    return data, {
        "documents": count,
        "workers": workers,
        "seconds": seconds,
        "docs_per_s": count / seconds,
        # CPU per document: steadier than the rate on a shared machine, whose neighbours take wall time.
        "importer_cpu_ms": 1000 * importer_cpu / count,
        "workers_cpu_ms": 1000 * workers_cpu / count,
        "corpus_mb": corpus.stat().st_size / 1e6,
        "index_mb": directory_size(data / "index" / "embedded" / INDEX_DIR) / 1e6,
        "store_mb": directory_size(data / "index" / "embedded") / 1e6
        - directory_size(data / "index" / "embedded" / INDEX_DIR) / 1e6,
    }


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(machine())
    _, f = build(n, workers)
    print(f"{workers} analysis workers: imported {f['documents']:.0f} documents ({f['corpus_mb']:.0f} MB JSONL) "
          f"in {f['seconds']:.1f} s: "
          f"{f['docs_per_s']:.0f} documents/s; CPU per document {f['importer_cpu_ms']:.2f} ms importing and "
          f"{f['workers_cpu_ms']:.2f} ms analysing; tantivy index {f['index_mb']:.0f} MB, "
          f"document store {f['store_mb']:.0f} MB")
