"""Behaviour particular to the embedded backend: readers see other writers' commits; one writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.analysis import Analyser
from indexer.backends import BackendError, open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from tests.helpers import doc


def test_a_serving_process_sees_what_an_importer_commits(analyser: Analyser, tmp_path: Path) -> None:
    reader = open_backend("embedded", tmp_path)
    writer = open_backend("embedded", tmp_path)
    try:
        service = SearchService(analyser, reader)
        assert service.search("汽车零部件").total == 0
        Indexer(analyser, writer).index([doc("https://a.example.cn/1", title="汽车零部件供应商")])
        assert service.search("汽车零部件").total == 1
    finally:
        writer.close()
        reader.close()


def test_one_writer_at_a_time_and_the_lock_ends_with_the_import(analyser: Analyser, tmp_path: Path) -> None:
    first = open_backend("embedded", tmp_path)
    second = open_backend("embedded", tmp_path)
    try:
        importing = Indexer(analyser, first)
        first.upsert([importing.prepare(doc("https://a.example.cn/1", title="汽车"))])  # mid-import
        with pytest.raises(BackendError, match="another process is writing"):
            Indexer(analyser, second).index([doc("https://a.example.cn/2", title="机械")])
        first.commit()
        assert Indexer(analyser, second).index([doc("https://a.example.cn/2", title="机械")]).added == 1
        assert importing.index([doc("https://a.example.cn/3", title="电子")]).added == 1
    finally:
        first.close()
        second.close()
