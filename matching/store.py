"""Listings on disk: one SQLite file in the data directory, beside the document store."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from matching.listing import Listing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS listing (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    service TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    company TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    categories TEXT NOT NULL,
    region TEXT NOT NULL,
    country TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    owner_token_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS listing_expiry ON listing (expires_at);
CREATE INDEX IF NOT EXISTS listing_email ON listing (contact_email, created_at);
"""
_COLUMNS = ("id", "kind", "service", "title", "description", "company", "contact_email", "categories", "region",
            "country", "lang", "created_at", "expires_at", "hidden")


@contextmanager
def listings_db(path: Path, schema: str = "") -> Iterator[sqlite3.Connection]:
    """One transaction on the listings database (listings, the outbox, alerts). A connection per
    call: listings are written a few times a minute at most, and API workers are threads and
    processes that must not share one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        with db:
            if schema:
                db.executescript(schema)
            yield db


class ListingStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        with listings_db(path, _SCHEMA):
            pass

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return listings_db(self.path)

    def add(self, listing: Listing, owner_token_hash: str) -> None:
        with self._db() as db:
            db.execute(f"INSERT INTO listing ({', '.join(_COLUMNS)}, owner_token_hash) VALUES "
                       f"({', '.join('?' * (len(_COLUMNS) + 1))})", (*_row(listing), owner_token_hash))

    def get(self, listing_id: str) -> Listing | None:
        with self._db() as db:
            row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM listing WHERE id = ?", (listing_id,)).fetchone()
        return _listing(row) if row else None

    def get_many(self, listing_ids: list[str]) -> dict[str, Listing]:
        """Several listings in one read (a match request looks up every candidate listing)."""
        if not listing_ids:
            return {}
        with self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM listing WHERE id IN "
                              f"({', '.join('?' * len(listing_ids))})", listing_ids).fetchall()
        return {str(row[0]): _listing(row) for row in rows}

    def owner_token_hash(self, listing_id: str) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT owner_token_hash FROM listing WHERE id = ?", (listing_id,)).fetchone()
        return str(row[0]) if row else None

    def update(self, listing: Listing) -> None:
        with self._db() as db:
            db.execute(f"UPDATE listing SET {', '.join(f'{c} = ?' for c in _COLUMNS[1:])} WHERE id = ?",
                       (*_row(listing)[1:], listing.id))

    def delete(self, listing_id: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM listing WHERE id = ?", (listing_id,)).rowcount > 0

    def all(self) -> list[Listing]:
        with self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM listing ORDER BY created_at").fetchall()
        return [_listing(row) for row in rows]

    def expired_before(self, moment: datetime) -> list[Listing]:
        with self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM listing WHERE expires_at < ?",
                              (moment.isoformat(),)).fetchall()
        return [_listing(row) for row in rows]

    def posted_since(self, email: str, moment: datetime) -> list[Listing]:
        with self._db() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM listing WHERE contact_email = ? AND created_at >= ?",
                              (email, moment.isoformat())).fetchall()
        return [_listing(row) for row in rows]


def _row(listing: Listing) -> tuple[object, ...]:
    return (listing.id, listing.kind, listing.service, listing.title, listing.description, listing.company,
            listing.contact_email, json.dumps(listing.categories), listing.region, listing.country, listing.lang,
            listing.created_at.astimezone(UTC).isoformat(), listing.expires_at.astimezone(UTC).isoformat(),
            int(listing.hidden))


def _listing(row: tuple[object, ...]) -> Listing:
    (id_, kind, service, title, description, company, email, categories, region, country, lang, created, expires,
     hidden) = row
    return Listing(str(id_), str(kind), str(service), str(title), str(description), str(company), str(email),
                   list(json.loads(str(categories))), str(region), str(country), str(lang),
                   datetime.fromisoformat(str(created)), datetime.fromisoformat(str(expires)), bool(hidden))
