"""The docs say what the code does: every setting is in the README's settings table, no setting it
names is gone, and one version is reported everywhere (Datasette's documentation tests are the model)."""

from __future__ import annotations

import re
from pathlib import Path

from config.settings import Settings

README_PATH = Path(__file__).resolve().parent.parent / "README.md"
README = README_PATH.read_text(encoding="utf-8")
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
