"""Changing a catalog file from the command line without losing what people wrote in it.

Edits are made on the text (an entry appended, one `enabled:` value changed), so comments, notes
and layout survive, and every edit is validated by loading the result before it replaces the
file: a change that would make the catalog invalid (a private address without `allow_private`,
a duplicate id) is refused with the loader's message, and the file stays as it was.

Each edit reads, changes and replaces the file under an exclusive lock on a file beside it, so
edits from several API workers, operators and the CLI at once are applied one after another
(without it, 40 parallel additions through the API kept 8).
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml

from config import DataDir
from crawler.catalog import Catalog, CatalogError, Source, bundled_catalog_path, load_catalog

_Edit = TypeVar("_Edit", bound=Callable[..., Any])


class SourceExists(CatalogError):
    """An addition whose id the catalog already has."""


@contextmanager
def catalog_lock(path: Path) -> Iterator[None]:
    """Hold the edit lock of the catalog at `path` (blocking until other editors are done)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def editable_catalog(configured: Path | None, paths: DataDir) -> Path:
    """The file edits go to: the configured catalog, else the operator's copy in the data
    directory, made from the bundled one on first use (the bundled file belongs to the package)."""
    if configured is not None:
        return configured
    path = paths.catalog_copy
    if not path.exists():
        with catalog_lock(path):
            if not path.exists():
                fd, temporary = tempfile.mkstemp(prefix=".catalog-", suffix=".yaml", dir=path.parent)
                os.close(fd)
                shutil.copyfile(bundled_catalog_path(), temporary)
                os.replace(temporary, path)
    return path


def effective_catalog(configured: Path | None, paths: DataDir) -> Path | None:
    """The catalog commands read: the configured one, else the operator's copy if there is one,
    else the demo's in a data directory `smesearch demo` made (its console showed those sources,
    and `sources list` must show the same), else None for the bundled catalog."""
    if configured is not None:
        return configured
    for found in (paths.catalog_copy, paths.demo_catalog):
        if found.exists():
            return found
    return None


def _locked(edit: _Edit) -> _Edit:
    """Run a read-modify-write edit of the catalog at its first argument under the edit lock."""
    @functools.wraps(edit)
    def locked(path: Path, *args: Any) -> Any:
        with catalog_lock(path):
            return edit(path, *args)
    return locked  # type: ignore[return-value]


@_locked
def add_source(path: Path, entry: dict[str, Any]) -> Source:
    if any(s.id == entry.get("id") for s in load_catalog(path).sources):
        raise SourceExists(str(path), None, "id", f"a source {entry.get('id')!r} exists")
    text = path.read_text(encoding="utf-8")
    item = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=200)
    indented = "".join(f"  {line}\n" for line in item.splitlines())
    catalog = _replace(path, text.rstrip("\n") + "\n" + indented)
    return catalog.get(entry["id"])


@_locked
def set_enabled(path: Path, source_id: str, enabled: bool) -> Source:
    text = path.read_text(encoding="utf-8")
    node = _entry_node(path, text, source_id)
    lines = text.splitlines(keepends=True)
    value = "true" if enabled else "false"
    existing = [(k, v) for k, v in node.value if k.value == "enabled"]
    if existing:
        mark, end = existing[0][1].start_mark, existing[0][1].end_mark
        line = lines[mark.line]
        lines[mark.line] = line[:mark.column] + value + line[end.column:]
    else:
        id_key = next(k for k, _ in node.value if k.value == "id")
        indent = " " * id_key.start_mark.column
        lines.insert(id_key.start_mark.line + 1, f"{indent}enabled: {value}\n")
    return _replace(path, "".join(lines)).get(source_id)


@_locked
def replace_source(path: Path, source_id: str, entry: dict[str, Any]) -> Source:
    """Put `entry` where the source's entry was; the rest of the file is untouched."""
    text, (start, end) = path.read_text(encoding="utf-8"), _entry_lines(path, source_id)
    lines = text.splitlines(keepends=True)
    item = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=200)
    lines[start:end] = [f"  {line}\n" for line in item.splitlines()]
    return _replace(path, "".join(lines)).get(entry["id"])


@_locked
def remove_source(path: Path, source_id: str) -> None:
    text, (start, end) = path.read_text(encoding="utf-8"), _entry_lines(path, source_id)
    lines = text.splitlines(keepends=True)
    del lines[start:end]
    _replace(path, "".join(lines))


def _entry_lines(path: Path, source_id: str) -> tuple[int, int]:
    """The lines [start, end) of a source's entry, without the comments that follow it (they
    head the next entry or section)."""
    text = path.read_text(encoding="utf-8")
    node = _entry_node(path, text, source_id)
    lines = text.splitlines()
    start = node.start_mark.line
    end = node.end_mark.line  # where the next token starts: the line stays when nothing of ours is on it
    if end < len(lines) and lines[end][:node.end_mark.column].strip():
        end += 1
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def _entry_node(path: Path, text: str, source_id: str) -> yaml.MappingNode:
    """The YAML node of a source's entry, with its marks (line, column) in `text`."""
    load_catalog(path).get(source_id)  # KeyError for an unknown id, CatalogError for a broken file
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    sources = next(v for k, v in root.value if k.value == "sources")
    node = next(n for n in sources.value if any(k.value == "id" and v.value == source_id for k, v in n.value))
    assert isinstance(node, yaml.MappingNode)
    return node


def _replace(path: Path, text: str) -> Catalog:
    """Write `text` next to `path`, validate it, and move it into place; nothing changes on error."""
    fd, temporary = tempfile.mkstemp(prefix=".catalog-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            catalog = load_catalog(Path(temporary))
        except CatalogError as exc:
            raise CatalogError(str(path), exc.line, exc.field, exc.message) from None
        os.replace(temporary, path)
        return Catalog(str(path), catalog.sources)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
