"""What every command shares: exit codes, the settings handed to child processes, failures as sentences."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from config.settings import Settings
from crawler.catalog import Catalog, Source
from crawler.catalog_edit import effective_catalog
from operations.app import App
from operations.service import OperationFailed, Operations

EXIT_BAD_INPUT = 1
EXIT_BAD_QUERY = 2
EXIT_BACKEND = 3
EXIT_CRAWL_FAILED = 4


def export_settings(settings: Settings) -> None:
    """Processes this command starts (analysis workers, crawls, API workers) read their settings
    from the environment: give them this command's."""
    environment = settings.child_environment()
    os.environ.clear()
    os.environ.update(environment)


def open_app(ctx: typer.Context) -> App:
    app = App(ctx.obj)
    ctx.call_on_close(app.close)
    return app


def operations(ctx: typer.Context) -> Operations:
    """The operations service as the CLI uses it: trusted, since whoever runs it holds the machine."""
    return Operations(open_app(ctx), trusted=True)


@contextmanager
def refused() -> Iterator[None]:
    """An operation that cannot be done ends the command with its sentence and exit code 1."""
    try:
        yield
    except OperationFailed as exc:
        raise fail(f"{exc.where}: {exc.message}" if exc.where else exc.message, EXIT_BAD_INPUT) from None


def fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def catalog_path(ctx: typer.Context) -> Path | None:
    return effective_catalog(ctx.obj.catalog, ctx.obj.paths)


def read_catalog(ctx: typer.Context) -> Catalog:
    with refused():
        return operations(ctx).catalog()


def rebuild_if_needed(settings: Settings) -> None:
    """An index left by an earlier version is rebuilt from its stored documents before crawling."""
    app = App(settings)
    try:
        if app.backend.needs_reindex:
            typer.echo("the index was built by an earlier version of smesearch: rebuilding it from its stored "
                       "documents")
            rebuild_index(app)
    finally:
        app.close()


def rebuild_index(app: App, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Every stored document analysed again, in the import's worker processes, into a new index."""
    return app.backend.reindex(lambda documents: app.indexer.prepare_many(documents, app.settings.index_workers),
                               progress=progress)


def schedule_from_catalog(app: App, sources: Iterable[Source]) -> int:
    """Give every enabled source without a schedule the one its catalog entry names."""
    from scheduler.schedules import ScheduleError

    have = {s.source for s in app.schedule_book.schedules()}
    made = 0
    for source in sources:
        if source.enabled and source.id not in have and source.schedule:
            try:
                app.schedule_book.set(source.id, source.schedule, jitter_s=30)
                made += 1
            except ScheduleError as exc:
                typer.echo(f"{source.id}: schedule {source.schedule!r} not set: {exc}", err=True)
    return made
