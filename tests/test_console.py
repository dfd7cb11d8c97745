"""The operator console (/admin) in headless Chromium, over a real API server and a real
scheduler: sign in with a key, see the sources, run one now and watch its run succeed and show
in the chart, pause its schedule; a read-only key sees everything and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.browser import api_server, chromium, cors_env, screenshot
from tests.helpers import free_port, run

LISTINGS = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("console")
    catalog = {"sources": [{"id": "listings", "name": {"zh": "样例", "en": "Sample listings", "ja": "サンプル"},
                            "group": "shenyang", "kind": "jsonl", "start_urls": [str(LISTINGS)]}]}
    (root / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    env = {"SMESEARCH_CATALOG": str(root / "catalog.yaml"), "SMESEARCH_TRANSLATION_HOOK": "", **cors_env()}
    data = root / "data"
    keys = {role: run(data, "operators", "add", f"{role}-operator", "--role", role, env=env).stdout.strip()
            for role in ("admin", "read")}
    assert run(data, "schedule", "add", "listings", "--every", "6h", env=env).returncode == 0
    scheduler = subprocess.Popen([sys.executable, "-m", "smesearch", "scheduler"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env={**os.environ, "SMESEARCH_DATA_DIR": str(data), **env})
    try:
        with api_server(data, free_port(), env) as api:
            yield api, keys
    finally:
        scheduler.terminate()
        scheduler.wait(30)


@pytest.fixture
def page(console: tuple[str, dict[str, str]]) -> Iterator[Any]:
    with chromium() as browser:
        opened = browser.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda e: errors.append(str(e)))
        yield opened
        assert errors == []


def sign_in(page: Any, api: str, key: str) -> None:
    page.goto(f"{api}/admin")
    page.keyboard.type(key)  # the key field has the focus
    page.keyboard.press("Enter")


def test_an_admin_runs_a_source_and_pauses_its_schedule(page: Any, console: tuple[str, dict[str, str]]) -> None:
    api, keys = console
    sign_in(page, api, "sme_wrong")
    page.get_by_role("alert").filter(has_text="The key was refused").wait_for()
    page.locator("#key").fill("")
    sign_in(page, api, keys["admin"])
    row = page.locator("tr[data-source=listings]")
    row.wait_for()
    assert "every 6h" in row.inner_text() and "never run" in row.inner_text()
    row.get_by_role("button", name="Run now").click()
    page.get_by_role("status").filter(has_text="queued").wait_for()
    page.locator("#runs tr .status-succeeded").first.wait_for(timeout=90_000)
    assert "36" in page.locator("#runs tr").first.inner_text()  # fetched 36 listings
    page.locator("#chart rect").first.wait_for(timeout=15_000)  # pages fetched today, group shenyang
    assert "Shenyang" in page.locator("#legend").inner_text()
    assert page.locator("#chart rect title").first.text_content().endswith(": 36 pages fetched")
    page.locator("#measure").select_option("deleted")  # none today: no bar
    assert page.locator("#chart rect").count() == 0
    page.locator("#measure").select_option("new")
    assert page.locator("#chart rect title").first.text_content().endswith(": 36 pages new")
    row.get_by_role("button", name="Pause").click()
    page.locator("tr[data-source=listings]", has_text="(paused)").wait_for()
    screenshot(page, "console-admin")
    row.get_by_role("button", name="Resume").click()
    page.locator("tr[data-source=listings]", has_text="(paused)").wait_for(state="detached")


def test_a_read_only_operator_sees_but_cannot_change(page: Any, console: tuple[str, dict[str, str]]) -> None:
    api, keys = console
    sign_in(page, api, keys["read"])
    row = page.locator("tr[data-source=listings]")
    row.wait_for()
    page.locator("#who", has_text="read-operator (read only)").wait_for()
    assert row.get_by_role("button", name="Run now").is_disabled()
    page.get_by_role("button", name="Sign out").click()
    assert page.locator("#signin").is_visible()
    screenshot(page, "console-signed-out")
