"""The docs say what the code does: every setting is in the README's settings table with its
default, every command and route is in docs/REFERENCE.md, links lead to files that exist, the
benchmarks cite sections rather than tracker numbers, figures the docs quote are the code's, and
one version is reported everywhere (Datasette's documentation tests are the model)."""

from __future__ import annotations

import re
from pathlib import Path

from config.settings import Settings
from tests.helpers import flattened

ROOT = Path(__file__).resolve().parent.parent
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
REFERENCE = (ROOT / "docs" / "REFERENCE.md").read_text(encoding="utf-8")
DOCS = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]
# Variables of the deploy scripts and the test harness, not of Settings.
NOT_SETTINGS = {"SMESEARCH_ES_SECURITY"}


def settings_table() -> set[str]:
    table = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return {name for row in table.splitlines() if row.startswith("| `SMESEARCH_")
            for name in re.findall(r"`(SMESEARCH_[A-Z_]+)`", row.split("|")[1])}


def test_every_setting_is_in_the_readme_table() -> None:
    fields = {f"SMESEARCH_{name.upper()}" for name in Settings.model_fields}
    assert sorted(fields - settings_table()) == []


def test_the_readme_names_no_setting_that_does_not_exist() -> None:
    fields = {f"SMESEARCH_{name.upper()}" for name in Settings.model_fields}
    named = set(re.findall(r"SMESEARCH_[A-Z_]+[A-Z]", README)) - NOT_SETTINGS
    assert sorted(named - fields) == []


def test_the_api_the_package_and_the_cli_report_one_version() -> None:
    import tomllib

    from operations.app import App
    from query_api.app import create_app
    from smesearch import __version__

    declared = tomllib.loads((README_PATH.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    app = App(Settings(data_dir=README_PATH.parent / "no-such-data-dir"))
    assert create_app(app).version == __version__ == declared
    assert not (README_PATH.parent / "no-such-data-dir").exists()  # building the app writes nothing


def settings_rows() -> dict[str, str]:
    """Each variable of the settings table with its default column."""
    table = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for row in table.splitlines():
        if row.startswith("| `SMESEARCH_"):
            cells = [c.strip() for c in row.strip("|").split("|")]
            names = re.findall(r"`(SMESEARCH_[A-Z_]+)`", cells[0])
            defaults = [d.strip() for d in cells[1].split(",")] if len(names) > 1 else [cells[1]]
            rows.update(zip(names, defaults, strict=True))
    return rows


# Defaults the table words for a reader because the value depends on the machine or is long.
WORDED_DEFAULTS = {
    "SMESEARCH_CATALOG": "the bundled one", "SMESEARCH_IMPORT_DIR": "`DATA_DIR/imports`",
    "SMESEARCH_TRANSLATION_HOOK": "the dictionary and NMT glosser", "SMESEARCH_CACHE_DIR": "`~/.cache/smesearch`",
    "SMESEARCH_TRANSLATION_INDEX_URL": "Argos's package index", "SMESEARCH_RATE_LIMIT_STORAGE": "the data directory",
    "SMESEARCH_SCHEDULER_DB": "`DATA_DIR/scheduler.sqlite`", "SMESEARCH_INDEX_WORKERS": "the cores",
    "SMESEARCH_CRAWL_WORKERS": "the cores", "SMESEARCH_CORS_ORIGINS": "none",
}


def test_every_settings_default_is_the_one_the_table_gives() -> None:
    wrong = {}
    for variable, written in settings_rows().items():
        if variable in WORDED_DEFAULTS:
            assert written == WORDED_DEFAULTS[variable], variable
            continue
        field = Settings.model_fields[variable.removeprefix("SMESEARCH_").lower()]
        default = field.get_default(call_default_factory=True)
        if isinstance(default, Path) and Path(written.strip("`")) == default:
            continue
        if default in (None, ""):
            expected = "-"
        elif isinstance(default, bool):
            expected = f"`{str(default).lower()}`"
        elif isinstance(default, int | float):
            expected = str(int(default)) if float(default).is_integer() else str(default)
        elif isinstance(default, list):
            expected = "`[" + ",".join(f'"{v}"' for v in default) + "]`"
        else:
            expected = f"`{default}`"
        if written.strip("`") != expected.strip("`"):
            wrong[variable] = (written, expected)
    assert wrong == {}


def commands() -> list[str]:
    import typer.main

    from smesearch.cli import cli

    def walk(command: object, path: list[str]) -> list[str]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            return [" ".join(path)]
        return [name for key, sub in subcommands.items() for name in walk(sub, [*path, key])]

    return walk(typer.main.get_command(cli), [])


def test_every_command_is_in_the_reference_and_the_reference_names_no_other() -> None:
    listed = set(re.findall(r"^\| `smesearch ([a-z -]+)` \|", REFERENCE, flags=re.M))
    assert sorted(set(commands()) ^ listed) == []


def test_every_route_is_in_the_reference_and_the_reference_names_no_other(tmp_path: Path) -> None:
    from fastapi.routing import APIRoute

    from operations.app import App
    from query_api.app import create_app

    app = create_app(App(Settings(data_dir=tmp_path / "data")))
    routes = {(method.lower(), path) for path, operations in app.openapi()["paths"].items() for method in operations}
    routes |= {(method.lower(), route.path) for route in flattened(app.routes)
               if isinstance(route, APIRoute) and not route.include_in_schema for method in route.methods}
    listed = {(m.lower(), p) for m, p in re.findall(r"^\| `([A-Z]+)` \| `([^`]+)` \|", REFERENCE, flags=re.M)}
    assert sorted(routes ^ listed) == []


def test_links_in_the_docs_lead_to_files_in_the_repository() -> None:
    dead = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            resolved = (doc.parent / target).resolve()
            if not resolved.exists() or not resolved.is_relative_to(ROOT):
                dead.append(f"{doc.name}: {target}")
        for path in re.findall(r"`(\.\./[^`]+)`", text):
            dead.append(f"{doc.name}: {path} is outside the repository")
    assert dead == []


def test_the_benchmarks_cite_sections_not_tracker_numbers() -> None:
    text = (ROOT / "docs" / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert re.findall(r"(?i)\bissue \d+|#\d+\b", text) == []


def test_the_near_duplicate_figures_the_docs_quote_are_the_codes() -> None:
    from crawler.pipelines import NEAR_DUPLICATE_BITS, NEAR_DUPLICATE_JACCARD

    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    quoted = re.search(r"SimHash within (\d+) bits whose 4-character shingles\s+have a Jaccard similarity of ([\d.]+)",
                       text)
    assert quoted is not None
    assert (int(quoted[1]), float(quoted[2])) == (NEAR_DUPLICATE_BITS, NEAR_DUPLICATE_JACCARD)
