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
import time
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("smesearch.translation")
# Only these say the file itself is damaged. "database is locked" is another process creating the
# file or switching it to WAL at the same moment: setting the file aside then broke the caches of
# the processes still writing to it (8 processes opening a new cache at once: 4 runs in 30).
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
OPEN_ATTEMPTS = 5


class TranslationCache:
    """A damaged cache file is set aside and started afresh (it only saves work), and a read that
    fails is a miss: translation never stops for its cache."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        for attempt in range(OPEN_ATTEMPTS):
            try:
                self._db = self._open(self.path)
                return
            except sqlite3.DatabaseError as exc:
                if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _DAMAGED:
                    self._db = self._set_aside(exc)
                    return
                if attempt + 1 == OPEN_ATTEMPTS:
                    log.warning("translation cache %s cannot be opened (%s): this process keeps its translations "
                                "in memory", path, exc)
                    self._db = self._open(Path(":memory:"))
                    return
                time.sleep(0.05 * (attempt + 1))

    def _set_aside(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        path = self.path
        aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
        log.warning("translation cache %s is damaged (%s): set aside as %s, starting an empty one",
                    path, exc, aside.name)
        path.rename(aside)
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
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
