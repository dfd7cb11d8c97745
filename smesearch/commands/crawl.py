"""`smesearch crawl`: one process per source, and what each run did."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings
from crawler.catalog import Source
from crawler.runlock import EXIT_SOURCE_BUSY  # every source named was being crawled by another process
from crawler.state import RunRecord
from matching import send_match_digests
from smesearch.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_CRAWL_FAILED,
    catalog_path,
    fail,
    read_catalog,
)

commands = typer.Typer()  # added to `smesearch` at the top level


@commands.command()
def crawl(
    ctx: typer.Context,
    source_ids: Annotated[list[str] | None, typer.Argument(help="ids of the sources to crawl")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="every enabled source of the catalog")] = False,
    scheduled: Annotated[bool, typer.Option("--scheduled", hidden=True,
                                            help="started by the scheduler, which records the run itself")] = False,
) -> None:
    """Crawl sources into the index, one process per source, and print what each run did."""
    catalog = read_catalog(ctx)
    if all_sources == bool(source_ids):
        raise fail("name the sources to crawl, or give --all (not both)", EXIT_BAD_INPUT)
    try:
        sources = list(catalog.enabled) if all_sources else [catalog.get(i) for i in source_ids or []]
    except KeyError as exc:
        raise fail(str(exc.args[0]), EXIT_BAD_INPUT) from None
    failed, busy = crawl_sources(ctx.obj, sources, catalog_path(ctx), None if scheduled else "cli")
    if failed + busy < len(sources):
        report = send_match_digests(ctx.obj)  # new pages may answer someone's alert
        if report is not None and report.alerts:
            typer.echo(f"alerts: {report.alerts} digests with {report.matches} new matches")
    if failed:
        raise fail(f"{failed} of {len(sources)} runs failed", EXIT_CRAWL_FAILED)
    if busy:
        # All that did not run were being crawled by another process: nothing failed, try later.
        raise typer.Exit(EXIT_SOURCE_BUSY)


def crawl_sources(settings: Settings, sources: list[Source], catalog: Path | None,
                  trigger: str | None = "cli") -> tuple[int, int]:
    """Crawl each source in turn; return how many runs failed and how many sources were busy
    (being crawled by another process, so not crawled by this one). With a `trigger`, each run is
    also recorded in the scheduler's run store, where the console shows it."""
    from crawler.counters import RunCounters
    from crawler.run import crawl_in_subprocess

    failed = busy = 0
    for source in sources:
        if not source.enabled:
            typer.echo(f"{source.id}: disabled in the catalog ({source.note or 'no note'}); crawling it anyway")
        typer.echo(f"{source.id}: crawling {source.kind} {', '.join(source.start_urls) or ''}".rstrip())
        outcome = crawl_in_subprocess(source.id, settings, catalog, progress=True)
        record = outcome.record
        if outcome.busy:
            busy += 1  # the crawl process said which process has the source
            continue
        if record is None:
            failed += 1
            typer.echo(f"{source.id}: the crawl process ended before recording its run", err=True)
            continue
        if trigger is not None:
            record_run(settings, source.id, trigger, record)
        for line in RunCounters.from_dict(record.counters).lines():
            typer.echo(f"  {line}")
        if record.status != "succeeded":
            failed += 1
            typer.echo(f"{source.id}: run {record.status}: {record.error}", err=True)
    return failed, busy


def record_run(settings: Settings, source: str, trigger: str, record: RunRecord) -> None:
    """The crawl as a run in the scheduler's store; a store that cannot be written loses the
    record (said on stderr), never the crawl."""
    from sqlalchemy.exc import SQLAlchemyError

    from scheduler.store import FINISHED, RunStore

    status = record.status if record.status in FINISHED else "failed"
    try:
        store = RunStore(settings.scheduler_database_url)
        try:
            store.record_finished(source, trigger, record.started_at, record.ended_at, status, record.counters,
                                  record.error)
        finally:
            store.close()
    except SQLAlchemyError as exc:
        typer.echo(f"{source}: the run was not recorded for the console ({exc})", err=True)
