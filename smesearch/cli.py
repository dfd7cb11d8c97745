"""The `smesearch` command. Each group of commands lives in `smesearch/commands/`; this module
puts them together, turns the global options into the settings, and ends storage failures that
reach it as one sentence."""

from __future__ import annotations

import errno
import sqlite3
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy.exc
import typer

from config.settings import Settings
from indexer.backends.base import BackendError
from smesearch.commands import backups, crawl, index, listings, operators, scheduling, serve, sources, translation
from smesearch.commands.common import EXIT_BACKEND, export_settings

cli = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Search engine for SME market expansion: partners, agents, investment, capital, "
                       "purchasing and recruiting, in Chinese, Japanese and English.")
for group in (index, backups, crawl, serve, translation, scheduling, listings):
    cli.add_typer(group.commands)
cli.add_typer(translation.translation_cli, name="translation")
cli.add_typer(operators.operators_cli, name="operators")
cli.add_typer(listings.listings_cli, name="listings")
cli.add_typer(sources.sources_cli, name="sources")
cli.add_typer(scheduling.schedule_cli, name="schedule")
cli.add_typer(scheduling.runs_cli, name="runs")


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@cli.callback()
def main_options(
    ctx: typer.Context,
    backend: Annotated[str | None, typer.Option(help="search backend (env SMESEARCH_BACKEND)")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="where the index lives (env SMESEARCH_DATA_DIR)")] = None,
    catalog: Annotated[Path | None, typer.Option(help="source catalog YAML (env SMESEARCH_CATALOG)")] = None,
    log_level: Annotated[LogLevel | None, typer.Option(
        help="the least severe log lines shown (env SMESEARCH_LOG_LEVEL)", case_sensitive=False)] = None,
) -> None:
    overrides: dict[str, Any] = {}
    if log_level:
        overrides["log_level"] = log_level.value
    if catalog:
        overrides["catalog"] = catalog
    if backend:
        overrides["backend"] = backend
    if data_dir:
        overrides["data_dir"] = data_dir
    ctx.obj = Settings(**overrides)
    export_settings(ctx.obj)


def main() -> None:
    """The `smesearch` command. Storage failures that reach this far end as one sentence saying
    what to do, never a traceback (the backends turn most of them into BackendError first)."""
    try:
        cli()
    except BackendError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BACKEND)
    except sqlalchemy.exc.DatabaseError as exc:
        typer.echo(f"error: the scheduler's database cannot be used ({exc.orig}); if it is damaged, restore it with "
                   "`smesearch restore BACKUP`, or move scheduler.sqlite away (schedules and run history are lost, "
                   "`smesearch scheduler --from-catalog` makes the schedules again)", err=True)
        sys.exit(EXIT_BACKEND)
    except sqlite3.DatabaseError as exc:
        typer.echo(f"error: a data file in {Settings().data_dir} cannot be read ({exc}); restore the data directory "
                   "with `smesearch restore BACKUP`", err=True)
        sys.exit(EXIT_BACKEND)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise
        typer.echo(f"error: the disk is full ({exc.strerror}: {exc.filename or 'a data file'}); what was committed "
                   "before is kept: free space and run the same command again", err=True)
        sys.exit(EXIT_BACKEND)
