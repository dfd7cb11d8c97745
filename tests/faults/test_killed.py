"""A process killed with SIGKILL in the middle of an import leaves an index that opens and is whole
up to its last commit; importing again completes it without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from indexer.analysis import Analyser
from indexer.backends import open_backend
from indexer.service import SearchService
from tests.helpers import stored_count, tantivy_count

BATCH = 500
TOTAL = 20_000


def write_corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(TOTAL):
            f.write(json.dumps({"url": f"https://bulk.example.cn/offer/{i}",
                                "title": f"沈阳汽车零部件供应商第{i}号 auto parts offer {i}",
                                "body": "我公司生产发动机配件和刹车系统，寻求日本合资伙伴。" * 5,
                                "lang": "zh"}, ensure_ascii=False) + "\n")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_sigkill_during_import_loses_at_most_the_batch_in_flight(tmp_path: Path, analyser: Analyser) -> None:
    corpus = tmp_path / "bulk.jsonl"
    write_corpus(corpus)
    data = tmp_path / "data"
    index_dir = data / "index" / "embedded"
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_IMPORT_BATCH_SIZE": str(BATCH)}
    proc = subprocess.Popen([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored_count(index_dir / "documents.sqlite") < 3 * BATCH:
        assert proc.poll() is None, "the import finished before it could be killed; make the corpus larger"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = children(proc.pid)
    assert workers, "a long import analyses in worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "analysis workers outlived their killed importer"
        time.sleep(0.1)

    stored = stored_count(index_dir / "documents.sqlite")
    indexed = tantivy_count(index_dir)
    assert 0 < stored < TOTAL
    assert stored % BATCH == 0  # whole batches only
    assert indexed in (stored, stored + BATCH)  # the index commits first, then the store

    backend = open_backend("embedded", data)
    try:
        hits = SearchService(analyser, backend).search("汽车零部件", size=5)
        assert hits.total == indexed and len(hits.hits) == 5
    finally:
        backend.close()

    redo = subprocess.run([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert redo.returncode == 0, redo.stderr
    assert f"unchanged {stored}" in redo.stdout
    assert stored_count(index_dir / "documents.sqlite") == TOTAL
    assert tantivy_count(index_dir) == TOTAL  # no duplicates from the batch that was in the index only
