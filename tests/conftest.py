"""Shared fixtures: one analyser per test session (dictionaries load once), a fresh index per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import Analyser
from categories import Classifier
from config import Settings
from indexer.backends import Backend, open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from tests.helpers import forget_finished_apps

# The contract suite runs on every backend. Elasticsearch needs a node: .ci/run starts one and
# sets SMESEARCH_TEST_ES_URL; without it the Elasticsearch cases skip locally and fail under CI.
# The embedded backend twice: its native one-pass search, and the tantivy binding it falls back to.
BACKENDS = ["embedded", "embedded-binding", "elasticsearch"]


@pytest.fixture(autouse=True)
def data_directory_outside_the_tree(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that forgets to choose a data directory writes into a temporary one, never into the
    working tree (an empty index was once committed that way); .ci/run also fails on any file a
    test run leaves in the tree."""
    monkeypatch.setenv("SMESEARCH_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture(autouse=True)
def translation_off_unless_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run without translation, so that a test of ranking or counting sees only the
    documents' own words; tests of cross-lingual search mark themselves `translated`."""
    if request.node.get_closest_marker("translated") is None:
        monkeypatch.setenv("SMESEARCH_TRANSLATION_HOOK", "")
        monkeypatch.setenv("SMESEARCH_TRANSLATE", "false")


@pytest.fixture(autouse=True)
def finished_apps_are_freed() -> Iterator[None]:
    yield
    forget_finished_apps()


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    return Analyser()


@pytest.fixture(scope="session")
def classifier(analyser: Analyser) -> Classifier:
    return Classifier(analyser)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "elasticsearch":
        url = os.environ.get("SMESEARCH_TEST_ES_URL")
        if not url:
            if os.environ.get("CI"):
                pytest.fail("SMESEARCH_TEST_ES_URL is not set: .ci/run must start Elasticsearch")
            pytest.skip("Elasticsearch not started (set SMESEARCH_TEST_ES_URL, as .ci/run does)")
        # An alias of its own per test, so tests never see each other's documents.
        opened = open_backend(Settings(backend="elasticsearch", data_dir=tmp_path, es_url=url, es_index=f"smesearch-test-{uuid.uuid4().hex[:12]}"))
        yield opened
        opened.drop()
        opened.close()
        return
    opened = open_backend(Settings(backend="embedded", data_dir=tmp_path,
                                   native_search=request.param == "embedded"))
    yield opened
    opened.close()


@pytest.fixture
def indexer(analyser: Analyser, classifier: Classifier, backend: Backend) -> Indexer:
    return Indexer(analyser, backend, classifier)


@pytest.fixture
def service(analyser: Analyser, backend: Backend) -> SearchService:
    return SearchService(analyser, backend)
