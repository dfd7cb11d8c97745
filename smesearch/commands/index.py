"""Commands on the index: import, search, classify, stats, reindex, migrate."""

from __future__ import annotations

import json
import sys
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from typing import Annotated, Any, BinaryIO

import typer

from analysis.languages import INTERFACE_LANGUAGES as TRANSLATED_LANGUAGES
from categories import category as category_info
from categories import service as service_info
from config.settings import Settings
from indexer.backends.base import BackendError, DamagedIndex
from indexer.importer import LineErrors, read_jsonl
from indexer.query import QueryError
from indexer.service import SearchResponse, filters_from
from operations.app import App
from query_api.models import search_output
from smesearch.commands.common import (
    EXIT_BACKEND,
    EXIT_BAD_INPUT,
    EXIT_BAD_QUERY,
    fail,
    open_app,
    rebuild_index,
)

commands = typer.Typer()  # added to `smesearch` at the top level


@commands.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="a JSONL file, one document per line, or - for standard input")],
) -> None:
    """Index documents from JSONL; bad lines are reported by number and skipped."""
    from tqdm import tqdm

    app = open_app(ctx)
    errors = LineErrors()
    try:
        stream: BinaryIO = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}", EXIT_BAD_INPUT) from None
    try:
        with tqdm(desc="importing", unit=" docs", file=sys.stderr, disable=None) as bar:
            report = app.indexer.index(read_jsonl(stream, errors), app.settings.import_batch_size, bar.update,
                                       workers=app.settings.index_workers)
    except BackendError as exc:
        raise fail(str(exc), EXIT_BACKEND) from None
    except BrokenProcessPool:
        raise fail("an analysis worker process died (out of memory?); the batches committed before it are "
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


@commands.command()
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
    relax: Annotated[bool, typer.Option(help="when all the words of a plain query find fewer than 3 pages, "
                                             "show pages with most of them")] = True,
) -> None:
    """Search the index, in every language unless told --no-translate."""
    app = open_app(ctx)
    if mode not in ("keyword", "sentence"):
        raise fail("--mode is keyword or sentence", EXIT_BAD_QUERY)
    if sort not in ("relevance", "date"):
        raise fail("--sort is relevance or date", EXIT_BAD_QUERY)
    if ui_lang not in TRANSLATED_LANGUAGES:
        raise fail(f"--ui-lang is one of {', '.join(TRANSLATED_LANGUAGES)}", EXIT_BAD_QUERY)
    try:
        filters = filters_from(category, service, lang, group, source, site, date_from, date_to, ("--from", "--to"))
        response = app.search.search(query, mode, filters, page, limit, sort,  # type: ignore[arg-type]
                                     translate=translate, relax=relax)
    except QueryError as exc:
        raise fail(str(exc), EXIT_BAD_QUERY) from None
    except BackendError as exc:
        raise fail(str(exc), EXIT_BACKEND) from None
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
    if response.service_hint:
        typer.echo(f"(the words ask for {service_info(response.service_hint).en}: "
                   f"--service {response.service_hint} shows only those)")
    if response.query.relaxed:
        typer.echo("(--no-relax searches all of the words; --mode sentence reads a whole sentence)")
    for n, hit in enumerate(response.hits, start=first + 1):
        d = hit.document
        labels = [category_info(c).en for c in d.categories] + [service_info(s).en for s in d.services]
        typer.echo(f"\n{n}. {_marked(hit.title.text, hit.title.highlights)}")
        typer.echo(f"   {d.url}  [{d.lang}] {'; '.join(labels)}")
        typer.echo(f"   {_marked(hit.snippet.text, hit.snippet.highlights)}")
    if response.total == 0:
        typer.echo("Nothing matched. Try fewer words, --mode sentence, or another category.")


@commands.command()
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


@commands.command()
def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the index holds."""
    app = open_app(ctx)
    try:
        s = app.search.stats()
    except BackendError as exc:
        raise fail(str(exc), EXIT_BACKEND) from None
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


@commands.command()
def reindex(ctx: typer.Context) -> None:
    """Analyse every stored document again into a new index. Elasticsearch builds a new versioned
    index and moves the alias to it atomically, so searches keep answering; the embedded index is
    rebuilt in place from its document store (needed after an upgrade changes its layout)."""
    from tqdm import tqdm

    app = open_app(ctx)
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

            new, count = rebuild_index(app, progress)
    except BackendError as exc:
        raise fail(str(exc), EXIT_BACKEND) from None
    moved = "" if new.startswith(backend.location) else f"; {backend.location} now points at it"
    typer.echo(f"reindexed {count} documents into {new}{moved}")


@commands.command()
def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="backend to copy from (embedded)")] = "embedded",
    target: Annotated[str, typer.Option("--to", help="backend to copy into (elasticsearch)")] = "elasticsearch",
) -> None:
    """Copy every document of one backend into another, analysed again on the way (for example from
    the embedded index of a single machine into Elasticsearch)."""
    from tqdm import tqdm

    if source == target:
        raise fail("--from and --to name the same backend", EXIT_BAD_INPUT)
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
        raise fail(str(exc), EXIT_BACKEND) from None
    typer.echo(f"copied {report.indexed} documents from {source} to {target} "
               f"({report.added} new, {report.updated} updated, {report.unchanged} already there)")
