"""What an operator can do to sources, schedules, runs and keys: one service, so that
`smesearch sources add` and `POST /api/admin/sources` follow the same rules and answer alike."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from crawler.catalog import Catalog, CatalogError, Source, confined_file, load_catalog
from crawler.catalog_edit import (
    SourceExists,
    add_source,
    editable_catalog,
    effective_catalog,
    remove_source,
    replace_source,
    set_enabled,
)
from crawler.kinds import SOURCE_KINDS
from operations.app import App
from operations.operators import Operator, OperatorError, Role
from scheduler.schedules import Schedule, ScheduleError
from scheduler.store import Alert, Run, now

T = TypeVar("T")
ALERT_WINDOW = timedelta(days=7)  # alerts older than this no longer count against a source

PAGE_COUNTS = ("fetched", "new", "updated", "deleted")  # what the console charts per day


class OperationFailed(Exception):
    """An operation that cannot be done; `kind` says which way (the API's status, the CLI's exit)."""

    kind = "invalid"

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where  # the catalog file and line, for people at the machine (not sent by the API)


class NotFound(OperationFailed):
    kind = "not_found"


class Conflict(OperationFailed):
    kind = "conflict"


class Invalid(OperationFailed):
    kind = "invalid"


@dataclass(frozen=True, slots=True)
class SourceView:
    """A source with what operators want beside it: its schedule, documents, last run and alerts."""

    source: Source
    schedule: Schedule | None
    documents: int
    last_run: Run | None
    alerts: int


class Operations:
    """Sources (the catalog file), schedules and runs (the scheduler's store) and operator keys.

    `trusted` callers (the CLI, run by whoever holds the machine) may let a source reach private
    addresses and name files anywhere; the API may not: those stay decisions of the catalog's owner.
    """

    def __init__(self, app: App, trusted: bool) -> None:
        self.app = app
        self.settings = app.settings
        self.trusted = trusted

    # -- sources -----------------------------------------------------------------------------

    def catalog(self) -> Catalog:
        return _checked(lambda: load_catalog(effective_catalog(self.settings.catalog, self.settings.paths)))

    def sources(self) -> tuple[Source, ...]:
        return self.catalog().sources

    def source(self, source_id: str) -> Source:
        for source in self.sources():
            if source.id == source_id:
                return source
        raise NotFound(f"no source {source_id!r} in the catalog")

    def add_source(self, fields: dict[str, Any]) -> Source:
        entry = self._admissible(fields, None)
        path = editable_catalog(self.settings.catalog, self.settings.paths)
        return _checked(lambda: add_source(path, entry))

    def replace_source(self, source_id: str, fields: dict[str, Any]) -> Source:
        existing = self.source(source_id)
        if fields.get("id", source_id) != source_id:
            raise Invalid("id: a source's id cannot change (add a new source instead)")
        entry = self._admissible(fields, existing)
        path = editable_catalog(self.settings.catalog, self.settings.paths)
        return _checked(lambda: replace_source(path, source_id, entry))

    def remove_source(self, source_id: str) -> None:
        """Remove a source and its schedule; its documents stay in the index."""
        self.source(source_id)
        path = editable_catalog(self.settings.catalog, self.settings.paths)
        _checked(lambda: remove_source(path, source_id))
        with contextlib.suppress(ScheduleError):
            self.app.schedule_book.remove(source_id)

    def set_enabled(self, source_id: str, enabled: bool) -> Source:
        path = editable_catalog(self.settings.catalog, self.settings.paths)
        _checked(lambda: set_enabled(path, source_id, enabled))
        return self.source(source_id)

    def overview(self, sources: Iterable[Source]) -> list[SourceView]:
        schedules = {s.source: s for s in self.app.schedule_book.schedules()}
        documents = self.app.search.stats().by_source
        last: dict[str, Run] = {}
        for run in self.app.run_store.find(limit=500):
            last.setdefault(run.source, run)
        since = now() - ALERT_WINDOW
        alerted: dict[str, int] = defaultdict(int)
        for alert in self.app.run_store.alerts(limit=500):
            if alert.created_at >= since:
                alerted[alert.source] += 1
        return [SourceView(s, schedules.get(s.id), documents.get(s.id, 0), last.get(s.id), alerted.get(s.id, 0))
                for s in sources]

    def _admissible(self, fields: dict[str, Any], existing: Source | None) -> dict[str, Any]:
        """The entry as the catalog will hold it."""
        entry = dict(fields)
        kind = SOURCE_KINDS.get(str(entry.get("kind", "site")))
        if self.trusted:
            return entry
        if entry.pop("allow_private", False) and not (existing and existing.allow_private):
            raise Invalid("allow_private: only the catalog file or `smesearch sources add --allow-private` can let "
                          "the crawler reach private addresses")
        if existing and existing.allow_private:
            entry["allow_private"] = True
        if kind is not None and not kind.web:  # a file on this machine: only under the import directory
            directory = self.settings.file_sources_dir
            entry["start_urls"] = [str(_confined(url, directory)) for url in entry.get("start_urls", [])]
        return entry

    # -- schedules ---------------------------------------------------------------------------

    def schedules(self) -> list[Schedule]:
        return self.app.schedule_book.schedules()

    def set_schedule(self, source_id: str, expression: str, jitter_s: int = 0) -> Schedule:
        self.source(source_id)
        try:
            return self.app.schedule_book.set(source_id, expression, jitter_s)
        except ScheduleError as exc:
            raise Invalid(str(exc)) from None

    def pause_schedule(self, source_id: str) -> Schedule:
        return _scheduled(lambda: self.app.schedule_book.pause(source_id))

    def resume_schedule(self, source_id: str) -> Schedule:
        return _scheduled(lambda: self.app.schedule_book.resume(source_id))

    def remove_schedule(self, source_id: str) -> None:
        _scheduled(lambda: self.app.schedule_book.remove(source_id))

    # -- runs --------------------------------------------------------------------------------

    def runs(self, source: str | None = None, status: str | None = None, limit: int = 50) -> list[Run]:
        return self.app.run_store.find(source, status, limit)

    def run(self, run_id: int) -> Run:
        found = self.app.run_store.get(run_id)
        if found is None:
            raise NotFound(f"no run {run_id}")
        return found

    def queue_run(self, source_id: str, owner: str | None = None) -> Run:
        """A run of the source, queued: a running scheduler starts it within seconds."""
        self.source(source_id)
        return self.app.run_store.enqueue(source_id, owner=owner)

    def cancel_run(self, run_id: int) -> Run:
        found = self.app.run_store.request_cancel(run_id)
        if found is None:
            raise NotFound(f"no run {run_id}")
        return found

    def alerts(self, source: str | None = None, limit: int = 50) -> list[Alert]:
        return self.app.run_store.alerts(source, limit)

    def pages_per_day(self, days: int) -> dict[tuple[date, str], dict[str, int]]:
        """Pages fetched, new, updated and deleted per day and source group, from the runs that
        succeeded (whichever way they started)."""
        groups = {s.id: s.group for s in self.sources()}
        since = now() - timedelta(days=days)
        totals: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(PAGE_COUNTS, 0))
        for r in self.app.run_store.find(limit=10_000):
            if r.status == "succeeded" and r.ended_at and r.ended_at >= since:
                day = totals[(r.ended_at.date(), groups.get(r.source, "other"))]
                for name in PAGE_COUNTS:
                    day[name] += int(r.counters.get(name, 0) or 0)
        return dict(sorted(totals.items()))

    # -- operator keys -----------------------------------------------------------------------

    def add_operator(self, name: str, role: Role) -> str:
        """A new key for `name`: shown once, stored only as a hash."""
        try:
            return self.app.operators.add(name, role)
        except OperatorError as exc:
            raise Invalid(str(exc)) from None

    def operators(self) -> list[Operator]:
        return self.app.operators.list()

    def remove_operator(self, name: str) -> None:
        if not self.app.operators.remove(name):
            raise NotFound(f"no operator named {name!r}")


def _checked(change: Callable[[], T]) -> T:
    """Catalog edits and reads, with their errors as operation failures."""
    try:
        return change()
    except SourceExists as exc:
        raise Conflict(exc.message) from None
    except KeyError as exc:
        raise NotFound(str(exc.args[0]) if exc.args else "the source was removed meanwhile") from None
    except CatalogError as exc:
        where = f"{exc.path}:{exc.line}" if exc.line is not None else exc.path
        raise Invalid(exc.message if exc.field == "" else f"{exc.field}: {exc.message}", where) from None


def _confined(url: str, directory: Path) -> Path:
    try:
        return confined_file(url, directory)
    except CatalogError as exc:
        raise Invalid(f"{exc.field}: {exc.message}") from None


def _scheduled(change: Callable[[], T]) -> T:
    try:
        return change()
    except ScheduleError as exc:
        raise NotFound(str(exc)) from None
