"""A persistent translation cache: no text is translated twice by the same engine.

Re-crawls see mostly unchanged titles, and neural translation costs tens of milliseconds a
sentence, so every translation is kept in SQLite under the data directory, keyed by engine,
language pair and a hash of the text. Several processes (crawl workers, the API) share it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path


class TranslationCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS translation (key BLOB PRIMARY KEY, text TEXT NOT NULL) "
                         "WITHOUT ROWID")

    @staticmethod
    def key(engine: str, source: str, target: str, text: str) -> bytes:
        return hashlib.blake2b(f"{engine}\x1f{source}\x1f{target}\x1f{text}".encode(), digest_size=20).digest()

    def get(self, engine: str, source: str, target: str, text: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT text FROM translation WHERE key = ?",
                                   (self.key(engine, source, target, text),)).fetchone()
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
