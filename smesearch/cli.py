"""The `smesearch` command: import, search, classify, stats, crawl, sources and the demo."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import sqlalchemy.exc
import typer

from analysis.languages import INTERFACE_LANGUAGES as TRANSLATED_LANGUAGES
from categories import category as category_info
from categories import service as service_info
from config.settings import Settings
from crawler.catalog import Catalog, CatalogError, Source, load_catalog
from crawler.catalog_edit import effective_catalog
from crawler.runlock import EXIT_SOURCE_BUSY  # every source named was being crawled by another process
from indexer.backends.base import BackendError, DamagedIndex
from indexer.importer import LineErrors, read_jsonl
from indexer.query import QueryError
from indexer.service import SearchResponse, filters_from
from operations.app import App
from query_api.models import search_output

cli = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Search engine for SME market expansion: partners, agents, investment, capital, "
                       "purchasing and recruiting, in Chinese, Japanese and English.")

EXIT_BAD_INPUT = 1
EXIT_BAD_QUERY = 2
EXIT_BACKEND = 3
EXIT_CRAWL_FAILED = 4


@cli.callback()
def main_options(
    ctx: typer.Context,
    backend: Annotated[str | None, typer.Option(help="search backend (env SMESEARCH_BACKEND)")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="where the index lives (env SMESEARCH_DATA_DIR)")] = None,
    catalog: Annotated[Path | None, typer.Option(help="source catalog YAML (env SMESEARCH_CATALOG)")] = None,
) -> None:
    overrides: dict[str, Any] = {}
    if catalog:
        overrides["catalog"] = catalog
    if backend:
        overrides["backend"] = backend
    if data_dir:
        overrides["data_dir"] = data_dir
    ctx.obj = Settings(**overrides)
    _export(ctx.obj)


def _export(settings: Settings) -> None:
    """Processes this command starts (analysis workers, crawls, API workers) read their settings
    from the environment: give them this command's."""
    os.environ.clear()
    os.environ.update(settings.child_environment())


def _app(ctx: typer.Context) -> App:
    app = App(ctx.obj)
    ctx.call_on_close(app.close)
    return app


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@cli.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="a JSONL file, one document per line, or - for standard input")],
) -> None:
    """Index documents from JSONL; bad lines are reported by number and skipped."""
    from tqdm import tqdm

    app = _app(ctx)
    errors = LineErrors()
    try:
        stream: BinaryIO = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror}", EXIT_BAD_INPUT) from None
    try:
        with tqdm(desc="importing", unit=" docs", file=sys.stderr, disable=None) as bar:
            report = app.indexer.index(read_jsonl(stream, errors), app.settings.import_batch_size, bar.update,
                                       workers=app.settings.index_workers)
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    except BrokenProcessPool:
        raise _fail("an analysis worker process died (out of memory?); the batches committed before it are "
                    "kept: run the same import again to finish", EXIT_BACKEND) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    for number, message in errors.errors:
        typer.echo(f"line {number}: {message}", err=True)
    typer.echo(f"indexed {report.indexed} (added {report.added}, updated {report.updated}), "
               f"unchanged {report.unchanged}, rejected {len(errors.errors)} of {errors.lines} lines")
    if errors.errors:
        raise typer.Exit(EXIT_BAD_INPUT)


