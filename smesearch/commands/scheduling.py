"""`smesearch scheduler`, `smesearch schedule` and `smesearch runs`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from smesearch.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_CRAWL_FAILED,
    fail,
    open_app,
    operations,
    read_catalog,
    refused,
    schedule_from_catalog,
)

commands = typer.Typer()  # added to `smesearch` at the top level


schedule_cli = typer.Typer(no_args_is_help=True, help="Crawl schedules per source (kept in the scheduler's job store).")


runs_cli = typer.Typer(no_args_is_help=True, help="What every crawl run did.")


@commands.command()
def scheduler(
    ctx: typer.Context,
    from_catalog: Annotated[bool, typer.Option(
        help="first give every enabled source without a schedule its catalog `schedule`")] = False,
) -> None:
    """Run the schedules: fire crawls when due, start queued runs, record every outcome. Stops on
    Ctrl-C or SIGTERM; runs in progress are then recovered by the next scheduler."""
    import signal
    import threading

    from query_api.observe import configure_logging
    from scheduler.service import SchedulerService

    configure_logging(ctx.obj.log_level)
    if from_catalog:
        typer.echo(f"scheduler: {schedule_from_catalog(open_app(ctx), read_catalog(ctx).sources)} schedules added from "
                   "the catalog", err=True)
    service = SchedulerService(ctx.obj)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    service.start()
    typer.echo(f"scheduler: {len(operations(ctx).schedules())} schedules; Ctrl-C stops", err=True)
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


@schedule_cli.command("add")
def schedule_add(
    ctx: typer.Context,
    source_id: Annotated[str, typer.Argument(help="a source id from `smesearch sources list`")],
    every: Annotated[str | None, typer.Option(help="an interval: 30m, 6h, 1d (s, m, h, d)")] = None,
    cron: Annotated[str | None, typer.Option(help="a cron expression in UTC: '0 3 * * mon-fri'")] = None,
    jitter: Annotated[int, typer.Option(help="seconds of random delay, so sources do not start together")] = 0,
) -> None:
    """Schedule a source (replacing its schedule if it has one)."""
    if (every is None) == (cron is None):
        raise fail("give --every or --cron", EXIT_BAD_INPUT)
    with refused():
        made = operations(ctx).set_schedule(source_id, f"every {every}" if every else str(cron), jitter)
    typer.echo(f"{made.source}: {made.expression}, next run {made.next_run_at:%Y-%m-%d %H:%M:%S} UTC")


@schedule_cli.command("list")
def schedule_list(ctx: typer.Context) -> None:
    """Every schedule, with its next run (or paused)."""
    for s in operations(ctx).schedules():
        when = "paused" if s.paused else f"next {s.next_run_at:%Y-%m-%d %H:%M:%S} UTC"
        jitter = f" (jitter {s.jitter_s} s)" if s.jitter_s else ""
        typer.echo(f"{s.source:<24} {s.expression:<20} {when}{jitter}")


@schedule_cli.command("pause")
def schedule_pause(ctx: typer.Context, source_id: str) -> None:
    """Stop a source's schedule from firing until resumed."""
    with refused():
        operations(ctx).pause_schedule(source_id)
    typer.echo(f"{source_id}: paused")


@schedule_cli.command("resume")
def schedule_resume(ctx: typer.Context, source_id: str) -> None:
    """Let a paused schedule fire again."""
    with refused():
        made = operations(ctx).resume_schedule(source_id)
    typer.echo(f"{source_id}: resumed, next run {made.next_run_at:%Y-%m-%d %H:%M:%S} UTC")


@schedule_cli.command("remove")
def schedule_remove(ctx: typer.Context, source_id: str) -> None:
    """Delete a source's schedule (the source stays in the catalog)."""
    with refused():
        operations(ctx).remove_schedule(source_id)
    typer.echo(f"{source_id}: schedule removed")


@schedule_cli.command("run")
def schedule_run(
    ctx: typer.Context,
    source_id: str,
    wait: Annotated[bool, typer.Option(help="run it here and now, and wait for the outcome")] = False,
) -> None:
    """Queue a run of a source now (a running scheduler starts it within seconds), or run it here."""
    from scheduler.runner import execute
    from scheduler.service import current_owner

    ops = operations(ctx)
    if not wait:
        with refused():
            run = ops.queue_run(source_id)
        typer.echo(f"run {run.id} of {source_id} queued")
        return
    owner = current_owner()
    with refused():
        queued = ops.queue_run(source_id, owner=owner)
    store = ops.app.run_store
    run = execute(ctx.obj, store, queued, owner)
    if run.status == "queued":
        store.finish(run.id, "cancelled", {}, "", "another run of this source was in progress", None)
        raise fail(f"{source_id} is being crawled by another run; try again when it ends", EXIT_CRAWL_FAILED)
    typer.echo(_run_line(run))
    if run.status != "succeeded":
        raise typer.Exit(EXIT_CRAWL_FAILED)


def _run_line(run: Any) -> str:
    took = f"{run.duration_s:.1f} s" if run.duration_s is not None else "-"
    counts = run.counters
    figures = f"fetched {counts.get('fetched', 0)}, new {counts.get('new', 0)}, updated {counts.get('updated', 0)}"
    when = f"{run.started_at or run.queued_at:%Y-%m-%d %H:%M:%S}"
    error = f"  {run.error}" if run.error else ""
    return f"{run.id:>6} {run.source:<20} {run.status:<10} {when} {took:>9}  {figures}{error}"


@runs_cli.command("list")
def runs_list(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="only this source's runs")] = None,
    status: Annotated[str | None, typer.Option(help="queued, running, succeeded, failed or cancelled")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
) -> None:
    """The latest runs, newest first."""
    for run in operations(ctx).runs(source, status, limit):
        typer.echo(_run_line(run))


@runs_cli.command("show")
def runs_show(ctx: typer.Context, run_id: int) -> None:
    """One run in full: counters, error and the tail of its log."""
    with refused():
        run = operations(ctx).run(run_id)
    typer.echo(_run_line(run))
    typer.echo(json.dumps(run.counters, indent=2, ensure_ascii=False))
    if run.log_tail:
        typer.echo("--- log tail ---")
        typer.echo(run.log_tail.rstrip())
