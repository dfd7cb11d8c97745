"""`smesearch backup` and `smesearch restore`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from indexer.backends.base import BackendError
from smesearch.commands.common import (
    EXIT_BACKEND,
    EXIT_BAD_INPUT,
    fail,
    open_app,
)

commands = typer.Typer()  # added to `smesearch` at the top level


@commands.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the backup to write: a .tar, or .tar.gz to compress it")],
    with_caches: Annotated[bool, typer.Option(
        "--with-caches", help="include the translation cache and packages (they only save work)")] = False,
) -> None:
    """Back up the data directory (index, documents, catalog, schedules, runs, keys) while it is in use."""
    from smesearch.backup import BackupError
    from smesearch.backup import backup as make_backup

    settings = ctx.obj
    snapshot = None
    if settings.backend == "elasticsearch" and settings.es_snapshot_repository:
        name = f"{settings.es_index}-{datetime.now(UTC):%Y%m%dt%H%M%S}"
        try:
            snapshot = open_app(ctx).backend.snapshot(settings.es_snapshot_repository, name)  # type: ignore[attr-defined]
        except BackendError as exc:
            raise fail(str(exc), EXIT_BACKEND) from None
        typer.echo(f"snapshot {name} of {', '.join(snapshot['indices'])} taken in {settings.es_snapshot_repository}")
    try:
        report = make_backup(settings.data_dir, file, with_caches, snapshot)
    except BackupError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    documents = f", {report.documents} documents" if report.documents is not None else ""
    typer.echo(f"backed up {report.files} files ({report.bytes / 1e6:.1f} MB{documents}) to {report.path}")
    if settings.backend == "elasticsearch" and snapshot is None:
        typer.echo("the Elasticsearch index is not in it: set SMESEARCH_ES_SNAPSHOT_REPOSITORY (README: Backup)")


@commands.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="a backup made by `smesearch backup`")],
) -> None:
    """Restore a backup into an empty data directory (--data-dir or SMESEARCH_DATA_DIR)."""
    from smesearch.backup import BackupError
    from smesearch.backup import restore as unpack

    try:
        report = unpack(file, ctx.obj.data_dir)
    except BackupError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    documents = f", {report.documents} documents" if report.documents is not None else ""
    rebuilt = "; the index was rebuilt from the document store" if report.rebuilt_index else ""
    typer.echo(f"restored {report.files} files{documents} from the backup of {report.created_at} into "
               f"{ctx.obj.data_dir}{rebuilt}")
    snapshot = report.elasticsearch
    if snapshot and ctx.obj.backend == "elasticsearch":
        try:
            index = open_app(ctx).backend.restore_snapshot(  # type: ignore[attr-defined]
                snapshot["repository"], snapshot["snapshot"])
        except BackendError as exc:
            raise fail(str(exc), EXIT_BACKEND) from None
        typer.echo(f"restored the snapshot {snapshot['snapshot']} as {index}; {ctx.obj.es_index} points at it")
    elif snapshot:
        typer.echo(f"the backup names the Elasticsearch snapshot {snapshot['snapshot']} in {snapshot['repository']}: "
                   "restore it with --backend elasticsearch")
