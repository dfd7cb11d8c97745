"""Rate-limit counters that every API worker shares: a `limits` storage in one SQLite file of the
data directory, so that a client gets the configured rate whatever the number of workers
(per-worker memory gave N workers N times the rate). A Redis URL (or any storage the `limits`
library knows) takes its place on a cluster of API hosts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

# Expired counters are deleted every this many increments, so the file stays the size of the
# clients seen in one window.
PURGE_EVERY = 5000


class SQLiteStorage(Storage):
    """Fixed-window counters in SQLite: one UPSERT per hit, atomic across processes. A hit costs
    tens of microseconds against 10-15 ms for a search (bench/ratelimit.py, docs/BENCHMARKS.md)."""

    STORAGE_SCHEME = ["smesearch+sqlite"]  # noqa: RUF012 (the limits library declares it a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        path = Path((uri or "").removeprefix("smesearch+sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")  # counters may be lost in a power cut, not corrupted
        self._db.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, hits INTEGER NOT NULL,"
                         " expires_at REAL NOT NULL)")
        self._lock = threading.Lock()
        self._since_purge = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            row = self._db.execute(
                "INSERT INTO counters VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " hits = CASE WHEN expires_at <= ?4 THEN excluded.hits ELSE hits + excluded.hits END,"
                " expires_at = CASE WHEN expires_at <= ?4 THEN excluded.expires_at ELSE expires_at END"
                " RETURNING hits", (key, amount, now + expiry, now)).fetchone()
            self._since_purge += 1
            if self._since_purge >= PURGE_EVERY:
                self._since_purge = 0
                self._db.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT hits FROM counters WHERE key = ? AND expires_at > ?",
                                   (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        with self._lock:
            row = self._db.execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1").fetchone() is not None

    def reset(self) -> int | None:
        with self._lock:
            return self._db.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM counters WHERE key = ?", (key,))


def open_limiter(storage_url: str, file: Path) -> RateLimiter:
    """The limiter for `SMESEARCH_RATE_LIMIT_STORAGE`: empty for the SQLite `file`,
    else a `limits` storage URL (redis://host:6379, memory:// for one process only)."""
    storage = storage_from_string(storage_url or f"smesearch+sqlite://{file.resolve()}")
    if isinstance(storage, MovingWindowSupport):
        return MovingWindowRateLimiter(storage)
    return FixedWindowRateLimiter(storage)
