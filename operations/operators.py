"""Operator credentials: API keys with a role, stored only as hashes.

A key is 32 random bytes shown once when it is made (`smesearch operators add NAME`). What the
file keeps is its SHA-256: keys carry far more entropy than passwords, so a slow password hash
would add nothing but latency to every admin request. `read` operators see analytics, runs and
stats; `admin` operators may also change sources and schedules.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Role = Literal["read", "admin"]
ROLES: tuple[Role, ...] = ("read", "admin")
KEY_PREFIX = "sme_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operator_keys (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    key_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
"""


class OperatorError(ValueError):
    """A request about operators that cannot be carried out; the message says why."""


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    role: Role
    created_at: datetime

    def may(self, role: Role) -> bool:
        """An admin may do everything a reader may."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class OperatorKeys:
    """The key store in the data directory (operators.sqlite); every call opens it afresh, so
    keys added by the CLI work at once in running API processes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(_SCHEMA)
        return db

    def add(self, name: str, role: Role = "read") -> str:
        """Make a key for a new operator and return it; it cannot be shown again."""
        if not name.strip() or len(name) > 100:
            raise OperatorError("an operator needs a name of 1 to 100 characters")
        if role not in ROLES:
            raise OperatorError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with closing(self._connect()) as db, db:
            try:
                db.execute("INSERT INTO operator_keys VALUES (?, ?, ?, ?)",
                           (name, role, _digest(key), datetime.now(UTC).isoformat()))
            except sqlite3.IntegrityError:
                raise OperatorError(f"an operator named {name!r} exists; remove it first") from None
        return key

    def check(self, key: str) -> Operator | None:
        """The operator a presented key belongs to, or None."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        with closing(self._connect()) as db:
            row = db.execute("SELECT name, role, created_at FROM operator_keys WHERE key_sha256 = ?",
                             (_digest(key),)).fetchone()
        return Operator(row[0], row[1], datetime.fromisoformat(row[2])) if row else None

    def list(self) -> list[Operator]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT name, role, created_at FROM operator_keys ORDER BY name").fetchall()
        return [Operator(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def remove(self, name: str) -> bool:
        with closing(self._connect()) as db, db:
            return db.execute("DELETE FROM operator_keys WHERE name = ?", (name,)).rowcount > 0
