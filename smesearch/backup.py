"""Backup and restore of the data directory, while the API serves and crawls run.

A backup is one tar file (gzip-compressed when its name ends in .gz or .tgz) holding:
- every SQLite file (document store, crawl state, scheduler jobs and runs, operator keys, search
  log) copied with SQLite's online backup API, so each is a consistent snapshot even while it is
  written;
- the embedded index as of one commit: its meta.json, then the segment files that commit lists
  (segments are never changed once written; a merge that deletes one mid-copy makes the copy
  start again);
- the catalog, run logs, import files and spool as they are;
- with `--with-caches`, the translation cache and translation packages too (they only save work).
A MANIFEST.json lists every file with its SHA-256.

The index and the document store are snapshotted a moment apart, so a commit landing between the
two can leave the index a few documents ahead. Restore therefore compares them and rebuilds the
index from the document store, which is the truth about documents, when they differ.

A scheduler database outside the data directory (PostgreSQL) is not included: back it up with
pg_dump. An Elasticsearch index is backed up with the cluster's snapshots (README: "Backup").
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from config import DataDir, Settings
from indexer.backends.embedded import INDEX_DIR, STORE_FILE
from operations.app import App

MANIFEST = "MANIFEST.json"
FORMAT = 1
# Never backed up: lock files and counters that mean nothing after a restore, SQLite's journals
# (the online backup has their content), and indexes set aside as damaged.
INDEX_ATTEMPTS = 5


class BackupError(RuntimeError):
    """A backup that cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    files: int
    bytes: int
    documents: int | None


@dataclass(frozen=True, slots=True)
class RestoreReport:
    files: int
    documents: int | None
    rebuilt_index: bool
    created_at: str
    elasticsearch: dict[str, Any] | None  # the cluster snapshot taken with the backup, if any


def backup(data_dir: Path, target: Path, with_caches: bool = False,
           elasticsearch: dict[str, Any] | None = None) -> BackupReport:
    """Write a backup of `data_dir` to `target` (replaced atomically when complete);
    `elasticsearch` names the cluster snapshot taken with it, for restore to bring back."""
    if not data_dir.is_dir() and elasticsearch is None:
        raise BackupError(f"there is no data directory at {data_dir} to back up")
    target = target.resolve()
    if data_dir.is_dir() and target.is_relative_to(data_dir.resolve()):
        raise BackupError(f"write the backup outside the data directory {data_dir}, not into it")
    with tempfile.TemporaryDirectory(prefix="smesearch-backup-") as scratch:
        staging = Path(scratch) / "data"
        staging.mkdir()
        if data_dir.is_dir():
            _stage(data_dir, staging, with_caches)
        files = {str(p.relative_to(staging)): _sha256(p) for p in sorted(staging.rglob("*")) if p.is_file()}
        documents = _stored_documents(staging)
        manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "smesearch": version("sme-market-search"), "documents": documents,
                    "with_caches": with_caches, "files": files, "elasticsearch": elasticsearch}
        partial = target.with_name(f".{target.name}.partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            compressed = target.name.endswith((".gz", ".tgz"))
            with (tarfile.open(partial, "w:gz", compresslevel=6) if compressed else tarfile.open(partial, "w")) \
                    as archive:
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(body), int(time.time())
                archive.addfile(info, io.BytesIO(body))
                for name in files:
                    archive.add(staging / name, arcname=f"data/{name}", recursive=False)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"could not write {target} ({exc.strerror}); is the disk full?") from None
    return BackupReport(target, len(files), target.stat().st_size, documents)


