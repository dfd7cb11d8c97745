"""A persistent translation cache: no text is translated twice by the same engine.

Re-crawls see mostly unchanged titles, and neural translation costs tens of milliseconds a
sentence, so every translation is kept in SQLite under the data directory, keyed by engine,
language pair and a hash of the text. Several processes (crawl workers, the API) share it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("smesearch.translation")


class TranslationCache:
    """A damaged cache file is set aside and started afresh (it only saves work), and a read that
    fails is a miss: translation never stops for its cache."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
            log.warning("translation cache %s is damaged (%s): set aside as %s, starting an empty one",
                        path, exc, aside.name)
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS translation (key BLOB PRIMARY KEY, text TEXT NOT NULL) "
                       "WITHOUT ROWID")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def key(engine: str, source: str, target: str, text: str) -> bytes:
        return hashlib.blake2b(f"{engine}\x1f{source}\x1f{target}\x1f{text}".encode(), digest_size=20).digest()

    def get(self, engine: str, source: str, target: str, text: str) -> str | None:
        try:
            with self._lock:
                row = self._db.execute("SELECT text FROM translation WHERE key = ?",
                                       (self.key(engine, source, target, text),)).fetchone()
        except sqlite3.DatabaseError as exc:  # damaged pages: translate again instead
            log.warning("translation cache %s not read: %s", self.path, exc)
            return None
        return None if row is None else str(row[0])

    def put(self, engine: str, source: str, target: str, text: str, translated: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO translation VALUES (?, ?)",
                             (self.key(engine, source, target, text), translated))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM translation").fetchone()[0])

    def close(self) -> None:
        self._db.close()