@cli.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(
        help="keywords (AND, OR, NOT, -word, \"phrase\", title:, site:) or a sentence")],
    mode: Annotated[str, typer.Option(help="keyword or sentence")] = "keyword",
    category: Annotated[int, typer.Option(help="0 (all) to 11")] = 0,
    service: Annotated[str | None, typer.Option(help="tie_up, agent, invest, capital, purchase or recruit")] = None,
    lang: Annotated[str | None, typer.Option(help="only documents in this language")] = None,
    group: Annotated[str | None, typer.Option()] = None,
    source: Annotated[str | None, typer.Option()] = None,
    site: Annotated[str | None, typer.Option()] = None,
    date_from: Annotated[str | None, typer.Option("--from")] = None,
    date_to: Annotated[str | None, typer.Option("--to")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date")] = "relevance",
    limit: Annotated[int, typer.Option(help="how many results")] = 10,
    page: Annotated[int, typer.Option()] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print what the API's /api/search answers")] = False,
    translate: Annotated[bool, typer.Option(help="also search the query's translations into zh, en and ja")] = True,
    ui_lang: Annotated[str, typer.Option(help="zh, en or ja: the language of names and translated titles")] = "en",
) -> None:
    """Search the index, in every language unless told --no-translate."""
    app = _app(ctx)
    if mode not in ("keyword", "sentence"):
        raise _fail("--mode is keyword or sentence", EXIT_BAD_QUERY)
    if sort not in ("relevance", "date"):
        raise _fail("--sort is relevance or date", EXIT_BAD_QUERY)
    if ui_lang not in TRANSLATED_LANGUAGES:
        raise _fail(f"--ui-lang is one of {', '.join(TRANSLATED_LANGUAGES)}", EXIT_BAD_QUERY)
    try:
        filters = filters_from(category, service, lang, group, source, site, date_from, date_to, ("--from", "--to"))
        response = app.search.search(query, mode, filters, page, limit, sort,  # type: ignore[arg-type]
                                     translate=translate)
    except QueryError as exc:
        raise _fail(str(exc), EXIT_BAD_QUERY) from None
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    if as_json:
        typer.echo(search_output(response, ui_lang).model_dump_json(indent=2))
    else:
        _print_results(response)


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], "[", text[start:end], "]"]
        last = end
    out.append(text[last:])
    return "".join(out)


def _print_results(response: SearchResponse) -> None:
    first = (response.page - 1) * response.size
    typer.echo(f"{response.total} results ({response.took_ms:.1f} ms)")
    for note in response.notes:
        typer.echo(f"({note})")
    for n, hit in enumerate(response.hits, start=first + 1):
        d = hit.document
        labels = [category_info(c).en for c in d.categories] + [service_info(s).en for s in d.services]
        typer.echo(f"\n{n}. {_marked(hit.title.text, hit.title.highlights)}")
        typer.echo(f"   {d.url}  [{d.lang}] {'; '.join(labels)}")
        typer.echo(f"   {_marked(hit.snippet.text, hit.snippet.highlights)}")
    if response.total == 0:
        typer.echo("Nothing matched. Try fewer words, --mode sentence, or another category.")


@cli.command()
def classify(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="text to classify, or - to read JSONL documents on standard input")],
    explain: Annotated[bool, typer.Option(help="give each label's confidence and the terms that matched")] = False,
) -> None:
    """Assign Table 11 categories and retrieval services to a text, or to JSONL documents."""
    from analysis import Analyser
    from categories import Classifier

    classifier = Classifier(Analyser(ctx.obj.lang_detector))
    if text != "-":
        found = classifier.classify(text, "")
        categories: list[dict[str, Any]] = [{"id": c, "name": category_info(c).en} for c in found.categories]
        services: list[dict[str, Any]] = [{"id": s, "name": service_info(s).en} for s in found.services]
        if explain:
            for entry in categories:
                score = found.category_scores[entry["id"]]
                entry |= {"confidence": found.confidence(score), "score": score,
                          "matched": found.category_terms[entry["id"]]}
            for entry in services:
                score = found.service_scores[entry["id"]]
                entry |= {"confidence": found.confidence(score), "score": score,
                          "matched": found.service_terms[entry["id"]]}
        typer.echo(json.dumps({"categories": categories, "services": services}, ensure_ascii=False))
        return
    failed = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw.decode("utf-8"))
            if not isinstance(item, dict):
                raise ValueError("a line must hold a JSON object")
            found = classifier.classify(str(item.get("title") or ""), str(item.get("body") or ""),
                                        str(item.get("lang") or ""))
        except (UnicodeDecodeError, ValueError) as exc:
            failed += 1
            typer.echo(f"line {number}: {exc}", err=True)
            continue
        item["categories"], item["services"] = found.categories, found.services
        typer.echo(json.dumps(item, ensure_ascii=False))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@cli.command()
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
            snapshot = _app(ctx).backend.snapshot(settings.es_snapshot_repository, name)  # type: ignore[attr-defined]
        except BackendError as exc:
            raise _fail(str(exc), EXIT_BACKEND) from None
        typer.echo(f"snapshot {name} of {', '.join(snapshot['indices'])} taken in {settings.es_snapshot_repository}")
    try:
        report = make_backup(settings.data_dir, file, with_caches, snapshot)
    except BackupError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    documents = f", {report.documents} documents" if report.documents is not None else ""
    typer.echo(f"backed up {report.files} files ({report.bytes / 1e6:.1f} MB{documents}) to {report.path}")
    if settings.backend == "elasticsearch" and snapshot is None:
        typer.echo("the Elasticsearch index is not in it: set SMESEARCH_ES_SNAPSHOT_REPOSITORY (README: Backup)")


