"""What the crawler remembers between runs: per page, the validators and hashes that make a re-crawl
incremental; per run, its counters.

One SQLite file in the data directory (`crawl.sqlite`), written only by the crawl process of one
source at a time. The index stays the truth about documents; this is the crawler's notebook, and
it is reset for a source whose documents have vanished from the index (a wiped index must be
crawled in full again, not answered with 304s).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    source TEXT NOT NULL,
    url TEXT NOT NULL,            -- canonical URL of the document (after redirects)
    doc_id TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    simhash TEXT,                 -- 64-bit SimHash of the text, as hex
    duplicate_of TEXT,            -- url of the page this one repeats; NULL when indexed itself
    sitemap_lastmod TEXT,
    links BLOB,                   -- zlib JSON list of outgoing links, replayed on 304
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (source, url)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,         -- running, succeeded, failed
    counters TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_source ON runs (source, id);
"""


@dataclass(slots=True)
class PageState:
    url: str
    doc_id: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    simhash: int | None
    duplicate_of: str | None
    sitemap_lastmod: str | None
    links: list[str]
    fetched_at: datetime


class Validators(NamedTuple):
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    duplicate: bool  # collapsed into another page's document


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    source: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    counters: dict[str, Any]
    error: str | None


class CrawlState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # pages

    def page(self, source: str, url: str) -> PageState | None:
        row = self._db.execute(
            "SELECT url, doc_id, etag, last_modified, content_hash, simhash, duplicate_of, sitemap_lastmod, links,"
            " fetched_at FROM pages WHERE source = ? AND url = ?", (source, url)).fetchone()
        if row is None:
            return None
        return PageState(row[0], row[1], row[2], row[3], row[4], int(row[5], 16) if row[5] else None, row[6],
                         row[7], json.loads(zlib.decompress(row[8])) if row[8] else [],
                         datetime.fromisoformat(row[9]))

    def validators(self, source: str, url: str) -> Validators | None:
        """What every request and response needs of a page, without decoding its stored links."""
        row = self._db.execute("SELECT etag, last_modified, content_hash, duplicate_of IS NOT NULL FROM pages"
                               " WHERE source = ? AND url = ?", (source, url)).fetchone()
        return Validators(row[0], row[1], row[2], bool(row[3])) if row is not None else None

    def save_page(self, source: str, page: PageState) -> None:
        links = zlib.compress(json.dumps(page.links).encode()) if page.links else None
        self._db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source, page.url, page.doc_id, page.etag, page.last_modified, page.content_hash,
             f"{page.simhash:016x}" if page.simhash is not None else None, page.duplicate_of,
             page.sitemap_lastmod, links, page.fetched_at.isoformat()))

    def forget_page(self, source: str, url: str) -> None:
        self._db.execute("DELETE FROM pages WHERE source = ? AND url = ?", (source, url))

    def forget_duplicates_of(self, source: str, url: str) -> int:
        """Forget the pages collapsed into `url`, so the next run fetches and judges them afresh."""
        return self._db.execute("DELETE FROM pages WHERE source = ? AND duplicate_of = ?", (source, url)).rowcount

    def forget_source(self, source: str) -> None:
        self._db.execute("DELETE FROM pages WHERE source = ?", (source,))

    def indexed_simhashes(self, source: str) -> list[tuple[str, int]]:
        """(url, simhash) of the pages of `source` indexed as documents of their own."""
        rows = self._db.execute("SELECT url, simhash FROM pages WHERE source = ? AND duplicate_of IS NULL"
                                " AND simhash IS NOT NULL", (source,))
        return [(url, int(h, 16)) for url, h in rows]

    def indexed_hashes(self, source: str) -> list[tuple[str, str]]:
        """(url, content hash) of the pages of `source` indexed as documents of their own."""
        rows = self._db.execute("SELECT url, content_hash FROM pages WHERE source = ? AND duplicate_of IS NULL"
                                " AND content_hash IS NOT NULL ORDER BY url", (source,))
        return [(url, h) for url, h in rows]

    def page_count(self, source: str) -> int:
        return int(self._db.execute("SELECT count(*) FROM pages WHERE source = ?", (source,)).fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Groups page saves into one commit: a batch, not a page, per disk sync."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # runs

    def start_run(self, source: str) -> int:
        cursor = self._db.execute("INSERT INTO runs (source, started_at, status) VALUES (?, ?, 'running')",
                                  (source, _now()))
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, counters: dict[str, Any], error: str | None = None) -> None:
        self._db.execute("UPDATE runs SET ended_at = ?, status = ?, counters = ?, error = ? WHERE id = ?",
                         (_now(), status, json.dumps(counters, ensure_ascii=False), error, run_id))

    def run(self, run_id: int) -> RunRecord | None:
        row = self._db.execute("SELECT id, source, started_at, ended_at, status, counters, error FROM runs"
                               " WHERE id = ?", (run_id,)).fetchone()
        return _record(row) if row else None

    def runs(self, source: str | None = None, limit: int = 20) -> list[RunRecord]:
        where, args = ("WHERE source = ?", (source,)) if source else ("", ())
        rows = self._db.execute(f"SELECT id, source, started_at, ended_at, status, counters, error FROM runs {where}"
                                " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [_record(r) for r in rows]

    def latest_runs(self, status: str | None = None) -> dict[str, RunRecord]:
        """Each source's most recent run (of that status, when given)."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._db.execute("SELECT id, source, started_at, ended_at, status, counters, error FROM runs "
                                f"WHERE id IN (SELECT max(id) FROM runs {where} GROUP BY source)", args)
        return {r[1]: _record(r) for r in rows}

    def run_counts(self) -> dict[tuple[str, str], int]:
        """How many runs each source has had, by status."""
        rows = self._db.execute("SELECT source, status, count(*) FROM runs GROUP BY source, status")
        return {(r[0], r[1]): int(r[2]) for r in rows}


def _record(r: Any) -> RunRecord:
    return RunRecord(r[0], r[1], datetime.fromisoformat(r[2]), datetime.fromisoformat(r[3]) if r[3] else None, r[4],
                     json.loads(r[5] or "{}"), r[6])


def _now() -> str:
    return datetime.now(UTC).isoformat()
