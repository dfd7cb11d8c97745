"""`smesearch demo` indexes the bundled sample and serves the API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from categories import CATEGORIES, SERVICE_LIST


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))  # type: ignore[no-any-return]


def test_demo_serves_a_sample_covering_every_category_and_service(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "smesearch", "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if get(f"{base}/healthz") == {"status": "ok"}:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the demo did not start within 60 s"
            time.sleep(0.2)
        result = get(f"{base}/api/search?" + urllib.parse.urlencode({"q": "-nothingmatchesthis", "size": 100}))
        facets = {name: {f["value"] for f in values} for name, values in result["facets"].items()}  # type: ignore[union-attr]
        assert facets["lang"] >= {"zh", "ja", "en"}
        assert facets["category"] >= {str(c.id) for c in CATEGORIES}
        assert facets["service"] == {s.id for s in SERVICE_LIST}
        hit = get(f"{base}/api/search?" + urllib.parse.urlencode({"q": "汽车零部件"}))
        assert hit["total"] >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
