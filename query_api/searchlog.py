"""The search log: what was asked and how it went, for operators' analytics.

It records the query, its mode and filters, the hit count and the latency, and nothing about
who asked (no address, no user agent, no cookie). The seed's pilot judged success by how much
the network was used; this is how we count. Entries are buffered and written in one transaction
about once a second, so logging costs a search almost nothing; a killed process loses at most
that second of analytics, never a search.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    at TEXT NOT NULL,             -- UTC, ISO 8601
    query TEXT NOT NULL,          -- as typed, whitespace collapsed
    mode TEXT NOT NULL,
    filters TEXT NOT NULL,        -- JSON of the filters in force
    hits INTEGER NOT NULL,
    took_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_by_time ON searches (at);
"""
FLUSH_SECONDS = 1.0
FLUSH_ENTRIES = 200
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True)
class SearchEntry:
    query: str
    mode: str
    filters: dict[str, object]
    hits: int
    took_ms: float
    at: datetime


@dataclass(frozen=True, slots=True)
class Analytics:
    days: int
    searches: int
    zero_hit_searches: int
    median_took_ms: float | None
    top_queries: list[tuple[str, int]]
    zero_hit_queries: list[tuple[str, int]]
    per_day: list[tuple[str, int]]


class SearchLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[SearchEntry] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        return db

    def record(self, query: str, mode: str, filters: Mapping[str, object], hits: int, took_ms: float) -> None:
        entry = SearchEntry(" ".join(query.split())[:MAX_QUERY_CHARS], mode, dict(filters), hits, took_ms,
                            datetime.now(UTC))
        with self._lock:
            self._pending.append(entry)
            due = len(self._pending) >= FLUSH_ENTRIES or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            entries, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        if not entries:
            return
        rows = [(e.at.isoformat(), e.query, e.mode, json.dumps(e.filters, ensure_ascii=False, default=str),
                 e.hits, e.took_ms) for e in entries]
        with closing(self._connect()) as db, db:
            db.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?)", rows)

    def analytics(self, days: int = 30, limit: int = 20) -> Analytics:
        self.flush()
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        with closing(self._connect()) as db:
            searches, zero = db.execute(
                "SELECT count(*), coalesce(sum(hits = 0), 0) FROM searches WHERE at >= ?", (since,)).fetchone()
            took = [r[0] for r in db.execute("SELECT took_ms FROM searches WHERE at >= ? ORDER BY took_ms",
                                             (since,))]
            top = db.execute("SELECT lower(query) q, count(*) n FROM searches WHERE at >= ? GROUP BY q "
                             "ORDER BY n DESC, q LIMIT ?", (since, limit)).fetchall()
            zero_hit = db.execute("SELECT lower(query) q, count(*) n FROM searches WHERE at >= ? AND hits = 0 "
                                  "GROUP BY q ORDER BY n DESC, q LIMIT ?", (since, limit)).fetchall()
            per_day = db.execute("SELECT substr(at, 1, 10) d, count(*) FROM searches WHERE at >= ? GROUP BY d "
                                 "ORDER BY d", (since,)).fetchall()
        return Analytics(days, searches, zero, took[len(took) // 2] if took else None,
                         [tuple(r) for r in top], [tuple(r) for r in zero_hit], [tuple(r) for r in per_day])

    def close(self) -> None:
        self.flush()
