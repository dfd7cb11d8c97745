"""A disk that fills up in the middle of an import: a clear error, the committed batches kept, and
the same import finishing the job once there is room again."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers import stored_count, tantivy_count

TOTAL = 3000


def limit_file_size() -> None:
    # The kernel then refuses writes past 3 MB with EFBIG, as a full disk refuses them with ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000))


def test_import_on_a_full_disk_fails_clearly_and_resumes(tmp_path: Path) -> None:
    corpus = tmp_path / "offers.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(TOTAL):
            f.write(json.dumps({"url": f"https://x.example.cn/{i}", "title": f"汽车零部件 {i}",
                                "body": "沈阳汽车零部件企业寻求合资伙伴。" * 40}, ensure_ascii=False) + "\n")
    data = tmp_path / "data"
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_IMPORT_BATCH_SIZE": "500",
           "SMESEARCH_INDEX_WORKERS": "0"}
    full = subprocess.run([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                          preexec_fn=limit_file_size, capture_output=True, text=True, timeout=300)
    assert full.returncode == 3
    assert "is the disk full?" in full.stderr and "Traceback" not in full.stderr
    index_dir = data / "index" / "embedded"
    kept = stored_count(index_dir / "documents.sqlite")
    assert 0 < kept < TOTAL and kept % 500 == 0

    again = subprocess.run([sys.executable, "-m", "smesearch", "import", str(corpus)], env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"unchanged {kept}" in again.stdout
    assert stored_count(index_dir / "documents.sqlite") == TOTAL
    assert tantivy_count(index_dir) == TOTAL