def restore(archive_path: Path, data_dir: Path) -> RestoreReport:
    """Unpack a backup into `data_dir`, which must be empty or absent, checking every file."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty: restore goes into an empty data directory "
                          "(move this one away, or give --data-dir another)")
    try:
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive_path} is not a smesearch backup ({exc})") from None
    with archive, tempfile.TemporaryDirectory(prefix="smesearch-restore-", dir=_parent(data_dir)) as scratch:
        try:
            manifest = json.loads(_read_member(archive, MANIFEST))
            archive.extractall(scratch, filter="data")  # no absolute paths, links out or devices
        except (KeyError, ValueError, tarfile.TarError, OSError) as exc:
            raise BackupError(f"{archive_path} is not a complete smesearch backup ({exc})") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive_path} is a backup of format {manifest.get('format')}; "
                              f"this version restores format {FORMAT}")
        unpacked = Path(scratch) / "data"
        for name, digest in manifest["files"].items():
            path = unpacked / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"{archive_path} is damaged: {name} is missing or does not match its checksum")
        data_dir.mkdir(parents=True, exist_ok=True)
        for entry in unpacked.iterdir() if unpacked.is_dir() else ():  # no files: an Elasticsearch-only backup
            shutil.move(str(entry), data_dir / entry.name)
    rebuilt = _reconcile_index(data_dir)
    return RestoreReport(len(manifest["files"]), manifest.get("documents"), rebuilt, manifest["created_at"],
                         manifest.get("elasticsearch"))


# -- staging ------------------------------------------------------------------------------------

def _stage(data_dir: Path, staging: Path, with_caches: bool) -> None:
    layout = DataDir(data_dir)
    index_parent = layout.embedded_index
    skipped = layout.never_backed_up() + (() if with_caches else layout.caches())
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or any(path.is_relative_to(s) for s in skipped):
            continue
        if path.name.endswith(("-wal", "-shm", "-journal", ".lock", ".partial")):
            continue
        if path.is_relative_to(index_parent) and path.relative_to(index_parent).parts[0].startswith(
                ("tantivy", "damaged-")):
            continue  # the index is copied as of one commit below
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".sqlite":
            _copy_sqlite(path, destination)
        else:
            try:
                shutil.copy2(path, destination)
            except FileNotFoundError:
                continue  # removed meanwhile (a run log rotated, a spool file indexed)
    for index in sorted(index_parent.glob("tantivy-*")) if index_parent.is_dir() else []:
        if index.is_dir():
            _copy_index(index, staging / index.relative_to(data_dir))


def _copy_sqlite(source: Path, destination: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src, \
                closing(sqlite3.connect(destination)) as dst:
            src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} cannot be read ({exc}): it is damaged; an older backup is the way back") from None


def _copy_index(index: Path, destination: Path) -> None:
    """The index as of the commit its meta.json names: that file, then the segments it lists."""
    for _ in range(INDEX_ATTEMPTS):
        shutil.rmtree(destination, ignore_errors=True)
        destination.mkdir(parents=True)
        try:
            meta = (index / "meta.json").read_bytes()
            segments = [s["segment_id"].replace("-", "") for s in json.loads(meta)["segments"]]
            for segment in segments:
                for file in index.glob(f"{segment}.*"):
                    shutil.copy2(file, destination / file.name)
            (destination / "meta.json").write_bytes(meta)
            return
        except FileNotFoundError:
            time.sleep(0.2)  # a merge retired a segment of that commit mid-copy: copy the next commit
        except (ValueError, KeyError) as exc:
            raise BackupError(f"the index at {index} cannot be read ({exc}): run `smesearch reindex` first") from None
    raise BackupError(f"the index at {index} changed {INDEX_ATTEMPTS} times during the backup; try again")


# -- restoring ----------------------------------------------------------------------------------

def _reconcile_index(data_dir: Path) -> bool:
    """Rebuild the embedded index from the restored document store when the two disagree (a
    commit between their snapshots, or an index left out); True when it was rebuilt."""
    embedded = DataDir(data_dir).embedded_index
    if not (embedded / STORE_FILE).exists():
        return False
    stored = _stored_documents(data_dir)
    indexed = _indexed_documents(embedded / INDEX_DIR)
    if indexed == stored:
        return False
    shutil.rmtree(embedded / INDEX_DIR, ignore_errors=True)
    app = App(Settings(data_dir=data_dir))
    try:
        app.backend.reindex(lambda documents: app.indexer.prepare_many(documents, app.settings.index_workers))
    finally:
        app.close()
    return True


def _indexed_documents(index: Path) -> int | None:
    if not (index / "meta.json").exists():
        return None
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    return sum(int(s["max_doc"]) - int((s.get("deletes") or {}).get("num_deleted_docs", 0))
               for s in meta["segments"])


def _stored_documents(root: Path) -> int | None:
    store = DataDir(root).embedded_index / STORE_FILE
    if not store.exists():
        return None
    with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])


# -- helpers ------------------------------------------------------------------------------------

def _read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def _parent(data_dir: Path) -> Path:
    parent = data_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent  # unpack beside the target, so that the final moves are renames on one disk


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

