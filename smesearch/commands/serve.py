"""`smesearch serve` and `smesearch demo`."""

from __future__ import annotations

import json
import os
import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from config.settings import Settings
from crawler.catalog import Source, load_catalog
from indexer.backends.base import BackendError
from matching import ListingDraft
from operations.app import App
from smesearch.commands.common import (
    EXIT_BACKEND,
    EXIT_BAD_INPUT,
    EXIT_CRAWL_FAILED,
    export_settings,
    fail,
    open_app,
    rebuild_if_needed,
    schedule_from_catalog,
)
from smesearch.commands.crawl import crawl_sources

commands = typer.Typer()  # added to `smesearch` at the top level


@commands.command()
def demo(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="address the API listens on")] = None,
    port: Annotated[int | None, typer.Option(help="port the API listens on")] = None,
    network_port: Annotated[int | None, typer.Option(
        help="first port of the demo network's five sites (0: any free ports)")] = None,
) -> None:
    """Serve the bundled demo network on 127.0.0.1, crawl it into the index, then serve the search API."""
    from crawler.demo_network.network import DemoNetwork

    settings = ctx.obj
    network = DemoNetwork(settings.demo_network_port if network_port is None else network_port)
    try:
        network.start()
    except OSError as exc:
        raise fail(f"cannot serve the demo network on port {network.base_port} and the next four ({exc.strerror});"
                    " pick others with --network-port", EXIT_BAD_INPUT) from None
    try:
        sample = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))
        previous = settings.paths.demo_catalog.read_text("utf-8") if settings.paths.demo_catalog.exists() else None
        catalog = network.write_catalog(settings.paths.demo_catalog, listings=sample)
        for name, server in network.servers.items():
            typer.echo(f"demo network: {name:<9} {server.url}/")
        rebuild_if_needed(settings)
        sources = list(load_catalog(catalog).sources)
        if previous == catalog.read_text("utf-8") and last_crawls_succeeded(settings, sources):
            # The same network on the same ports, crawled in full before: serve now, and let the
            # scheduler re-crawl on its schedules (a restart took 53 s when it crawled everything).
            typer.echo("demo index: the same demo network was crawled in full before; the scheduler re-crawls it")
        else:
            failed, _ = crawl_sources(settings, sources, catalog, trigger="demo")
            if failed:
                raise fail(f"{failed} demo crawls failed", EXIT_CRAWL_FAILED)
        # From here on the demo catalog is the catalog: for the API, the console and the crawls
        # the scheduler starts.
        host, port = host or settings.host, port or settings.port
        # The listings' links name the address the demo serves on.
        # A line per request floods the terminal a visitor watches; SMESEARCH_ACCESS_LOG=true brings it back.
        quiet = settings.access_log if "access_log" in settings.model_fields_set else False
        ctx.obj = settings = settings.model_copy(update={"catalog": catalog, "host": host, "port": port,
                                                         "access_log": quiet})
        export_settings(settings)
        app = open_app(ctx)
        typer.echo(f"demo index: {app.backend.stats().documents} documents in {settings.data_dir}")
        answering = [f"search API: http://{host}:{port}/api/search?q=汽车零部件  (docs at /docs)",
                     f"portal:     http://{host}:{port}/   embedding: /embed   operators: /admin"]
        if not app.operators.list():
            typer.echo(f"operator key (admin, shown once): {app.operators.add('demo', 'admin')}")
        if not app.listings.store.all():
            posted = app.listings.post_many(sample_listings())
            example = next(listing for listing in posted if listing.kind == "need" and listing.lang == "zh")
            typer.echo(f"demo listings: {len(posted)} needs and offers; matches of one: "
                       f"http://{host}:{port}/api/listings/{example.id}/matches")
        from scheduler.service import SchedulerService

        added = schedule_from_catalog(app, sources)
        service = SchedulerService(settings)
        service.start()
        # All the schedules that run, not only those this start added (0 on every start but the first).
        schedules = app.schedule_book.schedules()
        typer.echo(f"scheduler: {len(schedules)} demo sources re-crawled on their catalog schedules"
                   + (f" ({added} added now)" if added and added != len(schedules) else ""))
        try:
            _serve_api(app, host, port, 1, announce=answering)
        finally:
            service.stop()
    finally:
        network.stop()


def last_crawls_succeeded(settings: Settings, sources: list[Source]) -> bool:
    """Whether every source's latest crawl succeeded."""
    from crawler.state import CrawlState

    if not settings.paths.crawl_state.exists():
        return False
    state = CrawlState(settings.paths.crawl_state)
    try:
        latest = state.latest_runs()
    finally:
        state.close()
    return all(source.id in latest and latest[source.id].status == "succeeded" for source in sources)


def sample_listings() -> list[ListingDraft]:
    """The demo's needs and offers (smesearch/demo_data/sample_listings.jsonl: every service, in
    zh, ja and en, contact addresses at example.* hosts)."""
    text = resources.files("smesearch").joinpath("demo_data/sample_listings.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [ListingDraft(r["kind"], r["service"], r["title"], r["description"], r["company"], r["contact_email"],
                         r["categories"], lang=r["lang"]) for r in rows]


@commands.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="address to listen on (env SMESEARCH_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (env SMESEARCH_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="API processes; each opens the index itself")] = 1,
    backend: Annotated[str | None, typer.Option(help="search backend: embedded or elasticsearch")] = None,
) -> None:
    """Serve the search API and the portal over the index as it is (crawls and imports run beside it)."""
    if backend:
        ctx.obj = ctx.obj.model_copy(update={"backend": backend})
        export_settings(ctx.obj)
    settings = ctx.obj
    host, port = host or settings.host, port or settings.port
    app = open_app(ctx)
    try:
        documents = app.backend.stats().documents  # a dead cluster is an error now, not on the first search
    except BackendError as exc:
        raise fail(str(exc), EXIT_BACKEND) from None
    typer.echo(f"index: {documents} documents ({settings.backend})")
    _serve_api(app, host, port, workers,
               announce=[f"search API: http://{host}:{port}/api/search?q=...  (docs at /docs, portal at /)"])


def _announce_when_answering(host: str, port: int, lines: list[str]) -> None:
    """Print `lines` once the server answers: with several workers, each loads its analysers
    first, and a URL printed at start did not answer for about 45 seconds."""
    import threading
    import urllib.request

    local = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    url = f"http://{'[' + local + ']' if ':' in local else local}:{port}/healthz"

    def wait() -> None:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        for line in lines:
            typer.echo(line)

    threading.Thread(target=wait, name="announce", daemon=True).start()


def _serve_api(app: App, host: str, port: int, workers: int, announce: list[str] | None = None) -> None:
    """uvicorn with our JSON request log instead of its access log; with several workers, each
    builds its own App from SMESEARCH_* and their metrics meet in one multiprocess directory.
    `announce`: lines printed once the server answers."""
    import tempfile

    import uvicorn

    from query_api.app import create_app
    from query_api.observe import configure_logging

    s = app.settings
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "access_log": False,
                               "proxy_headers": True, "forwarded_allow_ips": s.forwarded_allow_ips}
    if announce:
        _announce_when_answering(host, port, announce)
    if workers == 1:
        configure_logging(s.log_level, s.access_log)
        uvicorn.run(create_app(app), **options)
        return
    with tempfile.TemporaryDirectory(prefix="smesearch-metrics-") as metrics_dir:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        uvicorn.run("query_api.asgi:create", factory=True, workers=workers, **options)
