"""The smesearch command as a user runs it: a real subprocess on a temporary data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_jsonl

GOOD = [
    {"url": "https://a.example.cn/auto", "title": "沈阳汽车零部件企业寻求日本合资伙伴",
     "body": "生产汽车零部件和发动机配件，寻求合资合作。", "published_at": "2024-03-01"},
    {"url": "https://c.example.com/jv", "title": "Auto parts supplier seeks joint venture partner",
     "body": "We produce brake systems and seek a joint venture partner."},
    {"url": "https://e.example.ru/p", "title": "Партнёр для поставок", "body": "Ищем партнёра в Китае."},
]


def test_import_search_and_stats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    imported = run(data, "import", str(write_jsonl(tmp_path / "docs.jsonl", GOOD)))
    assert imported.returncode == 0, imported.stderr
    assert "indexed 3 (added 3, updated 0), unchanged 0, rejected 0 of 3 lines" in imported.stdout

    found = run(data, "search", "汽车零部件", "--json")
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)  # what /api/search answers, field for field
    rows = answer["results"]
    assert answer["total"] == 1 and [r["url"] for r in rows] == ["https://a.example.cn/auto"]
    assert set(rows[0]) >= {"url", "title", "score", "lang", "site", "categories", "services", "snippet"}
    assert rows[0]["lang"] == "zh" and [c["id"] for c in rows[0]["categories"]] == [8]
    assert "tie_up" in rows[0]["services"] and rows[0]["title"]["highlights"]

    text = run(data, "search", "joint venture", "--mode", "sentence")
    assert "1 results" in text.stdout and "https://c.example.com/jv" in text.stdout

    stats = json.loads(run(data, "stats", "--json").stdout)
    assert stats["documents"] == 3 and stats["unanalysed_langs"] == {"ru": 1}
    assert "generic tokeniser" in run(data, "stats").stdout

    again = run(data, "import", str(tmp_path / "docs.jsonl"))
    assert "unchanged 3" in again.stdout


def test_bad_lines_are_reported_by_number_and_the_rest_imported(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD[0], ensure_ascii=False).encode(),
        b"{not json",
        json.dumps({"title": "no url"}).encode(),
        json.dumps({"url": "https://x.example.com/1", "title": "t", "categories": [42]}).encode(),
        '{"url": "https://x.example.com/2", "title": "caf\u00e9"}'.encode("latin-1"),  # not UTF-8
        b"",
        json.dumps(GOOD[1]).encode(),
        b"[1, 2]",
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = run(tmp_path / "data", "import", str(path))
    assert result.returncode == 1
    assert "line 2: invalid JSON" in result.stderr
    assert "line 3: field url: is required" in result.stderr
    assert "line 4: field categories: 42 is not a category number 1-11" in result.stderr
    assert "line 5: not UTF-8" in result.stderr
    assert "line 8: field document: must be a JSON object" in result.stderr
    assert "indexed 2 (added 2, updated 0), unchanged 0, rejected 5 of 8 lines" in result.stdout
    assert json.loads(run(tmp_path / "data", "stats", "--json").stdout)["documents"] == 2


def test_import_from_standard_input(tmp_path: Path) -> None:
    body = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in GOOD).encode()
    result = run(tmp_path / "data", "import", "-", stdin=body)
    assert result.returncode == 0 and "added 3" in result.stdout


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "import", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the query is empty"),
        ("(汽车", "never closed (at character 1)"),
        ("汽车 " * 700, "the limit is 1200"),
        ("，，，", "no searchable words"),
    ],
)
def test_bad_queries_exit_2_with_a_message(tmp_path: Path, query: str, message: str) -> None:
    result = run(tmp_path / "data", "search", query)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_classify_text_and_jsonl(tmp_path: Path) -> None:
    one = run(tmp_path, "classify", "沈阳汽车零部件企业寻求合资伙伴，合资合作")
    assert json.loads(one.stdout) == {
        "categories": [{"id": 8, "name": "Automobile and parts"}],
        "services": [{"id": "tie_up", "name": "Business tie-up"}],
    }
    explained = json.loads(run(tmp_path, "classify", "自動車部品の販売代理店を募集しています", "--explain").stdout)
    (agent,) = explained["services"]
    assert agent["id"] == "agent" and "代理店" in agent["matched"] and 0.5 < agent["confidence"] < 1
    assert "自動車部品" in explained["categories"][0]["matched"]
    stdin = (json.dumps({"title": "自動車部品の販売代理店を募集", "body": "販売代理店を探しています"}, ensure_ascii=False)
             + "\nnot json\n" + json.dumps({"title": "Hiring engineers", "body": "job vacancy, we are hiring"}) + "\n")
    many = run(tmp_path, "classify", "-", stdin=stdin.encode())
    assert many.returncode == 1 and "line 2:" in many.stderr
    out = [json.loads(line) for line in many.stdout.splitlines()]
    assert [(o["categories"], o["services"]) for o in out] == [([8], ["agent"]), ([], ["recruit"])]
    assert out[0]["title"] == "自動車部品の販売代理店を募集"


def test_unknown_backend_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "--backend", "nosuch", "stats")
    assert result.returncode == 3
    assert "unknown backend 'nosuch'" in result.stderr and "Traceback" not in result.stderr
