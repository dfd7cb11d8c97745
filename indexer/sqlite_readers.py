"""One SQLite connection per reading thread.

A connection shared by the API's request threads serialises every read on its mutex, and under
load the threads spend more time handing it over than reading (measured in docs/BENCHMARKS.md).
SQLite in WAL mode lets any number of connections read beside one writer, so each thread gets
its own.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable


class ThreadConnections:
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        """`connect` must open with check_same_thread=False: a retired thread's connection is
        closed by the next thread that opens one."""
        self._connect = connect
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []

    def get(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                # Thread pools retire idle threads: close what they left, so file handles stay bounded.
                alive = []
                for thread, opened in self._opened:
                    owner = thread()
                    if owner is not None and owner.is_alive():
                        alive.append((thread, opened))
                    else:
                        opened.close()
                self._opened = [*alive, (weakref.ref(threading.current_thread()), db)]
        return db

    def close(self) -> None:
        """Close every thread's connection (at shutdown, when no thread reads any more)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for _, db in opened:
            db.close()
        self._local = threading.local()

    def __len__(self) -> int:
        """Connections open now."""
        with self._lock:
            return len(self._opened)
