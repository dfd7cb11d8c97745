"""What the browser tests share: Debian's Chromium under Playwright, a real API server over a
real crawl, a third-party page on another origin, and screenshots kept as artifacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

ARTIFACTS = Path(os.environ.get("SMESEARCH_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent
                                / "test-artifacts")) / "browser"


def chromium_path() -> str:
    """Debian's Chromium, as .ci/run installs it (deploy/browser.sh sets SMESEARCH_TEST_CHROMIUM)."""
    path = os.environ.get("SMESEARCH_TEST_CHROMIUM")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("SMESEARCH_TEST_CHROMIUM is not set: .ci/run must install Chromium (deploy/browser.sh)")
        pytest.skip("Chromium not installed (run deploy/browser.sh, as .ci/run does)")
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def api_server(data: Path, port: int, env: dict[str, str]) -> Iterator[str]:
    """`smesearch serve` on a loopback port, until the block ends."""
    log = (data.parent / f"serve-{port}.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "smesearch", "serve", "--port", str(port)],
                               env={**os.environ, "SMESEARCH_DATA_DIR": str(data), **env},
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (data.parent / f"serve-{port}.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the API did not start within two minutes"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(30)
        log.close()


@contextmanager
def static_site(root: Path, port: int) -> Iterator[str]:
    """A plain web server for a third-party page, on its own origin."""
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def cors_env(*origins: str) -> dict[str, str]:
    return {"SMESEARCH_CORS_ORIGINS": json.dumps(list(origins)), "SMESEARCH_RATE_LIMIT": ""}
