"""One operations service behind the CLI and the API: the same rules, the same refusals. The API
is the untrusted caller (no private addresses, files only from the import directory); the CLI,
run by whoever holds the machine, is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient

from config import Settings
from crawler.kinds import API_KINDS
from operations.app import App
from operations.service import Conflict, Invalid, NotFound, Operations
from query_api.admin import SourceIn
from query_api.app import create_app
from tests.helpers import run

ENTRY = {"id": "acme", "name": {"zh": "艾克美", "en": "Acme", "ja": "アクメ"}, "group": "shenyang", "kind": "site",
         "start_urls": ["https://www.acme.example.cn/"]}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    opened = App(Settings(data_dir=tmp_path / "data", rate_limit=""))
    yield opened
    opened.close()


def test_the_api_may_not_reach_private_addresses_the_cli_may(app: App) -> None:
    private = {**ENTRY, "start_urls": ["http://10.1.2.3/"], "allow_private": True}
    with pytest.raises(Invalid, match="only the catalog file"):
        Operations(app, trusted=False).add_source(private)
    assert Operations(app, trusted=True).add_source(private).allow_private


def test_the_api_reads_files_only_from_the_import_directory(app: App, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text("{}\n", encoding="utf-8")
    with pytest.raises(Invalid, match="start_urls"):
        Operations(app, trusted=False).add_source({**ENTRY, "kind": "jsonl", "start_urls": [str(outside)]})


def test_refusals_say_which_kind_they_are(app: App) -> None:
    ops = Operations(app, trusted=False)
    ops.add_source(ENTRY)
    with pytest.raises(Conflict):
        ops.add_source(ENTRY)
    with pytest.raises(NotFound):
        ops.source("nobody")
    with pytest.raises(NotFound):
        ops.pause_schedule("acme")  # it has no schedule yet
    with pytest.raises(Invalid):
        ops.set_schedule("acme", "every now and then")
    with pytest.raises(Invalid, match="cannot change"):
        ops.replace_source("acme", {**ENTRY, "id": "other"})
    assert ops.set_schedule("acme", "every 6h").expression == "every 6h"
    ops.remove_source("acme")
    assert ops.schedules() == []  # its schedule went with it


def test_the_cli_and_the_api_refuse_a_duplicate_source_with_the_same_sentence(app: App, tmp_path: Path) -> None:
    Operations(app, trusted=True).add_source(ENTRY)
    client = TestClient(create_app(app), base_url="http://localhost")
    key = app.operators.add("admin-operator", "admin")
    answer = client.post("/api/admin/sources", json=ENTRY, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 409
    cli = run(tmp_path / "data", "sources", "add", "acme", "--start-url", "https://www.acme.example.cn/",
              "--name-zh", "艾克美", "--name-en", "Acme", "--name-ja", "アクメ")
    assert cli.returncode == 1
    sentence = answer.json()["detail"].removesuffix("; change it with PUT")
    assert sentence in cli.stderr


def test_the_kinds_the_api_accepts_are_the_registrys() -> None:
    assert get_args(SourceIn.model_fields["kind"].annotation) == API_KINDS
