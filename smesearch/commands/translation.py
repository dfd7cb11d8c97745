"""`smesearch translate` and the `smesearch translation` packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analysis.languages import INTERFACE_LANGUAGES as TRANSLATED_LANGUAGES
from smesearch.commands.common import (
    EXIT_BAD_INPUT,
    fail,
    open_app,
)

commands = typer.Typer()  # added to `smesearch` at the top level


@commands.command()
def translate(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="the text, or - for standard input")],
    to: Annotated[str, typer.Option("--to", help="zh, en or ja")],
    source: Annotated[str | None, typer.Option("--from", help="the text's language; detected when not given")] = None,
) -> None:
    """Translate a text the way documents are translated: NMT where a package is installed, the
    dictionary otherwise, through the cache."""
    app = open_app(ctx)
    if text == "-":
        text = sys.stdin.read()
    if to not in TRANSLATED_LANGUAGES:
        raise fail(f"--to must be one of {', '.join(TRANSLATED_LANGUAGES)}, not {to!r}", EXIT_BAD_INPUT)
    lang = source or app.analyser.identify(text)
    result = app.translations.translate(text, lang, to)
    if result is None:
        raise fail(f"no translation from {lang!r}: translated languages are {', '.join(TRANSLATED_LANGUAGES)}",
                    EXIT_BAD_INPUT)
    typer.echo(result.text)
    typer.echo(f"({lang} -> {to}, {result.engine})", err=True)


translation_cli = typer.Typer(no_args_is_help=True, help="Neural translation packages (Argos Translate).")


@translation_cli.command("install")
def translation_install(
    ctx: typer.Context,
    package: Annotated[Path | None, typer.Argument(help="an .argosmodel file")] = None,
    pair: Annotated[str | None, typer.Option("--from-index", metavar="FROM:TO",
                                             help="download the pair (e.g. en:zh) from the Argos package index "
                                                  "(SMESEARCH_TRANSLATION_INDEX_URL)")] = None,
) -> None:
    """Install a language package; it replaces the installed one for its pair only once it loads."""
    import tempfile

    from translation.nmt import PackageError, download_from_index, install_package

    if (package is None) == (pair is None):
        raise fail("give an .argosmodel file or --from-index FROM:TO", EXIT_BAD_INPUT)
    try:
        with tempfile.TemporaryDirectory() as downloads:
            if pair is not None:
                source, _, target = pair.partition(":")
                package = download_from_index(ctx.obj.translation_index_url, source, target, Path(downloads))
            assert package is not None
            installed = install_package(package, ctx.obj.paths.translation_packages)
    except PackageError as exc:
        raise fail(f"{exc}; the installed packages are unchanged", EXIT_BAD_INPUT) from None
    typer.echo(f"installed {installed.source} -> {installed.target} (version {installed.version or '?'})")


@translation_cli.command("list")
def translation_list(ctx: typer.Context) -> None:
    """Installed packages, and which engine translates each pair."""
    from translation.nmt import installed_packages

    for (source, target), package in installed_packages(ctx.obj.paths.translation_packages).items():
        typer.echo(f"package {source} -> {target}  version {package.version or '?'}  {package.path}")
    for pair, engine in open_app(ctx).translations.status().items():
        typer.echo(f"{pair:<8} {engine}")