@cli.command()
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
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    documents = f", {report.documents} documents" if report.documents is not None else ""
    rebuilt = "; the index was rebuilt from the document store" if report.rebuilt_index else ""
    typer.echo(f"restored {report.files} files{documents} from the backup of {report.created_at} into "
               f"{ctx.obj.data_dir}{rebuilt}")
    snapshot = report.elasticsearch
    if snapshot and ctx.obj.backend == "elasticsearch":
        try:
            index = _app(ctx).backend.restore_snapshot(  # type: ignore[attr-defined]
                snapshot["repository"], snapshot["snapshot"])
        except BackendError as exc:
            raise _fail(str(exc), EXIT_BACKEND) from None
        typer.echo(f"restored the snapshot {snapshot['snapshot']} as {index}; {ctx.obj.es_index} points at it")
    elif snapshot:
        typer.echo(f"the backup names the Elasticsearch snapshot {snapshot['snapshot']} in {snapshot['repository']}: "
                   "restore it with --backend elasticsearch")


@cli.command()
def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the index holds."""
    app = _app(ctx)
    try:
        s = app.search.stats()
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    data = asdict(s)
    data["last_commit"] = s.last_commit.isoformat() if s.last_commit else None
    data["translation"] = app.translations.status()
    data["untranslated_langs"] = {k: v for k, v in s.by_lang.items() if k not in TRANSLATED_LANGUAGES}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"backend      {s.backend} at {s.location}")
    typer.echo(f"documents    {s.documents}")
    typer.echo(f"size         {s.size_bytes / 1e6:.1f} MB")
    typer.echo(f"last commit  {data['last_commit'] or 'never'}")
    for title, counts in (("languages", s.by_lang), ("groups", s.by_group), ("sources", s.by_source)):
        typer.echo(f"{title:<12} " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    if s.unanalysed_langs:
        typer.echo("generic tokeniser (no dedicated analyser): "
                   + ", ".join(f"{k}: {v}" for k, v in s.unanalysed_langs.items()))
    typer.echo("translation  " + ", ".join(f"{pair} {engine}" for pair, engine in data["translation"].items()))
    if data["untranslated_langs"]:
        typer.echo("not translated (searched as written): "
                   + ", ".join(f"{k}: {v}" for k, v in data["untranslated_langs"].items()))


@cli.command()
def reindex(ctx: typer.Context) -> None:
    """Analyse every stored document again into a new index. Elasticsearch builds a new versioned
    index and moves the alias to it atomically, so searches keep answering; the embedded index is
    rebuilt in place from its document store (needed after an upgrade changes its layout)."""
    from tqdm import tqdm

    app = _app(ctx)
    try:
        backend = app.backend
    except DamagedIndex as exc:
        from indexer.backends.embedded import set_aside_damaged_index

        aside = set_aside_damaged_index(app.settings.paths.embedded_index)
        typer.echo(f"the index did not open ({exc.__cause__}); set aside as {aside}, rebuilding it", err=True)
        backend = app.backend
    try:
        with tqdm(desc="reindexing", unit=" docs", file=sys.stderr, disable=None) as bar:
            done = [0]

            def progress(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            new, count = _reindex(app, progress)
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    moved = "" if new.startswith(backend.location) else f"; {backend.location} now points at it"
    typer.echo(f"reindexed {count} documents into {new}{moved}")


@cli.command()
def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="backend to copy from (embedded)")] = "embedded",
    target: Annotated[str, typer.Option("--to", help="backend to copy into (elasticsearch)")] = "elasticsearch",
) -> None:
    """Copy every document of one backend into another, analysed again on the way (for example from
    the embedded index of a single machine into Elasticsearch)."""
    from tqdm import tqdm

    if source == target:
        raise _fail("--from and --to name the same backend", EXIT_BAD_INPUT)
    settings: Settings = ctx.obj
    origin, destination = App(settings.model_copy(update={"backend": source})), \
        App(settings.model_copy(update={"backend": target}))
    ctx.call_on_close(origin.close)
    ctx.call_on_close(destination.close)
    try:
        with tqdm(desc=f"{source} → {target}", unit=" docs", file=sys.stderr, disable=None) as bar:
            report = destination.indexer.index(origin.backend.all_documents(), settings.import_batch_size, bar.update,
                                               workers=settings.index_workers)
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    typer.echo(f"copied {report.indexed} documents from {source} to {target} "
               f"({report.added} new, {report.updated} updated, {report.unchanged} already there)")


@cli.command()
def crawl(
    ctx: typer.Context,
    source_ids: Annotated[list[str] | None, typer.Argument(help="ids of the sources to crawl")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="every enabled source of the catalog")] = False,
) -> None:
    """Crawl sources into the index, one process per source, and print what each run did."""
    catalog = _catalog(ctx)
    if all_sources == bool(source_ids):
        raise _fail("name the sources to crawl, or give --all (not both)", EXIT_BAD_INPUT)
    try:
        sources = list(catalog.enabled) if all_sources else [catalog.get(i) for i in source_ids or []]
    except KeyError as exc:
        raise _fail(str(exc.args[0]), EXIT_BAD_INPUT) from None
    failed, busy = _crawl_sources(ctx.obj, sources, _catalog_path(ctx))
    if failed:
        raise _fail(f"{failed} of {len(sources)} runs failed", EXIT_CRAWL_FAILED)
    if busy:
        # All that did not run were being crawled by another process: nothing failed, try later.
        raise typer.Exit(EXIT_SOURCE_BUSY)


def _crawl_sources(settings: Settings, sources: list[Source], catalog: Path | None) -> tuple[int, int]:
    """Crawl each source in turn; return how many runs failed and how many sources were busy
    (being crawled by another process, so not crawled by this one)."""
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
        for line in RunCounters.from_dict(record.counters).lines():
            typer.echo(f"  {line}")
        if record.status != "succeeded":
            failed += 1
            typer.echo(f"{source.id}: run {record.status}: {record.error}", err=True)
    return failed, busy


@cli.command()
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
        raise _fail(f"cannot serve the demo network on port {network.base_port} and the next four ({exc.strerror});"
                    " pick others with --network-port", EXIT_BAD_INPUT) from None
    try:
        sample = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))
        catalog = network.write_catalog(settings.paths.demo_catalog, listings=sample)
        for name, server in network.servers.items():
            typer.echo(f"demo network: {name:<9} {server.url}/")
        _rebuild_if_needed(settings)
        failed, _ = _crawl_sources(settings, list(load_catalog(catalog).sources), catalog)
        if failed:
            raise _fail(f"{failed} demo crawls failed", EXIT_CRAWL_FAILED)
        # From here on the demo catalog is the catalog: for the API, the console and the crawls
        # the scheduler starts.
        ctx.obj = settings = settings.model_copy(update={"catalog": catalog})
        _export(settings)
        app = _app(ctx)
        host, port = host or settings.host, port or settings.port
        typer.echo(f"demo index: {app.backend.stats().documents} documents in {settings.data_dir}")
        typer.echo(f"search API: http://{host}:{port}/api/search?q=汽车零部件  (docs at /docs)")
        typer.echo(f"portal:     http://{host}:{port}/   embedding: /embed   operators: /admin")
        if not app.operators.list():
            typer.echo(f"operator key (admin, shown once): {app.operators.add('demo', 'admin')}")
        from scheduler.service import SchedulerService

        scheduled = _schedule_from_catalog(app, load_catalog(catalog).sources)
        service = SchedulerService(settings)
        service.start()
        typer.echo(f"scheduler: {scheduled} demo sources re-crawled on their catalog schedules")
        try:
            _serve_api(app, host, port, 1)
        finally:
            service.stop()
    finally:
        network.stop()


def _rebuild_if_needed(settings: Settings) -> None:
    """An index left by an earlier version is rebuilt from its stored documents before crawling."""
    app = App(settings)
    try:
        if app.backend.needs_reindex:
            typer.echo("the index was built by an earlier version of smesearch: rebuilding it from its stored "
                       "documents")
            _reindex(app)
    finally:
        app.close()


def _reindex(app: App, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Every stored document analysed again, in the import's worker processes, into a new index."""
    return app.backend.reindex(lambda documents: app.indexer.prepare_many(documents, app.settings.index_workers),
                               progress=progress)


