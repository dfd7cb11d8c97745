"""The stored documents and completions of the embedded backend, in SQLite.

The inverted index (tantivy) holds only what matching, filtering and facets need; the
documents themselves live here, where they can be fetched by id, re-indexed from, and
compared by content hash. The index is committed before this store, so after a crash a
document is at worst in the index but not here, and importing it again repairs that.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

from indexer.backends.base import Suggestion
from indexer.document import Document
from indexer.highlight import FoldedText
from indexer.sqlite_readers import ThreadConnections

# doc: the document as zlib-compressed JSON (a third of the size, cheap to read); folded: its
# FoldedText packed by _pack_folded, NULL where it was stored before that was kept.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    site TEXT NOT NULL,
    lang TEXT NOT NULL,
    grp TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    suggestions TEXT NOT NULL,
    doc BLOB NOT NULL,
    folded BLOB
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS suggestions (
    norm TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    weight INTEGER NOT NULL,
    PRIMARY KEY (norm, kind, text)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class DocumentStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        if "folded" not in columns:  # a store from before folded text was kept: its rows read as not folded
            self._db.execute("ALTER TABLE documents ADD COLUMN folded BLOB")
        # Writes go through the one connection above; searches read on their own threads' connections.
        self._readers = ThreadConnections(
            lambda: sqlite3.connect(path, check_same_thread=False, isolation_level=None))

    def close(self) -> None:
        self._readers.close()
        self._db.close()

    def hashes(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id, content_hash FROM documents WHERE id IN ({marks})", chunk)
            found.update(dict(rows.fetchall()))
        return found

    def write(self, documents: list[tuple[Document, list[tuple[str, str, str]], bool, FoldedText | None]]) -> None:
        """Store documents and move completion weights from their old versions to the new ones.

        Each item is (document, its completions as (normalised, kind, text), whether it replaces a
        stored version, its folded text). Weight changes are summed over the batch first: titles of one source
        share most of their words, so this writes a fraction of the rows.
        """
        db = self._db
        deltas: Counter[tuple[str, str, str]] = Counter()
        db.execute("BEGIN")
        try:
            for doc, suggestions, replacing, _ in documents:
                if replacing:
                    old = db.execute("SELECT suggestions FROM documents WHERE id = ?", (doc.id,)).fetchone()
                    if old is not None:
                        deltas.subtract(tuple(row) for row in json.loads(old[0]))
                deltas.update(suggestions)
            db.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(doc.id, doc.url, doc.source, doc.site, doc.lang, doc.group, doc.content_hash,
                  json.dumps(suggestions, ensure_ascii=False), _pack(doc), _pack_folded(folded))
                 for doc, suggestions, _, folded in documents])
            db.executemany(
                "INSERT INTO suggestions VALUES (?, ?, ?, ?) "
                "ON CONFLICT (norm, kind, text) DO UPDATE SET weight = weight + excluded.weight",
                [(*key, delta) for key, delta in deltas.items() if delta])
            if any(replacing for _, _, replacing, _ in documents):
                db.execute("DELETE FROM suggestions WHERE weight <= 0")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last_commit', ?)", (datetime.now(UTC).isoformat(),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite has already rolled back after some errors, a full disk among them
                db.execute("ROLLBACK")
            raise

    def delete(self, where: str, value: str) -> list[str]:
        """Delete documents by id or source; return the ids removed."""
        assert where in ("id", "source")
        db = self._db
        db.execute("BEGIN")
        try:
            rows = db.execute(f"SELECT id, suggestions FROM documents WHERE {where} = ?", (value,)).fetchall()
            for _, suggestions in rows:
                db.executemany(
                    "UPDATE suggestions SET weight = weight - 1 WHERE norm = ? AND kind = ? AND text = ?",
                    json.loads(suggestions))
            db.execute(f"DELETE FROM documents WHERE {where} = ?", (value,))
            db.execute("DELETE FROM suggestions WHERE weight <= 0")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite has already rolled back after some errors, a full disk among them
                db.execute("ROLLBACK")
            raise
        return [r[0] for r in rows]

    def get_many(self, ids: list[str]) -> dict[str, tuple[Document, FoldedText | None]]:
        """Stored documents by id, each with its folded text (None where it was not kept)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._readers.get().execute(f"SELECT id, doc, folded FROM documents WHERE id IN ({marks})",
                                           ids).fetchall()
        # orjson parses a stored document in 7.5 µs against json's 20.5 (2,000 of the benchmark's).
        return {doc_id: (Document.from_stored(orjson.loads(zlib.decompress(doc))), _unpack_folded(folded))
                for doc_id, doc, folded in rows}

    def write_folded(self, folded: list[tuple[str, FoldedText]]) -> None:
        """Keep the folded text of stored documents (a reindex folds them again)."""
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("UPDATE documents SET folded = ? WHERE id = ?",
                           [(_pack_folded(f), doc_id) for doc_id, f in folded])
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        rows = self._readers.get().execute(
            "SELECT text, kind, weight FROM suggestions WHERE norm >= ? AND norm < ? AND weight > 0 "
            "ORDER BY weight DESC, length(text), text LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit * 3),
        ).fetchall()
        seen: set[str] = set()
        out: list[Suggestion] = []
        for text, kind, weight in rows:
            if text in seen:
                continue
            seen.add(text)
            out.append(Suggestion(text, kind, weight))
            if len(out) == limit:
                break
        return out

    def all_documents(self, batch: int = 1000) -> Iterator[Document]:
        """Every stored document, in id order, read a batch at a time (for migrations)."""
        last = ""
        while True:
            rows = self._readers.get().execute("SELECT id, doc FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                                    (last, batch)).fetchall()
            if not rows:
                return
            for doc_id, doc in rows:
                yield Document.from_stored(orjson.loads(zlib.decompress(doc)))
                last = doc_id

    def count(self) -> int:
        return int(self._readers.get().execute("SELECT count(*) FROM documents").fetchone()[0])

    def counts_by(self, column: str) -> dict[str, int]:
        assert column in ("lang", "source", "grp", "site")
        rows = self._readers.get().execute(
            f"SELECT {column}, count(*) FROM documents GROUP BY {column} ORDER BY 2 DESC")
        return dict(rows.fetchall())

    def last_commit(self) -> datetime | None:
        row = self._readers.get().execute("SELECT value FROM meta WHERE key = 'last_commit'").fetchone()
        return datetime.fromisoformat(row[0]) if row else None


def _pack(doc: Document) -> bytes:
    # orjson: 15% of the importing process's Python time was the standard library's encoder here.
    return zlib.compress(orjson.dumps(doc.to_dict()), 1)


def _pack_folded(folded: FoldedText | None) -> bytes | None:
    """Nothing to fold (most pages): an empty value; otherwise the folded texts as compressed JSON."""
    if folded is None:
        return None
    if not folded.title and not folded.body:
        return b""
    return zlib.compress(orjson.dumps([folded.title, folded.body]), 1)


def _unpack_folded(packed: bytes | None) -> FoldedText | None:
    if packed is None:
        return None
    if not packed:
        return FoldedText()
    title, body = orjson.loads(zlib.decompress(packed))
    return FoldedText(tuple((at, run) for at, run in title), tuple((at, run) for at, run in body))
