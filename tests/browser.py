"""What the browser tests share: Debian's Chromium under Playwright, a real API server over a
real crawl, a third-party page on another origin, and screenshots kept as artifacts."""

from __future__ import annotations

import json
import os
import re
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


# Every text node and every label a reader meets (aria-label, title, placeholder, alt) that takes
# its language from the page (the <html> element or the widget's host), not from an element of
# its own: documents' titles, snippets and sections carry their lang, and identifiers
# (translate="no": source ids, operator names) and code are no language's words.
_PAGE_TEXTS = """() => {
  const out = [];
  const fromPage = (el) => {
    for (let n = el; n; n = n.parentNode || n.host) {
      if (n.nodeType !== 1) continue;
      if (n.getAttribute("translate") === "no") return false;
      if (n.hasAttribute("lang")) return n === document.documentElement || n.tagName === "SME-SEARCH";
    }
    return true;
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      // <title> is left out: a company or listing page is titled with its name, which has no lang of its own.
      if (el.closest("title, script, style, code, pre, template, noscript") || !fromPage(el)) {
        if (el.shadowRoot) walk(el.shadowRoot);
        continue;
      }
      for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        if (el.hasAttribute(name)) out.push([el.getAttribute(name), el.tagName + "@" + name]);
      }
      for (const child of el.childNodes) {
        if (child.nodeType === 3 && child.textContent.trim()) out.push([child.textContent.trim(), el.tagName]);
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return out;
}"""
_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Not words of any language: addresses, host names, dates and the acronyms all three languages use.
_NEUTRAL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+(?::\d+)?\S*|\b(?:UTC|ISO|CSS|LED|OR|AND|NOT)\b")


def _not_japanese(char: str) -> bool:
    """A kanji outside Japanese's character set (JIS X 0208 and its extensions): Simplified 业, 简."""
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False


def foreign_text(page: Any, lang: str) -> list[str]:
    """The page's own texts in `page` that hold words of another language than `lang`: Chinese or
    Japanese on the English page; Latin words or kana on the Chinese one; Latin words or
    characters Japanese does not write on the Japanese one."""
    found = []
    for text, where in page.evaluate(_PAGE_TEXTS):
        plain = _NEUTRAL.sub(" ", text)
        if lang == "en":
            bad = bool(_CJK.search(plain))
        else:
            bad = bool(_LATIN_WORD.search(plain)) or (lang == "zh" and bool(_KANA.search(plain))) or (
                lang == "ja" and any(_not_japanese(c) for c in plain if "\u4e00" <= c <= "\u9fff"))
        if bad:
            found.append(f"{where}: {text}")
    return found
