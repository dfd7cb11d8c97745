"""`smesearch operators`: keys for /api/admin/ and the console."""

from __future__ import annotations

from typing import Annotated

import typer

from smesearch.commands.common import operations, refused

operators_cli = typer.Typer(no_args_is_help=True, help="Operator keys for /api/admin/ and the console.")


@operators_cli.command("add")
def operators_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="who the key is for")],
    role: Annotated[str, typer.Option(help="read (analytics, runs, stats) or admin (also changes)")] = "read",
) -> None:
    """Make an operator key; it is printed once and stored only as a hash."""
    with refused():
        key = operations(ctx).add_operator(name, role)  # type: ignore[arg-type]
    typer.echo(key)
    typer.echo(f"({name}, {role}: keep it now; it cannot be shown again)", err=True)


@operators_cli.command("list")
def operators_list(ctx: typer.Context) -> None:
    """The operators and their roles (never their keys)."""
    for operator in operations(ctx).operators():
        typer.echo(f"{operator.name:<24} {operator.role:<6} since {operator.created_at:%Y-%m-%d}")


@operators_cli.command("remove")
def operators_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Revoke an operator's key at once."""
    with refused():
        operations(ctx).remove_operator(name)
    typer.echo(f"removed {name}")