def _schedule_from_catalog(app: App, sources: Iterable[Source]) -> int:
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


@cli.command()
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
        _export(ctx.obj)
    settings = ctx.obj
    host, port = host or settings.host, port or settings.port
    app = _app(ctx)
    try:
        documents = app.backend.stats().documents  # a dead cluster is an error now, not on the first search
    except BackendError as exc:
        raise _fail(str(exc), EXIT_BACKEND) from None
    typer.echo(f"index: {documents} documents ({settings.backend})")
    typer.echo(f"search API: http://{host}:{port}/api/search?q=...  (docs at /docs, portal at /)")
    _serve_api(app, host, port, workers)


def _serve_api(app: App, host: str, port: int, workers: int) -> None:
    """uvicorn with our JSON request log instead of its access log; with several workers, each
    builds its own App from SMESEARCH_* and their metrics meet in one multiprocess directory."""
    import tempfile

    import uvicorn

    from query_api.app import create_app
    from query_api.observe import configure_logging

    s = app.settings
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "access_log": False,
                               "proxy_headers": True, "forwarded_allow_ips": s.forwarded_allow_ips}
    if workers == 1:
        configure_logging("INFO" if s.access_log else "WARNING")
        uvicorn.run(create_app(app), **options)
        return
    with tempfile.TemporaryDirectory(prefix="smesearch-metrics-") as metrics_dir:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        uvicorn.run("query_api.asgi:create", factory=True, workers=workers, **options)


