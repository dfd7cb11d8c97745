"""The source catalog: the bundled networks of the seed, and errors that name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.catalog import CatalogError, bundled_catalog_path, load_catalog
from crawler.safety import private_address_reason
from tests.helpers import run

GOOD_ENTRY = """\
sources:
  - id: demo-portal
    name: {zh: 演示门户, en: Demo portal, ja: デモポータル}
    group: shenyang
    kind: site
    start_urls: [https://portal.example.cn/]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_catalog_holds_every_network_the_seed_names() -> None:
    catalog = load_catalog()
    notes = [s.note for s in catalog.sources]
    for n in range(1, 20):
        assert any(note.startswith(f"Seed ({n})") for note in notes), f"REFERENCES 3 entry ({n}) missing"
    for n in range(1, 8):
        assert any(note.startswith(f"Table 10 ({n})") for note in notes), f"Table 10 entry {n} missing"
    partner = catalog.get("partner-sme")
    assert partner.original == "http://partner.sme.ne.jp/"
    assert partner.start_urls == ("https://jgoodtech.smrj.go.jp/",) and partner.enabled
    assert catalog.get("syeic").original == "http://www.syeic.com" and not catalog.get("syeic").enabled
    assert all(s.note for s in catalog.sources if not s.enabled)  # every disabled entry says why
    assert all(s.name.zh and s.name.en and s.name.ja for s in catalog.sources)


def test_defaults_and_derived_fields(tmp_path: Path) -> None:
    source = load_catalog(write(tmp_path, GOOD_ENTRY)).get("demo-portal")
    assert source.allowed_domains == ("portal.example.cn",)
    assert (source.max_depth, source.max_pages, source.schedule, source.enabled) == (3, 500, "every 1d", True)
    assert source.politeness.obey_robots and not source.allow_private


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (("    kind: site", "    kind: sight"), 5, "kind", "must be one of"),
        (("    start_urls:", "    strat_urls:"), 6, "strat_urls", "did you mean 'start_urls'"),
        (("    group: shenyang", "    group: mars"), 4, "group", "must be one of"),
        (("[https://portal.example.cn/]", "[ftp://portal.example.cn/]"), 6, "start_urls", "not an absolute http(s)"),
        (("[https://portal.example.cn/]", "[http://127.0.0.1:8080/]"), 6, "start_urls", "loopback"),
        (("[https://portal.example.cn/]", "[http://192.168.1.20/]"), 6, "start_urls", "private network"),
        (("[https://portal.example.cn/]", "[http://169.254.169.254/]"), 6, "start_urls", "link-local"),
        (("  - id: demo-portal", "  - id: Demo Portal"), 2, "id", "lower-case"),
        (("    kind: site", "    kind: site\n    max_pages: 0"), 6, "max_pages", "above 0"),
        (("    kind: site", "    kind: site\n    schedule: sometimes"), 6, "schedule", "cron"),
        (("    kind: site", "    kind: site\n    categories: [12]"), 6, "categories", "1-11"),
        (("    kind: site", "    kind: site\n    include: ['(']"), 6, "include", "regular expression"),
        (("    kind: site", "    kind: site\n    politeness: {delay: -1}"), 6, "politeness", "seconds"),
        (("{zh: 演示门户, en: Demo portal, ja: デモポータル}", "{zh: 演示门户}"), 3, "name", "zh, en and ja"),
    ],
)
def test_a_typo_names_the_file_line_and_field(tmp_path: Path, change: tuple[str, str], line: int, field: str,
                                              message: str) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace(*change))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert (info.value.line, info.value.field) == (line, field)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: {field}: ")


def test_private_addresses_are_allowed_only_when_the_entry_says_so(tmp_path: Path) -> None:
    text = GOOD_ENTRY.replace("https://portal.example.cn/", "http://127.0.0.1:8000/") + "    allow_private: true\n"
    assert load_catalog(write(tmp_path, text)).get("demo-portal").allow_private


def test_duplicate_ids_and_broken_yaml(tmp_path: Path) -> None:
    twice = GOOD_ENTRY + GOOD_ENTRY.split("sources:\n", 1)[1]
    with pytest.raises(CatalogError, match=r":7: id: 'demo-portal' is already used at line 2"):
        load_catalog(write(tmp_path, twice))
    with pytest.raises(CatalogError, match=r":4: not valid YAML"):  # where the parser noticed
        load_catalog(write(tmp_path, "sources:\n  - id: x\n    name: {zh: a\n"))
    with pytest.raises(CatalogError, match="a list of sources is required"):
        load_catalog(write(tmp_path, "services: []\n"))


@pytest.mark.parametrize(
    ("host", "reason"),
    [("localhost", "loopback"), ("app.localhost", "loopback"), ("127.0.0.1", "loopback"), ("[::1]", "loopback"),
     ("10.1.2.3", "private"), ("172.16.0.9", "private"), ("fd00::1", "private"), ("169.254.169.254", "link-local"),
     ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "not on the public internet"), ("www.jetro.go.jp", None),
     ("8.8.8.8", None)],
)
def test_private_address_reasons(host: str, reason: str | None) -> None:
    found = private_address_reason(host)
    assert (found is None) if reason is None else (reason in (found or ""))


def test_sources_commands_read_the_catalog_given(tmp_path: Path) -> None:
    data = tmp_path / "data"  # holds no catalog.yaml of its own, so the bundled catalog is read
    listed = run(data, "sources", "list")
    assert listed.returncode == 0 and "26 sources" in listed.stdout and "partner-sme" in listed.stdout
    own = run(data, "--catalog", str(write(tmp_path, GOOD_ENTRY)), "sources", "list", "--json")
    assert [s["id"] for s in json.loads(own.stdout)] == ["demo-portal"]
    shown = json.loads(run(data, "sources", "show", "jetro").stdout)
    assert shown["original"] == "http://www.jetro.go.jp/top/index.html"
    bad = run(data, "--catalog", str(write(tmp_path, GOOD_ENTRY.replace("kind: site", "kind: sight"))),
              "sources", "list")
    assert bad.returncode == 1 and ":5: kind: must be one of" in bad.stderr and "Traceback" not in bad.stderr
    missing = run(data, "sources", "show", "nosuch")
    assert missing.returncode == 1 and "no source 'nosuch'" in missing.stderr
    # A data directory the demo made lists the demo's sources, as its console did.
    data.mkdir(exist_ok=True)
    (data / "demo-catalog.yaml").write_text(write(tmp_path, GOOD_ENTRY).read_text("utf-8"), encoding="utf-8")
    assert [s["id"] for s in json.loads(run(data, "sources", "list", "--json").stdout)] == ["demo-portal"]
    assert "26 sources" in run(data, "--catalog", str(bundled_catalog_path()), "sources", "list").stdout
