"""The search log: what was asked and how it went, for operators' analytics.

It records the query, its mode and filters, the hit count and the latency, and nothing about
who asked (no address, no user agent, no cookie). The seed's pilot judged success by how much
the network was used; this is how we count. Entries are queued and written by a thread of their
own, in one transaction for whatever queued up meanwhile, so logging costs a search almost nothing; a killed
process loses the entries not yet written, and a full disk loses analytics (counted in
/metrics as smesearch_search_log_dropped_total), never a search.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger("smesearch.api")

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
FLUSH_ENTRIES = 200
# After the first entry of a batch the writer waits this long for more before writing: a writer
# woken for every search took the GIL from the searches once each and wrote one transaction each
# (12% of a loaded worker's samples in py-spy at 100,000 documents, 8 connections).
BATCH_WAIT_S = 0.2
MAX_PENDING = 10_000  # entries waiting to be written; more are dropped (and counted)
WARN_EVERY_SECONDS = 60.0
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


QUERY_OPERATORS = frozenset({"AND", "OR", "NOT"})  # upper case only: `a OR b` is not `a or b`


def counting_key(query: str) -> str:
    """The form under which searches are counted together: case folded, except the operators."""
    return " ".join(w if w in QUERY_OPERATORS else w.casefold() for w in query.split())


def most_searched(rows: Iterable[tuple[str, int, str]], limit: int) -> list[tuple[str, int]]:
    """(query as typed, searches, first searched at) rows to the `limit` most searched queries,
    counted under `counting_key` and each shown as people typed it most (first typed on a tie)."""
    totals: dict[str, int] = {}
    shown: dict[str, tuple[int, str, str]] = {}  # key -> (searches of the form, first at, form)
    for query, count, first in rows:
        key = counting_key(query)
        totals[key] = totals.get(key, 0) + count
        best = shown.get(key)
        if best is None or count > best[0] or (count == best[0] and first < best[1]):
            shown[key] = (count, first, query)
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(shown[key][2], total) for key, total in ranked]


class SearchLog:
    """Writes entries on a thread of its own: a search never waits for the log's disk, and a log
    that cannot be written (a full disk, a damaged file) loses entries, counted, never searches."""

    def __init__(self, path: Path, on_drop: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.on_drop = on_drop  # told how many entries were lost (the API counts them in /metrics)
        self.dropped = 0
        self._queue: queue.Queue[SearchEntry | None] = queue.Queue(MAX_PENDING)
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()
        self._last_warning = 0.0
        self._db: sqlite3.Connection | None = None  # the writer thread's own

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        return db

    def record(self, query: str, mode: str, filters: Mapping[str, object], hits: int, took_ms: float) -> None:
        entry = SearchEntry(" ".join(query.split())[:MAX_QUERY_CHARS], mode, dict(filters), hits, took_ms,
                            datetime.now(UTC))
        self._ensure_writer()
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self._drop(1, "the search log is falling behind")

    def _ensure_writer(self) -> None:
        if self._writer is None:
            with self._start:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_loop, name="search-log", daemon=True)
                    self._writer.start()

    def _write_loop(self) -> None:
        """Write whatever has queued up within BATCH_WAIT_S of the first entry, in one transaction.

        The thread keeps its connection: opening one per batch (and running the schema) took a
        sixth of a loaded server's samples beside the searches themselves (py-spy, 100,000
        documents, 8 connections). A failed write closes it, and the next batch opens it again."""
        stop = False
        while not stop:
            batch: list[SearchEntry] = []
            item = self._queue.get()
            if item is not None:
                time.sleep(BATCH_WAIT_S)
            while True:
                if item is None:
                    stop = True
                    break
                batch.append(item)
                if len(batch) >= FLUSH_ENTRIES:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            self._write(batch)
            for _ in range(len(batch) + stop):
                self._queue.task_done()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _write(self, entries: list[SearchEntry]) -> None:
        if not entries:
            return
        rows = [(e.at.isoformat(), e.query, e.mode, json.dumps(e.filters, ensure_ascii=False, default=str),
                 e.hits, e.took_ms) for e in entries]
        try:
            if self._db is None:
                self._db = self._connect()
                self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: survives a crash, not a power cut
            with self._db:
                self._db.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?)", rows)
        except (sqlite3.Error, OSError) as exc:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._drop(len(entries), f"the search log cannot be written ({exc})")

    def _drop(self, count: int, why: str) -> None:
        self.dropped += count
        if self.on_drop is not None:
            self.on_drop(count)
        if time.monotonic() - self._last_warning > WARN_EVERY_SECONDS:
            self._last_warning = time.monotonic()
            log.warning("%s: %d analytics entries lost so far; searches are not affected", why, self.dropped)

    def flush(self) -> None:
        """Wait until every entry recorded so far is written (or counted as lost)."""
        if self._writer is not None:
            self._queue.join()

    def analytics(self, days: int = 30, limit: int = 20) -> Analytics:
        self.flush()
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        with closing(self._connect()) as db:
            searches, zero = db.execute(
                "SELECT count(*), coalesce(sum(hits = 0), 0) FROM searches WHERE at >= ?", (since,)).fetchone()
            took = [r[0] for r in db.execute("SELECT took_ms FROM searches WHERE at >= ? ORDER BY took_ms",
                                             (since,))]
            typed = "SELECT query, count(*), min(at) FROM searches WHERE at >= ?{} GROUP BY query"
            top = most_searched(db.execute(typed.format(""), (since,)), limit)
            zero_hit = most_searched(db.execute(typed.format(" AND hits = 0"), (since,)), limit)
            per_day = db.execute("SELECT substr(at, 1, 10) d, count(*) FROM searches WHERE at >= ? GROUP BY d "
                                 "ORDER BY d", (since,)).fetchall()
        return Analytics(days, searches, zero, took[len(took) // 2] if took else None,
                         top, zero_hit, [tuple(r) for r in per_day])

    def top_queries(self, days: int = 7, limit: int = 100) -> list[str]:
        """The most searched queries, as `record` stored them (whitespace folded), most first."""
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            return [q for q, _ in db.execute("SELECT query, count(*) n FROM searches WHERE at >= ? GROUP BY query "
                                             "ORDER BY n DESC, query LIMIT ?", (since, limit))]

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=10)
            self._writer = None
