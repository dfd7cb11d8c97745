"""Batches the index refused, kept on disk until it takes them.

When the index is unreachable in the middle of a crawl (an Elasticsearch node restarting, a
network partition), the crawl keeps going: each analysed batch is written here instead, and the
next write that succeeds (later in the run, or the next run of the source) sends the spooled
batches first. Files are our own pickles of analysed documents in the data directory, written to
a temporary name and renamed, so a killed process never leaves half a batch.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

from indexer.backends.base import IndexedDocument, UpsertCounts
from indexer.pipeline import IndexWriter


class Spool:
    def __init__(self, directory: Path, source: str) -> None:
        self.directory = directory / source
        self.sequence = 0

    def pending(self) -> list[Path]:
        return sorted(self.directory.glob("*.batch")) if self.directory.exists() else []

    def put(self, batch: list[IndexedDocument]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sequence += 1
        name = self.directory / f"{time.time_ns():020d}-{os.getpid()}-{self.sequence}.batch"
        temporary = name.with_suffix(".partial")
        with temporary.open("wb") as stream:
            pickle.dump(batch, stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.rename(name)

    def drain(self, writer: IndexWriter) -> UpsertCounts:
        """Send every spooled batch, oldest first; raises the backend's error at the first refusal,
        leaving that batch and the later ones in place."""
        added = updated = unchanged = 0
        for path in self.pending():
            with path.open("rb") as stream:
                batch: list[IndexedDocument] = pickle.load(stream)
            counts = writer.write(batch)
            writer.commit()
            path.unlink()
            added, updated, unchanged = added + counts.added, updated + counts.updated, unchanged + counts.unchanged
        return UpsertCounts(added, updated, unchanged)
