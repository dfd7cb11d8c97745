"""One settings object and one data-directory layout: what child processes receive, and where
each file lives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config import DataDir, Settings


def test_a_child_process_sees_the_same_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", cors_origins=["https://a.example"],
                        crawl_delay=0.25, search_log=False, es_password="secret")
    environment = settings.child_environment({"PATH": os.environ["PATH"], "http_proxy": "http://proxy:3128",
                                              "SMESEARCH_CATALOG": "/stale/catalog.yaml"})
    assert environment["http_proxy"] == "http://proxy:3128"  # the rest of the environment goes along
    assert "SMESEARCH_CATALOG" not in environment  # a stale variable does not outlive the setting
    seen = subprocess.run([sys.executable, "-c", "from config import Settings; print(Settings().model_dump_json())"],
                          env=environment, capture_output=True, text=True, check=True).stdout
    assert Settings.model_validate_json(seen) == settings.model_copy(
        update={"data_dir": settings.data_dir.resolve(), "cache_dir": settings.cache_dir.resolve()})


def test_every_place_in_the_data_directory_is_under_it_except_a_chosen_import_directory(tmp_path: Path) -> None:
    layout = DataDir(tmp_path / "data")
    places = [getattr(layout, name) for name in dir(DataDir)
              if isinstance(getattr(DataDir, name), property)]
    assert len(places) >= 14 and all(p.is_relative_to(layout.root) for p in places)
    assert len(set(places)) == len(places)  # no two stores share a file
    assert DataDir(tmp_path / "data", tmp_path / "drop").imports == tmp_path / "drop"
    assert Settings(data_dir=tmp_path / "data").paths == layout


def test_a_test_that_names_no_data_directory_writes_outside_the_tree() -> None:
    root = Path(__file__).resolve().parent.parent
    assert not Settings().data_dir.resolve().is_relative_to(root)