@cli.command()
def translate(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="the text, or - for standard input")],
    to: Annotated[str, typer.Option("--to", help="zh, en or ja")],
    source: Annotated[str | None, typer.Option("--from", help="the text's language; detected when not given")] = None,
) -> None:
    """Translate a text the way documents are translated: NMT where a package is installed, the
    dictionary otherwise, through the cache."""
    app = _app(ctx)
    if text == "-":
        text = sys.stdin.read()
    if to not in TRANSLATED_LANGUAGES:
        raise _fail(f"--to must be one of {', '.join(TRANSLATED_LANGUAGES)}, not {to!r}", EXIT_BAD_INPUT)
    lang = source or app.analyser.identify(text)
    result = app.translations.translate(text, lang, to)
    if result is None:
        raise _fail(f"no translation from {lang!r}: translated languages are {', '.join(TRANSLATED_LANGUAGES)}",
                    EXIT_BAD_INPUT)
    typer.echo(result.text)
    typer.echo(f"({lang} -> {to}, {result.engine})", err=True)


translation_cli = typer.Typer(no_args_is_help=True, help="Neural translation packages (Argos Translate).")
cli.add_typer(translation_cli, name="translation")


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
        raise _fail("give an .argosmodel file or --from-index FROM:TO", EXIT_BAD_INPUT)
    try:
        with tempfile.TemporaryDirectory() as downloads:
            if pair is not None:
                source, _, target = pair.partition(":")
                package = download_from_index(ctx.obj.translation_index_url, source, target, Path(downloads))
            assert package is not None
            installed = install_package(package, ctx.obj.paths.translation_packages)
    except PackageError as exc:
        raise _fail(f"{exc}; the installed packages are unchanged", EXIT_BAD_INPUT) from None
    typer.echo(f"installed {installed.source} -> {installed.target} (version {installed.version or '?'})")


@translation_cli.command("list")
def translation_list(ctx: typer.Context) -> None:
    """Installed packages, and which engine translates each pair."""
    from translation.nmt import installed_packages

    for (source, target), package in installed_packages(ctx.obj.paths.translation_packages).items():
        typer.echo(f"package {source} -> {target}  version {package.version or '?'}  {package.path}")
    for pair, engine in _app(ctx).translations.status().items():
        typer.echo(f"{pair:<8} {engine}")


operators_cli = typer.Typer(no_args_is_help=True, help="Operator keys for /api/admin/ and the console.")
cli.add_typer(operators_cli, name="operators")


@operators_cli.command("add")
def operators_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="who the key is for")],
    role: Annotated[str, typer.Option(help="read (analytics, runs, stats) or admin (also changes)")] = "read",
) -> None:
    """Make an operator key; it is printed once and stored only as a hash."""
    from operations.operators import OperatorError

    try:
        key = _app(ctx).operators.add(name, role)  # type: ignore[arg-type]
    except OperatorError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    typer.echo(key)
    typer.echo(f"({name}, {role}: keep it now; it cannot be shown again)", err=True)


