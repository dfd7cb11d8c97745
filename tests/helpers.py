"""Small builders shared by tests."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import tantivy

from indexer.document import Document


def doc(url: str, **fields: object) -> Document:
    return Document.from_mapping({"url": url, **fields})


def write_jsonl(path: Path, rows: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def tantivy_count(index_dir: Path) -> int:
    from indexer.backends.embedded import INDEX_DIR, build_schema

    index = tantivy.Index(build_schema(), path=str(index_dir / INDEX_DIR), reuse=True)
    return int(index.searcher().num_docs)


def run(data_dir: Path, *args: str, stdin: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8", **(env or {})}
    result = subprocess.run([sys.executable, "-m", "smesearch", *args], input=stdin, env=env,
                            capture_output=True, timeout=120)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8"),
                                       result.stderr.decode("utf-8"))


def gloss(analyser: object = None) -> object:
    """A translation hook for tests (`tests.helpers:gloss`): glosses a few Chinese trade words
    into English titles, the way a dictionary translator would."""
    from indexer.document import Translation

    words = {"汽车零部件": "auto parts", "合资": "joint venture", "代理": "agent"}

    def hook(document: Document) -> None:
        found = [english for chinese, english in words.items() if chinese in document.title]
        if document.lang == "zh" and found:
            document.translations["en"] = Translation(title=" ".join(found))

    return hook


def free_port() -> int:
    """A loopback port nobody listens on once this returns."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(data_dir: Path, *args: str, env: dict[str, str] | None = None,
            workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`smesearch serve` on a free loopback port over `data_dir`, until the block ends: yields the
    base URL and the process (its output is read once it has stopped)."""
    import httpx2 as httpx

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "smesearch", "--data-dir", str(data_dir), *args, "serve",
                               "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise AssertionError(server.communicate()[0])
            try:
                httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError("the API did not answer within 90 s") from None
                time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


def flattened(routes: list[Any]) -> list[Any]:
    """An app's routes, with those of included routers (FastAPI keeps them behind a wrapper)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += flattened(list(inner.routes)) if inner is not None else [route]
    return out


def touch_and_sleep(marker: str, seconds: float) -> None:
    """A pool task that says it has started (the marker file) and then does not finish."""
    Path(marker).touch()
    time.sleep(seconds)


def process_running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (which `Process.is_alive` cannot tell once
    another thread has reaped it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def forget_finished_apps() -> None:
    """Empty FastAPI's caches of the endpoints it has classified (fastapi/dependencies/models.py,
    up to 4,096 each): our routers' endpoints are closures over their App, so those caches kept
    every test's App, its analyser and classifier alive: 110 MB a test, a 13 GB test process by the
    end of CI. A server builds one app and is not concerned."""
    from fastapi.dependencies import models

    for name in ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached"):
        getattr(models, name).cache_clear()
