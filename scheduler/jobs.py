"""What APScheduler calls when a schedule fires. Persistent job stores keep a job's function as
an import path, so this is a plain function that builds what it needs from SMESEARCH_* (the
scheduler process sets them)."""

from __future__ import annotations

from config.settings import Settings
from scheduler.service import current_owner
from scheduler.store import RunStore


def scheduled_run(source: str) -> None:
    settings = Settings()
    store = RunStore(settings.scheduler_database_url)
    try:
        from scheduler.runner import execute

        owner = current_owner()
        run = store.enqueue(source, trigger="schedule", owner=owner)
        finished = execute(settings, store, run, owner)
        if finished.status == "queued":
            # Another run of the source is in progress (perhaps in another scheduler): this firing
            # is coalesced into it rather than queued behind it.
            store.finish(run.id, "cancelled", {}, "", "skipped: another run of this source was in progress", None)
    finally:
        store.close()
