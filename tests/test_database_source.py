"""Database sources against real servers: SQLite always, PostgreSQL started by .ci/run.

Locally without SMESEARCH_TEST_PG_URL the PostgreSQL cases are skipped with that reason; under
CI=true they fail instead, so CI can never pass without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis import Analyser
from config import Settings
from crawler.catalog import load_catalog
from crawler.database import DatabaseSourceError, RowErrors, database_documents
from indexer.backends import open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService

ROWS = [
    {"id": 1, "title": "沈阳汽车零部件企业寻求日本合资伙伴", "description": "生产刹车系统，寻求合资合作。",
     "company": "沈阳金杯", "updated": "2024-03-01", "cats": "8", "lang": "zh"},
    {"id": 2, "title": "自動車部品の販売代理店を募集", "description": "ブレーキ部品メーカーです。代理店を探しています。",
     "company": "中部オートパーツ", "updated": "2024-04-02", "cats": "8", "lang": "ja"},
    {"id": 3, "title": "", "description": "", "company": "empty row", "updated": None, "cats": None, "lang": "en"},
]


def database_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'listings.db'}"
    url = os.environ.get("SMESEARCH_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SMESEARCH_TEST_PG_URL is not set: .ci/run must start PostgreSQL")
        pytest.skip("PostgreSQL not started (set SMESEARCH_TEST_PG_URL, as .ci/run does)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = database_url(request.param, tmp_path)
    engine = sa.create_engine(url)
    table = f"offers_{os.getpid()}"
    with engine.begin() as c:
        c.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        c.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, title TEXT, description TEXT, "
                          "company TEXT, updated DATE, cats TEXT, lang TEXT)"))
        for row in ROWS:
            c.execute(sa.text(f"INSERT INTO {table} VALUES (:id, :title, :description, :company, "
                              ":updated, :cats, :lang)"),
                      row)
    yield url
    with engine.begin() as c:
        c.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def catalog_with(tmp_path: Path, url: str, query: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(f"""\
sources:
  - id: listings-db
    name: {{zh: 供求数据库, en: Listings database, ja: 案件データベース}}
    group: national
    kind: database
    database:
      url: "{url}"
      query: "{query}"
      columns: {{url: "https://listings.example.cn/offer/{{id}}", body: description, published_at: updated,
                 categories: cats}}
""", encoding="utf-8")
    return path


def test_rows_become_searchable_documents(database: str, tmp_path: Path, analyser: Analyser) -> None:
    table = f"offers_{os.getpid()}"
    source = load_catalog(catalog_with(tmp_path, database, f"SELECT * FROM {table} ORDER BY id")).get("listings-db")
    errors = RowErrors()
    documents = list(database_documents(source, errors))
    assert [d.url for d in documents] == ["https://listings.example.cn/offer/1", "https://listings.example.cn/offer/2"]
    assert errors.rows == 3 and errors.errors == [(3, "field title: a document needs a title or a body")]
    first = documents[0]
    assert (first.source, first.group, first.company, first.categories) == ("listings-db", "national", "沈阳金杯", [8])
    assert first.published_at is not None and first.published_at.date().isoformat() == "2024-03-01"

    backend = open_backend(Settings(data_dir=tmp_path / "data"))
    try:
        Indexer(analyser, backend).index(documents)
        hits = SearchService(analyser, backend).search("汽车零部件 OR 自動車部品")
        assert hits.total == 2
    finally:
        backend.close()


def test_a_failing_query_fails_the_run_with_the_databases_message(database: str, tmp_path: Path,
                                                                   analyser: Analyser) -> None:
    backend = open_backend(Settings(data_dir=tmp_path / "data"))
    try:
        table = f"offers_{os.getpid()}"
        good = load_catalog(catalog_with(tmp_path, database, f"SELECT * FROM {table}")).get("listings-db")
        Indexer(analyser, backend).index(database_documents(good, RowErrors()))
        bad = load_catalog(catalog_with(tmp_path, database, "SELECT * FROM no_such_table")).get("listings-db")
        with pytest.raises(DatabaseSourceError, match=r"the database said: .*no_such_table"):
            Indexer(analyser, backend).index(database_documents(bad, RowErrors()))
        assert backend.stats().documents == 2  # nothing already indexed is lost
    finally:
        backend.close()


def test_an_unusable_database_url_is_a_clear_error(tmp_path: Path) -> None:
    source = load_catalog(catalog_with(tmp_path, "nosuchdb://x/y", "SELECT 1")).get("listings-db")
    with pytest.raises(DatabaseSourceError, match="cannot use database URL"):
        list(database_documents(source, RowErrors()))
