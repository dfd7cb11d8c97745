"""The `jsonl` kind: documents read from JSON Lines files on this machine."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from crawler.job import CrawlJob, RunFailed
from indexer.document import Document
from indexer.importer import LineErrors, read_jsonl

log = logging.getLogger("smesearch.crawl")


def read_jsonl_files(job: CrawlJob) -> None:
    """Index each JSONL file the source names (the `jsonl` kind's reader)."""
    for location in job.source.start_urls:
        path = Path(location.removeprefix("file://"))
        errors = LineErrors()
        try:
            with _regular_file(path) as stream:
                report = job.engine.indexer.index(_owned(read_jsonl(stream, errors), job.source.id),
                                               batch_size=job.batch_size)
        except OSError as exc:
            raise RunFailed(f"cannot read {path}: {exc.strerror}") from None
        job.counters.fetched += report.added + report.updated + report.unchanged + len(errors.errors)
        job.counters.new += report.added
        job.counters.updated += report.updated
        job.counters.unchanged += report.unchanged
        if errors.errors:
            job.counters.errors["bad_line"] += len(errors.errors)


def _regular_file(path: Path) -> BinaryIO:
    """`path` opened for reading if it is a regular file: a device (/dev/zero) or a pipe would
    never end or would block the run."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RunFailed(f"{path} is not a regular file")
    return os.fdopen(fd, "rb")


def _owned(documents: Iterator[Document], source_id: str) -> Iterator[Document]:
    """Documents a catalog source brings in belong to it (their counts, alerts and deletion go by
    source), whatever the file's rows say."""
    for doc in documents:
        if doc.source != source_id:
            doc.source = source_id
            doc.content_hash = doc.compute_hash()
        yield doc
