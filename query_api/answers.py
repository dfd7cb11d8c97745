"""Search answers kept for reuse, as sent: in each worker for a few seconds, and for the popular
queries in a file every worker of the server reads, until the index changes.

Portal traffic repeats (the same top queries, the same page reloaded). A worker keeps what it
answered for `search_cache_s`; the answers to the search log's 100 most frequent queries are also
written to `DATA_DIR/cache/answers.sqlite`, so the other workers, and this one after its few
seconds, answer them without searching. Both are keyed by the index's commit stamp
(`Backend.generation`): a commit makes every kept answer unreachable at once, so an answer is
never older than the index. A backend that has no cheap stamp (Elasticsearch) gets the
per-worker cache only.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cachetools import TTLCache

from indexer.sqlite_readers import ThreadConnections

log = logging.getLogger("smesearch.api")
POPULAR_QUERIES = 100  # of the search log's last 7 days
POPULAR_REFRESH_S = 60.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, generation TEXT NOT NULL, body BLOB NOT NULL,
                                    total INTEGER NOT NULL, took_ms REAL NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes  # the JSON sent
    total: int  # for the search log
    took_ms: float


class AnswerCache:
    def __init__(self, path: Path, ttl_s: float, entries: int, generation: Callable[[], str],
                 popular: Callable[[], list[str]] | None) -> None:
        """`generation`: the index's commit stamp; `popular`: the most frequent queries (the
        search log's), or None to share no answer between workers."""
        self._local: TTLCache[tuple[str, tuple[object, ...]], Answer] | None = (
            TTLCache(entries, ttl_s) if ttl_s > 0 else None)
        self._lock = threading.Lock()
        self._path = path
        self._generation = generation
        self._popular_of = popular
        self._popular: frozenset[str] = frozenset()
        self._popular_at = float("-inf")
        self._refreshing = False
        self._seen_generation = ""
        # One connection per request thread, opened (and the schema run) once, as the document
        # store's readers are: opening one per search was what made the search log costly.
        self._connections = ThreadConnections(self._connect)

    def get(self, query: str, key: tuple[object, ...]) -> Answer | None:
        if self._local is None:
            return None
        generation = self._generation()
        with self._lock:
            found = self._local.get((generation, key))
        if found is not None or not generation or not self._is_popular(query):
            return found
        found = self._read_shared(generation, key)
        if found is not None:
            with self._lock:
                self._local[(generation, key)] = found
        return found

    def put(self, query: str, key: tuple[object, ...], answer: Answer, generation: str) -> None:
        """`generation` is the stamp read before the search, so that an answer found while a
        commit landed is filed under the older stamp and never served as the newer index's."""
        if self._local is None:
            return
        with self._lock:
            self._local[(generation, key)] = answer
        if generation and self._is_popular(query):
            self._write_shared(generation, key, answer)

    def generation(self) -> str:
        return self._generation()

    def _is_popular(self, query: str) -> bool:
        if self._popular_of is None:
            return False
        if self._popular_at == float("-inf"):
            self._refresh_popular()  # the worker's first search waits for the list once
        elif time.monotonic() - self._popular_at > POPULAR_REFRESH_S and not self._refreshing:
            self._refreshing = True  # one refresh at a time, off the request's path
            threading.Thread(target=self._refresh_popular, name="popular-queries", daemon=True).start()
        return " ".join(query.split()) in self._popular

    def _refresh_popular(self) -> None:
        try:
            assert self._popular_of is not None
            self._popular = frozenset(self._popular_of())
        except (sqlite3.Error, OSError) as exc:  # no sharing until the log reads again; searches go on
            log.warning("the popular queries could not be read from the search log: %s", exc)
        finally:
            self._popular_at = time.monotonic()
            self._refreshing = False

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # Another thread closes it once the request thread that opened it is retired (ThreadConnections);
        # with the default check, that close failed and the next search of a new thread logged a warning.
        db = sqlite3.connect(self._path, timeout=1, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # a cache: a lost write is only a search done again
        db.executescript(_SCHEMA)
        return db

    def _read_shared(self, generation: str, key: tuple[object, ...]) -> Answer | None:
        try:
            with self._connections.get() as db:
                row = db.execute("SELECT body, total, took_ms FROM answers WHERE key = ? AND generation = ?",
                                 (_digest(key), generation)).fetchone()
        except sqlite3.Error as exc:  # a damaged or locked cache is only slower searches
            log.warning("the shared answer cache could not be read: %s", exc)
            return None
        return Answer(bytes(row[0]), int(row[1]), float(row[2])) if row else None

    def _write_shared(self, generation: str, key: tuple[object, ...], answer: Answer) -> None:
        try:
            with self._connections.get() as db:
                if generation != self._seen_generation:
                    db.execute("DELETE FROM answers WHERE generation != ?", (generation,))  # an older index's
                    self._seen_generation = generation
                db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                           (_digest(key), generation, answer.body, answer.total, answer.took_ms))
        except sqlite3.Error as exc:
            log.warning("the shared answer cache could not be written: %s", exc)


def _digest(key: tuple[object, ...]) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()
