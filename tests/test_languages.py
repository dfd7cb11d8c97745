"""The language registry: every analysed language is one module, and adding one (Korean, which
exists only in tests/languages/ko.py) changes what is indexed and found without touching any
other file."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from analysis import Analyser, AnalyserSpec
from analysis.languages import INTERFACE_LANGUAGES, builtin_modules
from config import Settings
from indexer.backends import open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from tests.helpers import doc

KOREAN = "tests.languages.ko"


@pytest.fixture(scope="module")
def with_korean() -> Analyser:
    return Analyser(extra_languages=[KOREAN])


def test_each_builtin_module_is_the_language_its_file_names() -> None:
    for name in builtin_modules():
        language = importlib.import_module(name).LANGUAGE
        assert language.code == name.rsplit(".", 1)[1], name
        assert set(language.names) == set(INTERFACE_LANGUAGES), f"{name} names itself in every interface language"
    assert set(INTERFACE_LANGUAGES) <= {n.rsplit(".", 1)[1] for n in builtin_modules()}


def test_without_its_module_korean_words_keep_their_particles(analyser: Analyser) -> None:
    assert analyser.analyse("자동차 부품을 수출합니다", "ko").words == ["자동차", "부품을", "수출합니다"]


def test_the_test_language_cuts_particles_off_in_the_index_and_in_queries(with_korean: Analyser) -> None:
    assert with_korean.analyse("자동차 부품을 수출합니다", "ko").words == ["자동차", "부품", "수출합니다"]
    readings = with_korean.query_variants("부품이")
    assert [(v.lang, v.words) for v in readings] == [("ko", ("부품",))]
    lang, kept, dropped = with_korean.sentence_terms("우리는 자동차 부품을 찾고 있습니다", "ko")
    assert (lang, kept, dropped) == ("ko", ["자동차", "부품"], ["우리", "찾고", "있습니다"])


def test_the_other_languages_are_unchanged_by_an_added_one(analyser: Analyser, with_korean: Analyser) -> None:
    for text, lang in [("沈阳汽车零部件企业 OEM parts", "zh"), ("自動車部品の代理店を募集", "ja"),
                       ("Distributors of machine tools", "en")]:
        assert with_korean.analyse(text, lang) == analyser.analyse(text, lang)


@pytest.mark.parametrize("korean", [True, False], ids=["with the module", "without it"])
def test_a_page_in_the_added_language_is_found_whatever_particle_the_query_carries(
        korean: bool, with_korean: Analyser, analyser: Analyser, tmp_path: Path) -> None:
    used = with_korean if korean else analyser
    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        Indexer(used, backend).index([doc("https://a.example.kr/1", title="자동차 부품을 수출합니다", lang="ko"),
                                     doc("https://a.example.kr/2", title="기계 설비", lang="ko")])
        found = SearchService(used, backend).search("부품이", lang_hint="ko")
        assert [h.document.url for h in found.hits] == (["https://a.example.kr/1"] if korean else [])
    finally:
        backend.close()


def test_analysis_workers_load_the_added_language_too(with_korean: Analyser, tmp_path: Path) -> None:
    """Worker processes build their analyser from its spec, extra languages included."""
    assert with_korean.spec == AnalyserSpec("lingua", with_korean.user_dictionary, (KOREAN,))
    backend = open_backend(Settings(data_dir=tmp_path))
    try:
        documents = [doc(f"https://a.example.kr/{n}", title=f"부품을 {n}", lang="ko") for n in range(4)]
        Indexer(with_korean, backend).index(documents, batch_size=2, workers=1)
        found = SearchService(with_korean, backend).search("부품이", lang_hint="ko")
        assert found.total == 4
    finally:
        backend.close()


def test_the_apis_language_type_is_the_interface_languages() -> None:
    from typing import get_args

    from query_api.models import UiLang

    assert get_args(UiLang) == INTERFACE_LANGUAGES