@operators_cli.command("list")
def operators_list(ctx: typer.Context) -> None:
    """The operators and their roles (never their keys)."""
    for operator in _app(ctx).operators.list():
        typer.echo(f"{operator.name:<24} {operator.role:<6} since {operator.created_at:%Y-%m-%d}")


@operators_cli.command("remove")
def operators_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Revoke an operator's key at once."""
    if not _app(ctx).operators.remove(name):
        raise _fail(f"no operator named {name!r}", EXIT_BAD_INPUT)
    typer.echo(f"removed {name}")


sources_cli = typer.Typer(no_args_is_help=True, help="The catalog of networks to crawl.")
cli.add_typer(sources_cli, name="sources")


def _catalog_path(ctx: typer.Context) -> Path | None:
    return effective_catalog(ctx.obj.catalog, ctx.obj.paths)


def _catalog(ctx: typer.Context) -> Catalog:
    try:
        return load_catalog(_catalog_path(ctx))
    except CatalogError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None


@sources_cli.command("list")
def sources_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its group, kind and state."""
    catalog = _catalog(ctx)
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
    catalog = _catalog(ctx)
    try:
        source = catalog.get(source_id)
    except KeyError as exc:
        raise _fail(str(exc.args[0]), EXIT_BAD_INPUT) from None
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
    from crawler.catalog_edit import add_source, editable_catalog

    entry: dict[str, Any] = {"id": source_id, "name": {"zh": name_zh, "en": name_en, "ja": name_ja}, "group": group,
                             "kind": kind, "start_urls": list(start_urls), "max_pages": max_pages,
                             "max_depth": max_depth, "schedule": schedule, "enabled": True}
    if lang:
        entry["lang"] = lang
    if allow_private:
        entry["allow_private"] = True
    path = editable_catalog(ctx.obj.catalog, ctx.obj.paths)
    try:
        source = add_source(path, entry)
    except CatalogError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    typer.echo(f"added {source.id} to {path}")


@sources_cli.command("enable")
def sources_enable(ctx: typer.Context, source_id: str) -> None:
    """Crawl this source again with `crawl --all` and the scheduler."""
    _set_enabled(ctx, source_id, True)


@sources_cli.command("disable")
def sources_disable(ctx: typer.Context, source_id: str) -> None:
    """Leave this source out of `crawl --all` and the scheduler (its documents stay in the index)."""
    _set_enabled(ctx, source_id, False)


def _set_enabled(ctx: typer.Context, source_id: str, enabled: bool) -> None:
    from crawler.catalog_edit import editable_catalog, set_enabled

    path = editable_catalog(ctx.obj.catalog, ctx.obj.paths)
    try:
        set_enabled(path, source_id, enabled)
    except CatalogError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    except KeyError as exc:
        raise _fail(str(exc.args[0]), EXIT_BAD_INPUT) from None
    typer.echo(f"{source_id} {'enabled' if enabled else 'disabled'} in {path}")


def _source_json(source: Source) -> dict[str, Any]:
    data = asdict(source)
    data["start_urls"], data["allowed_domains"] = list(source.start_urls), list(source.allowed_domains)
    return data


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


# -- scheduling ----------------------------------------------------------------------------------

schedule_cli = typer.Typer(no_args_is_help=True, help="Crawl schedules per source (kept in the scheduler's job store).")
cli.add_typer(schedule_cli, name="schedule")
runs_cli = typer.Typer(no_args_is_help=True, help="What every crawl run did.")
cli.add_typer(runs_cli, name="runs")


@cli.command()
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

    configure_logging("INFO")
    if from_catalog:
        typer.echo(f"scheduler: {_schedule_from_catalog(_app(ctx), _catalog(ctx).sources)} schedules added from "
                   "the catalog", err=True)
    service = SchedulerService(ctx.obj)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    service.start()
    typer.echo(f"scheduler: {len(_schedule_book(ctx).schedules())} schedules; Ctrl-C stops", err=True)
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


def _schedule_book(ctx: typer.Context) -> Any:
    from scheduler.schedules import ScheduleBook

    book = ScheduleBook(ctx.obj.scheduler_database_url, ctx.obj.misfire_grace_s)
    ctx.call_on_close(book.close)
    return book


def _known_source(ctx: typer.Context, source_id: str) -> None:
    try:
        _catalog(ctx).get(source_id)
    except KeyError as exc:
        raise _fail(str(exc.args[0]), EXIT_BAD_INPUT) from None


@schedule_cli.command("add")
def schedule_add(
    ctx: typer.Context,
    source_id: Annotated[str, typer.Argument(help="a source id from `smesearch sources list`")],
    every: Annotated[str | None, typer.Option(help="an interval: 30m, 6h, 1d (s, m, h, d)")] = None,
    cron: Annotated[str | None, typer.Option(help="a cron expression in UTC: '0 3 * * mon-fri'")] = None,
    jitter: Annotated[int, typer.Option(help="seconds of random delay, so sources do not start together")] = 0,
) -> None:
    """Schedule a source (replacing its schedule if it has one)."""
    from scheduler.schedules import ScheduleError

    if (every is None) == (cron is None):
        raise _fail("give --every or --cron", EXIT_BAD_INPUT)
    _known_source(ctx, source_id)
    try:
        made = _schedule_book(ctx).set(source_id, f"every {every}" if every else str(cron), jitter)
    except ScheduleError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    typer.echo(f"{made.source}: {made.expression}, next run {made.next_run_at:%Y-%m-%d %H:%M:%S} UTC")


@schedule_cli.command("list")
def schedule_list(ctx: typer.Context) -> None:
    """Every schedule, with its next run (or paused)."""
    for s in _schedule_book(ctx).schedules():
        when = "paused" if s.paused else f"next {s.next_run_at:%Y-%m-%d %H:%M:%S} UTC"
        jitter = f" (jitter {s.jitter_s} s)" if s.jitter_s else ""
        typer.echo(f"{s.source:<24} {s.expression:<20} {when}{jitter}")


def _schedule_change(ctx: typer.Context, source_id: str, change: str) -> Any:
    from scheduler.schedules import ScheduleError

    try:
        return getattr(_schedule_book(ctx), change)(source_id)
    except ScheduleError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None


@schedule_cli.command("pause")
def schedule_pause(ctx: typer.Context, source_id: str) -> None:
    """Stop a source's schedule from firing until resumed."""
    _schedule_change(ctx, source_id, "pause")
    typer.echo(f"{source_id}: paused")


