"""Database sources: rows of an SQL query mapped onto documents (the seed's engine "is applicable not
only to web site but also to database").

A catalog entry of kind `database` gives a SQLAlchemy URL, the query, and which column feeds
which document field:

    database:
      url: postgresql+psycopg://reader@db.example.cn/listings
      query: SELECT id, title, description, company, updated FROM offers WHERE active
      columns: {url: "https://listings.example.cn/offer/{id}", body: description, published_at: updated}

A column value becomes the field; a value with `{column}` placeholders is a template filled from
the row (rows rarely hold a URL, but every document needs one). Unmapped fields named like a
column (title, company, ...) are taken as they are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from crawler.catalog import Source
from crawler.job import CrawlJob, RunFailed
from indexer.document import Document, DocumentError

_FIELDS = ("url", "title", "body", "summary", "company", "contact", "lang", "categories", "services",
           "published_at")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


log = logging.getLogger("smesearch.crawl")


class DatabaseSourceError(RunFailed):
    """The database could not be read; the message carries the database's own."""


@dataclass(slots=True)
class RowErrors:
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    rows: int = 0


def database_documents(source: Source, errors: RowErrors) -> Iterator[Document]:
    """Stream the documents of a database source; rows that do not make a document go to `errors`."""
    settings = source.database
    columns: dict[str, str] = dict(settings.get("columns") or {})
    try:
        engine = sa.create_engine(settings["url"])
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise DatabaseSourceError(f"source {source.id}: cannot use database URL: {exc}") from None
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=500).execute(
                sa.text(settings["query"]))
            for number, row in enumerate(result.mappings(), start=1):
                errors.rows = number
                try:
                    yield _document(source, columns, dict(row))
                except DocumentError as exc:
                    errors.errors.append((number, f"field {exc.field}: {exc.message}"))
    except sa.exc.SQLAlchemyError as exc:
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseSourceError(f"source {source.id}: the database said: {message}") from None
    finally:
        engine.dispose()


def _document(source: Source, columns: dict[str, str], row: dict[str, Any]) -> Document:
    data: dict[str, Any] = {"source": source.id, "group": source.group, "lang": source.lang}
    for name in _FIELDS:
        spec = columns.get(name, name)
        if "{" in spec:
            try:
                data[name] = _PLACEHOLDER.sub(lambda m: str(row[m.group(1)]), spec)
            except KeyError as exc:
                raise DocumentError(name, f"the template names column {exc.args[0]!r}, which the query lacks") from None
        elif spec in row and row[spec] is not None:
            data[name] = _value(name, row[spec])
    if not data.get("categories") and source.categories:
        data["categories"] = list(source.categories)
    return Document.from_mapping(data)


def _value(name: str, value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if name in ("categories", "services") and isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]  # "6,8" or "agent, tie_up"
    return value


def read_database(job: CrawlJob) -> None:
    """Index the rows the source's query returns (the `database` kind's reader)."""
    errors = RowErrors()
    report = job.engine.indexer.index(database_documents(job.source, errors), batch_size=job.batch_size)
    job.counters.fetched = errors.rows
    job.counters.new, job.counters.updated, job.counters.unchanged = report.added, report.updated, report.unchanged
    if errors.errors:
        job.counters.errors["bad_row"] += len(errors.errors)
        for number, message in errors.errors[:20]:
            log.warning("source %s: row %d: %s", job.source.id, number, message)
