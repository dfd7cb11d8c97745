"""`smesearch sources`: the catalog of networks to crawl."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer

from crawler.catalog import Source
from smesearch.commands.common import operations, read_catalog, refused

sources_cli = typer.Typer(no_args_is_help=True, help="The catalog of networks to crawl.")


@sources_cli.command("list")
def sources_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its group, kind and state."""
    catalog = read_catalog(ctx)
    if as_json:
        typer.echo(json.dumps([_source_json(s) for s in catalog.sources], ensure_ascii=False, indent=2))
        return
    typer.echo(f"{len(catalog.sources)} sources in {catalog.path} ({len(catalog.enabled)} enabled)")
    for s in catalog.sources:
        state = "enabled " if s.enabled else "disabled"
        where = s.start_urls[0] if s.start_urls else s.original or "-"
        typer.echo(f"{s.id:<24} {s.group:<9} {s.kind:<8} {state} {where}")


@sources_cli.command("show")
def sources_show(ctx: typer.Context, source_id: str) -> None:
    """One source in full."""
    with refused():
        source = operations(ctx).source(source_id)
    typer.echo(json.dumps(_source_json(source), ensure_ascii=False, indent=2))


@sources_cli.command("add")
def sources_add(
    ctx: typer.Context,
    source_id: Annotated[str, typer.Argument(help="lower-case letters, digits and hyphens")],
    start_urls: Annotated[list[str], typer.Option("--start-url", help="where the crawl starts (repeatable)")],
    name_zh: Annotated[str, typer.Option(help="name in Chinese")],
    name_en: Annotated[str, typer.Option(help="name in English")],
    name_ja: Annotated[str, typer.Option(help="name in Japanese")],
    group: Annotated[str, typer.Option(help="shenyang, liaoning, national, japan or other")] = "other",
    kind: Annotated[str, typer.Option(help="site, sitemap or feed")] = "site",
    lang: Annotated[str, typer.Option(help="language hint: zh, ja, en")] = "",
    max_pages: Annotated[int, typer.Option(help="page budget per run")] = 500,
    max_depth: Annotated[int, typer.Option(help="links followed from the start pages")] = 3,
    schedule: Annotated[str, typer.Option(help="every 6h, every 1d, or a cron expression")] = "every 1d",
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="allow loopback, private and link-local addresses")] = False,
) -> None:
    """Add a source to the catalog (validated first; private addresses need --allow-private)."""
    entry: dict[str, Any] = {"id": source_id, "name": {"zh": name_zh, "en": name_en, "ja": name_ja}, "group": group,
                             "kind": kind, "start_urls": list(start_urls), "max_pages": max_pages,
                             "max_depth": max_depth, "schedule": schedule, "enabled": True}
    if lang:
        entry["lang"] = lang
    if allow_private:
        entry["allow_private"] = True
    ops = operations(ctx)
    with refused():
        source = ops.add_source(entry)
    typer.echo(f"added {source.id} to {ops.catalog().path}")


@sources_cli.command("enable")
def sources_enable(ctx: typer.Context, source_id: str) -> None:
    """Crawl this source again with `crawl --all` and the scheduler."""
    _set_enabled(ctx, source_id, True)


@sources_cli.command("disable")
def sources_disable(ctx: typer.Context, source_id: str) -> None:
    """Leave this source out of `crawl --all` and the scheduler (its documents stay in the index)."""
    _set_enabled(ctx, source_id, False)


def _set_enabled(ctx: typer.Context, source_id: str, enabled: bool) -> None:
    ops = operations(ctx)
    with refused():
        ops.set_enabled(source_id, enabled)
    typer.echo(f"{source_id} {'enabled' if enabled else 'disabled'} in {ops.catalog().path}")


def _source_json(source: Source) -> dict[str, Any]:
    data = asdict(source)
    data["start_urls"], data["allowed_domains"] = list(source.start_urls), list(source.allowed_domains)
    return data