@schedule_cli.command("resume")
def schedule_resume(ctx: typer.Context, source_id: str) -> None:
    made = _schedule_change(ctx, source_id, "resume")
    typer.echo(f"{source_id}: resumed, next run {made.next_run_at:%Y-%m-%d %H:%M:%S} UTC")


@schedule_cli.command("remove")
def schedule_remove(ctx: typer.Context, source_id: str) -> None:
    _schedule_change(ctx, source_id, "remove")
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
    from scheduler.store import RunStore

    _known_source(ctx, source_id)
    store = RunStore(ctx.obj.scheduler_database_url)
    try:
        if not wait:
            run = store.enqueue(source_id)
            typer.echo(f"run {run.id} of {source_id} queued")
            return
        owner = current_owner()
        run = execute(ctx.obj, store, store.enqueue(source_id, owner=owner), owner)
        if run.status == "queued":
            store.finish(run.id, "cancelled", {}, "", "another run of this source was in progress", None)
            raise _fail(f"{source_id} is being crawled by another run; try again when it ends", EXIT_CRAWL_FAILED)
        typer.echo(_run_line(run))
        if run.status != "succeeded":
            raise typer.Exit(EXIT_CRAWL_FAILED)
    finally:
        store.close()


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
    from scheduler.store import RunStore

    store = RunStore(ctx.obj.scheduler_database_url)
    try:
        for run in store.find(source, status, limit):
            typer.echo(_run_line(run))
    finally:
        store.close()


@runs_cli.command("show")
def runs_show(ctx: typer.Context, run_id: int) -> None:
    """One run in full: counters, error and the tail of its log."""
    from scheduler.store import RunStore

    store = RunStore(ctx.obj.scheduler_database_url)
    try:
        run = store.get(run_id)
    finally:
        store.close()
    if run is None:
        raise _fail(f"no run {run_id}", EXIT_BAD_INPUT)
    typer.echo(_run_line(run))
    typer.echo(json.dumps(run.counters, indent=2, ensure_ascii=False))
    if run.log_tail:
        typer.echo("--- log tail ---")
        typer.echo(run.log_tail.rstrip())
