"""Shared fixtures: one analyser per test session (dictionaries load once), a fresh index per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from categories import Classifier
from indexer.analysis import Analyser
from indexer.backends import Backend, open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService

# The Elasticsearch issue adds "elasticsearch" here; the contract suite then runs on both.
BACKENDS = ["embedded"]


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    return Analyser()


@pytest.fixture(scope="session")
def classifier(analyser: Analyser) -> Classifier:
    return Classifier(analyser)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    opened = open_backend(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def indexer(analyser: Analyser, classifier: Classifier, backend: Backend) -> Indexer:
    return Indexer(analyser, backend, classifier)


@pytest.fixture
def service(analyser: Analyser, backend: Backend) -> SearchService:
    return SearchService(analyser, backend)
