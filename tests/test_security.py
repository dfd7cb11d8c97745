"""Security checks that run with every CI build: every route is either an operator route (a key
and a role, tests/test_admin_api.py) or a known public read-only one, no secret an operator
configures or sends ever reaches the log, and the dependency audit's verdict (.ci/audit.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from config.settings import Settings
from operations.app import App
from operations.operators import OperatorKeys
from query_api.app import create_app
from tests.helpers import flattened, run, serving, write_jsonl

# Every route anyone may call without a key. A new route goes here only if it reads public data;
# anything that changes state or shows operator data belongs under /api/admin.
PUBLIC = {
    "/", "/embed", "/documents/{doc_id}", "/admin", "/admin.js", "/widget.js", "/healthz", "/readyz", "/metrics",
    "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",
    "/api/search", "/api/suggest", "/api/terms/{term}/sites", "/api/categories", "/api/services",
    "/api/documents/{doc_id}", "/api/sources", "/api/listings/{listing_id}/matches",
}
# Public routes that write, each guarded another way: posting a listing (limits per address, no
# duplicates; tests/test_listings.py), changing one (its owner token), matching (stores nothing),
# interest (relayed by mail, limits per address).
PUBLIC_WRITES = {
    "/api/listings": {"POST"},
    "/api/listings/{listing_id}": {"GET", "PATCH", "DELETE"},
    "/api/listings/{listing_id}/renew": {"POST"},
    "/api/listings/{listing_id}/interest": {"POST"},
    "/api/alerts": {"POST"},
    "/listings/new": {"GET", "POST"},  # the portal's forms for the same: the same rules behind them
    "/listings/{listing_id}": {"GET"},
    "/listings/{listing_id}/interest": {"POST"},
    "/listings/{listing_id}/alert": {"POST"},
    "/listings/{listing_id}/withdraw": {"POST"},
    "/api/alerts/{alert_id}/confirm": {"GET"},  # links in e-mails: each needs the alert's token
    "/api/alerts/{alert_id}/unsubscribe": {"GET"},
    "/api/match": {"POST"},
}


def test_every_route_is_an_operator_route_or_a_known_public_read(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit=""))
    api = create_app(app)
    routes: dict[str, set[str]] = {}
    for path, operations in api.openapi()["paths"].items():  # every documented route, routers included
        routes.setdefault(path, set()).update(method.upper() for method in operations)
    for route in flattened(api.routes):  # and the undocumented pages and scripts
        if isinstance(route, APIRoute | Route):
            routes.setdefault(route.path, set()).update(route.methods or ())
    for path, methods in routes.items():
        if path.startswith("/api/admin/"):
            continue  # each is called with no key, a wrong key and a lesser role in test_admin_api.py
        if path in PUBLIC_WRITES:
            assert methods == PUBLIC_WRITES[path], f"{path} accepts {methods}"
            continue
        assert path in PUBLIC, f"{path} is neither an operator route nor a known public one"
        assert methods <= {"GET", "HEAD"}, f"public {path} accepts {methods}: it must only read"
    seen = set(routes)
    assert seen >= PUBLIC | set(PUBLIC_WRITES)  # the list describes the app, not routes long gone
    app.close()


def test_no_secret_reaches_the_log(tmp_path: Path) -> None:
    """Keys sent in both headers, a wrong key, the Elasticsearch password and a webhook token in
    the settings: none of them appears in the JSON request log or anything else the server prints."""
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", [
        {"url": "https://a.example.cn/1", "title": "沈阳汽车零部件企业寻求合资伙伴"}]))).returncode == 0
    key = OperatorKeys(data / "operators.sqlite").add("auditor", "admin")
    secrets = {"key": key, "wrong": "sme_wrong-key-0123456789abcdef", "es": "es-pass-5ec4e7-do-not-log",
               "hook": "hooktoken-9f8e7d6c"}
    env = {"SMESEARCH_ES_PASSWORD": secrets["es"], "SMESEARCH_ES_USERNAME": "elastic",
           "SMESEARCH_ALERT_WEBHOOK_URL": f"https://hooks.example.cn/alert?token={secrets['hook']}",
           "SMESEARCH_RATE_LIMIT": ""}
    with serving(data, env=env) as (base, server):
        assert httpx.get(f"{base}/api/admin/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert httpx.get(f"{base}/api/admin/stats", headers={"X-API-Key": key}).status_code == 200
        assert httpx.get(f"{base}/api/admin/me", headers={"Authorization": f"Bearer {secrets['wrong']}"}
                         ).status_code == 401
        assert httpx.get(f"{base}/api/admin/sources", params={"api_key": key}).status_code == 401  # not a way in
        assert httpx.get(f"{base}/api/search", params={"q": "汽车"}).status_code == 200
        server.terminate()
        output = server.communicate(timeout=30)[0]
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len([e for e in lines if e.get("route")]) >= 5  # the requests were logged ...
    for name, secret in secrets.items():
        assert secret not in output, f"the {name} secret is in the server's output"  # ... and no secret with them


def load_audit() -> Any:
    spec = importlib.util.spec_from_file_location("ci_audit", Path(__file__).resolve().parent.parent / ".ci/audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dependency_audit_fails_on_an_advisory_unless_it_is_listed_with_a_reason() -> None:
    """What `make audit` decides from pip-audit's JSON report (the CI step that runs it on the installed versions)."""
    audit = load_audit()
    report = {"dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [
            {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}]},
        {"name": "fastapi", "version": "0.120.0", "vulns": []}]}
    code, lines = audit.verdict(report, {})
    assert code == 1 and "ADVISORY jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in lines[0]
    code, lines = audit.verdict(report, audit.allowlist("CVE-2024-22195  templates are ours, never users'\n"))
    assert code == 0 and "accepted" in lines[0] and "templates are ours" in lines[0]
    with pytest.raises(SystemExit, match="needs a reason"):
        audit.allowlist("GHSA-h5c8-rqwp-cp95\n")
    unreachable = {"dependencies": [{"name": "jinja2", "skip_reason": "Dependency not found on PyPI"}]}
    code, lines = audit.verdict(unreachable, {})
    assert code == 0 and "could not be reached" in lines[0]
    assert audit.allowlist((Path(audit.__file__).parent / "audit-allowlist.txt").read_text(encoding="utf-8")) == {}
