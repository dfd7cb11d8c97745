"""One crawl of a source at a time, however it was started (`smesearch crawl`, the demo, the
scheduler, the operator API's "run now"): every one of them ends in `crawler.run`, which holds
this lock from before it records a run until the run is recorded as finished.

A POSIX lock (`lockf`) on a file per source in the data directory: the kernel drops it when the
holding process dies, however it dies, so a killed crawl never leaves a source locked, and
forked analysis workers do not inherit it. The file keeps the holder's pid and start time for
the message the second caller gets.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

# `python -m crawler.run` exits with this when the source is being crawled already (EX_TEMPFAIL:
# nothing went wrong, try later); the CLI passes it on, and the scheduler records "skipped".
EXIT_SOURCE_BUSY = 75


class SourceBusy(RuntimeError):
    """Another process is crawling the source; the message names it."""


@contextlib.contextmanager
def source_run_lock(directory: Path, source_id: str) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"crawl-{source_id}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SourceBusy(f"source {source_id} is being crawled already ({_holder(path)}); "
                             "this run did not start: try again when that one ends") from None
        with contextlib.suppress(OSError):  # only for the message; a full disk must not stop the run here
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")})
                      .encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "by another process"
    # Reading the file opened and closed a second descriptor: harmless here, since this process
    # does not hold the lock (closing any descriptor of a file drops this process's POSIX locks).
    return f"by process {holder.get('pid', '?')} since {holder.get('since', '?')}"
