"""The API's own documentation works without internet access: /docs (Swagger UI) and /redoc
(ReDoc) load their scripts and styles from this server, never from a CDN, and render in
Chromium with every address outside loopback blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from tests.browser import api_server, chromium, cors_env, screenshot
from tests.helpers import free_port

TITLE = "SME market-expansion search"


def test_the_docs_pages_name_only_assets_this_server_serves(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit=""))
    client = TestClient(create_app(app), base_url="http://localhost")
    for page, assets in (("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")), ("/redoc", ("redoc.standalone.js",))):
        html = client.get(page).text
        assert "cdn." not in html and "fonts.googleapis" not in html
        for asset in assets:
            assert f'"/docs-assets/{asset}"' in html
            served = client.get(f"/docs-assets/{asset}")
            assert served.status_code == 200 and len(served.content) > 100_000
    app.close()


def test_swagger_ui_and_redoc_render_with_the_network_blocked(tmp_path: Path) -> None:
    with api_server(tmp_path / "data", free_port(), {"SMESEARCH_TRANSLATION_HOOK": "", **cors_env()}) as api, \
            chromium() as browser:
        page = browser.new_page()
        outside: list[str] = []

        def only_loopback(route: Any) -> None:
            if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(f"{api}/docs")
        page.wait_for_selector(f".swagger-ui .info .title:has-text('{TITLE}')", timeout=20_000)
        page.wait_for_selector(".opblock-summary-path[data-path='/api/search']", timeout=20_000)  # the operations, read from /openapi.json
        screenshot(page, "api-docs-swagger")
        page.goto(f"{api}/redoc")
        page.wait_for_selector(f"h1:has-text('{TITLE}')", timeout=20_000)
        screenshot(page, "api-docs-redoc", full_page=False)  # the whole page is 39,000 pixels tall
        assert outside == []
