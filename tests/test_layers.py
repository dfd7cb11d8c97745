"""The architecture, as tests: imports point down (the import-linter contract in pyproject.toml),
a crawl process loads no API or scheduler code, every plug-in registry entry is whole, and each
job has one home (writes to the index, file names under the data directory, settings for child
processes)."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

from scrapy import Spider

from crawler.kinds import SOURCE_KINDS
from indexer.backends import BACKENDS
from indexer.backends.base import Backend

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["smesearch", "query_api", "operations", "scheduler", "matching", "crawler", "engine", "translation",
            "indexer", "categories", "analysis", "config"]


def sources_outside(*allowed: str) -> list[tuple[Path, str]]:
    """(file, text) of every package module except those under the `allowed` paths."""
    return [(path, path.read_text(encoding="utf-8")) for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))
            if not any(path.relative_to(ROOT).as_posix().startswith(a) for a in allowed)]


def test_imports_point_down() -> None:
    checked = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True,
                             text=True, check=False)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "1 kept, 0 broken" in checked.stdout


def test_a_crawl_process_loads_no_api_operations_or_scheduler_code() -> None:
    handlers = " ".join(f"crawler.kinds.SOURCE_KINDS[{name!r}].load();" for name, kind in SOURCE_KINDS.items()
                        if kind.web)
    probe = ("import sys, crawler.run, crawler.pipelines, crawler.middlewares, crawler.extensions, crawler.kinds; "
             f"{handlers} print(sorted({{m.split('.')[0] for m in sys.modules}}))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    forbidden = {"smesearch", "query_api", "operations", "scheduler", "fastapi", "uvicorn", "apscheduler",
                 "sqlalchemy"}
    assert forbidden & set(eval(loaded.stdout)) == set()  # our own probe prints a Python list


def test_every_backend_implements_the_whole_contract() -> None:
    members = {name for name, _ in inspect.getmembers(Backend) if not name.startswith("_")} | {"name"}
    for name, spec in BACKENDS.items():
        module, _, attribute = spec.partition(":")
        backend_class = getattr(__import__(module, fromlist=[attribute]), attribute)
        assert members <= set(dir(backend_class)), (name, sorted(members - set(dir(backend_class))))


def test_every_source_kind_names_a_spider_or_a_reader() -> None:
    for name, kind in SOURCE_KINDS.items():
        handler = kind.load()
        if kind.web:
            assert issubclass(handler, Spider), name
        else:
            assert callable(handler) and list(inspect.signature(handler).parameters) == ["job"], name


def test_only_the_index_writer_writes_to_an_index() -> None:
    calls = [path.name for path, text in sources_outside("indexer/backends/", "indexer/pipeline.py")
             if re.search(r"\.upsert\(", text)]
    assert calls == []


def test_only_the_data_directory_layout_names_files_in_it() -> None:
    spelt = [f"{path.relative_to(ROOT)}: {m.group()}" for path, text in sources_outside("config/")
             for m in re.finditer(r"data_dir\s*/\s*[\"'A-Z]", text)]
    assert spelt == []


def test_only_the_settings_make_a_child_processs_environment() -> None:
    spelt = [f"{path.relative_to(ROOT)}: {m.group()}" for path, text in sources_outside("config/")
             for m in re.finditer(r"(environ|env)\[[\"']SMESEARCH_|\*\*os\.environ\s*,\s*[\"']SMESEARCH_", text)]
    assert spelt == []
