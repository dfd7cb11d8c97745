"""The API fuzzed from its own OpenAPI schema by schemathesis: whatever a client sends within or
around the schema, no answer is a 5xx and every answer matches the schema it documents.

The index holds pages in the three languages, so generated queries reach real matching,
highlighting and facet code rather than stopping at an empty index.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from tests.helpers import doc


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    data = tmp_path_factory.mktemp("fuzz") / "data"
    app = App(Settings(data_dir=data, rate_limit="", posting_rate_limit="", translation_hook="", translate=True,
                       allowed_hosts=["testserver"]))  # the host schemathesis calls
    app.indexer.index([
        doc("https://a.example.cn/auto", title="沈阳汽车零部件企业寻求日本合资伙伴", body="生产汽车零部件，诚招代理。",
            published_at="2024-03-01"),
        doc("https://b.example.jp/agent", title="自動車部品の販売代理店を募集", body="ブレーキ部品を製造しています。"),
        doc("https://c.example.com/jv", title="Auto parts supplier seeks joint venture",
            body="Brake systems <script>alert(1)</script> for export."),
    ])
    key = app.operators.add("fuzzer", "admin")
    api = create_app(app)
    api.state.fuzz_key = key
    yield api
    app.close()


def fuzz(cases: Any, headers: dict[str, str], checks: list[Any]) -> Any:
    @given(case=cases)
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=checks)
    return call


def test_no_input_makes_the_api_fail(api: FastAPI) -> None:
    """Every operation of the schema, 60 valid and 60 invalid generated requests each
    (schemathesis' strategies run under hypothesis directly: its pytest plugin fails on pytest 9)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    without_invalid: set[str] = set()
    for operation, mode in itertools.product(operations, GenerationMode):
        headers = {"Authorization": f"Bearer {api.state.fuzz_key}"} if operation.path.startswith("/api/admin") else {}
        # Invalid input must be refused (4xx), not necessarily with a documented status.
        checks = [not_a_server_error, status_code_conformance, response_schema_conformance] \
            if mode is GenerationMode.POSITIVE else [not_a_server_error]

        call = fuzz(operation.as_strategy(mode), headers, checks)
        try:
            call()
        except Unsatisfiable:  # an operation without parameters has no invalid input
            assert mode is GenerationMode.NEGATIVE, operation.label
            without_invalid.add(operation.path)
    assert "/api/search" not in without_invalid and "/api/terms/{term}/sites" not in without_invalid


def test_the_schema_documents_every_public_route(api: FastAPI) -> None:
    paths = set(api.openapi()["paths"])
    assert {"/api/search", "/api/suggest", "/api/terms/{term}/sites", "/api/categories", "/api/services",
            "/api/documents/{doc_id}", "/api/sources", "/healthz", "/readyz", "/metrics",
            "/api/admin/analytics"} <= paths
    examples = api.openapi()["paths"]["/api/search"]["get"]["parameters"][0]["examples"]
    assert {"zh", "ja", "en", "sentence"} <= set(examples)


