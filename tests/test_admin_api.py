"""The operator API: every admin route refuses a missing or wrong key (401) and a read-only key
where it changes something (403); sources are validated as the catalog is; schedules, run now,
cancel and the run history work through the same job store the scheduler uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from crawler.catalog_edit import add_source
from operations.app import App
from query_api.app import create_app

SAMPLE = {"id": "acme", "name": {"zh": "艾克美", "en": "Acme", "ja": "アクメ"}, "group": "shenyang", "kind": "site",
          "start_urls": ["https://www.acme.example.cn/"]}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, App, dict[str, dict[str, str]]]]:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit=""))
    keys = {role: {"Authorization": f"Bearer {app.operators.add(role + '-operator', role)}"}  # type: ignore[arg-type]
            for role in ("read", "admin")}
    client = TestClient(create_app(app), base_url="http://localhost", raise_server_exceptions=False)
    yield client, app, keys
    app.close()


def admin_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every operator route the API documents (its OpenAPI schema), with sample path parameters."""
    routes = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if path.startswith("/api/admin"):
            concrete = path.replace("{source_id}", "acme").replace("{run_id}", "1")
            routes += [(method.upper(), concrete) for method in operations]
    return routes


def test_every_admin_route_needs_a_key_and_changes_need_the_admin_role(
        api: tuple[TestClient, App, dict[str, dict[str, str]]]) -> None:
    client, _, keys = api
    routes = admin_routes(client)
    assert len(routes) >= 18
    for method, path in routes:
        missing = client.request(method, path, json=SAMPLE)
        assert missing.status_code == 401, (method, path)
        assert missing.headers["content-type"] == "application/problem+json"
        wrong = client.request(method, path, json=SAMPLE, headers={"Authorization": "Bearer sme_not-a-key"})
        assert wrong.status_code == 401, (method, path)
        as_reader = client.request(method, path, json=SAMPLE, headers=keys["read"])
        if method == "GET":
            assert as_reader.status_code in (200, 404), (method, path, as_reader.text)
        else:
            assert as_reader.status_code == 403, (method, path)
            assert "needs the admin role" in as_reader.json()["detail"]


def test_sources_are_created_changed_and_removed_with_the_catalogs_validation(
        api: tuple[TestClient, App, dict[str, dict[str, str]]]) -> None:
    client, app, keys = api
    admin = keys["admin"]
    made = client.post("/api/admin/sources", json=SAMPLE, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["names"]["ja"] == "アクメ" and made.json()["documents"] == 0
    assert client.post("/api/admin/sources", json=SAMPLE, headers=admin).status_code == 409
    private = {**SAMPLE, "id": "intranet", "start_urls": ["http://10.0.0.8/"]}
    refused = client.post("/api/admin/sources", json=private, headers=admin)
    assert refused.status_code == 422 and "private network address" in refused.json()["detail"]
    # Reaching private addresses is the decision of whoever holds the catalog file, not of a key.
    escalated = client.post("/api/admin/sources", json={**private, "allow_private": True}, headers=admin)
    assert escalated.status_code == 422 and "--allow-private" in escalated.json()["detail"]
    add_source(app.settings.data_dir / "catalog.yaml", {**private, "allow_private": True})
    kept = client.put("/api/admin/sources/intranet", json={**private, "note": "edited"}, headers=admin)
    assert kept.status_code == 200 and kept.json()["allow_private"] is True
    changed = client.put("/api/admin/sources/acme", json={**SAMPLE, "enabled": False}, headers=admin)
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert client.put("/api/admin/sources/acme", json={**SAMPLE, "id": "other"}, headers=admin).status_code == 422
    assert client.delete("/api/admin/sources/acme", headers=admin).status_code == 204
    assert client.get("/api/admin/sources/acme", headers=admin).status_code == 404
    # Edits went to the operator's copy of the catalog, with the bundled entries and comments kept.
    copy = (app.settings.data_dir / "catalog.yaml").read_text(encoding="utf-8")
    assert "id: intranet" in copy and "id: acme" not in copy and copy.startswith("# The networks smesearch crawls")


def test_schedules_run_now_cancel_and_history_through_the_api(
        api: tuple[TestClient, App, dict[str, dict[str, str]]]) -> None:
    client, app, keys = api
    admin = keys["admin"]
    source = client.get("/api/admin/sources", headers=admin).json()[0]["id"]
    bad = client.put(f"/api/admin/schedules/{source}", json={"expression": "0 25 * * *"}, headers=admin)
    assert bad.status_code == 422 and "invalid cron expression" in bad.json()["detail"]
    made = client.put(f"/api/admin/schedules/{source}", json={"expression": "every 6h", "jitter_s": 60},
                      headers=admin).json()
    assert made["expression"] == "every 6h" and made["next_run_at"] and not made["paused"]
    assert client.post(f"/api/admin/schedules/{source}/pause", headers=admin).json()["paused"] is True
    listed = {s["id"]: s for s in client.get("/api/admin/sources", headers=keys["read"]).json()}
    assert listed[source]["schedule"] == "every 6h" and listed[source]["paused"] is True
    assert client.post(f"/api/admin/schedules/{source}/resume", headers=admin).json()["paused"] is False
    # The CLI's view of the job store is the same.
    assert [s.source for s in app.schedule_book.schedules()] == [source]
    queued = client.post(f"/api/admin/sources/{source}/run", headers=admin)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    run_id = queued.json()["id"]
    cancelled = client.post(f"/api/admin/runs/{run_id}/cancel", headers=admin).json()
    assert cancelled["status"] == "cancelled" and cancelled["error"] == "cancelled before it started"
    history = client.get("/api/admin/runs", params={"source": source}, headers=keys["read"]).json()
    assert [r["id"] for r in history] == [run_id]
    assert client.get(f"/api/admin/runs/{run_id}", headers=keys["read"]).json()["log_tail"] == ""
    assert client.get("/api/admin/runs/999", headers=keys["read"]).status_code == 404
    assert client.delete(f"/api/admin/schedules/{source}", headers=admin).status_code == 204
    assert client.post(f"/api/admin/schedules/{source}/pause", headers=admin).status_code == 404


def test_the_console_page_is_served_and_not_framed(api: tuple[TestClient, App, Any]) -> None:
    client, _, _ = api
    page = client.get("/admin")
    assert page.status_code == 200 and '<script src="/admin.js" defer></script>' in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "innerHTML" not in client.get("/admin.js").text
