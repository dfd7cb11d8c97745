"""The trade thesaurus: a product word also finds its close variants in every language, below
the word as typed and said in the parsed query, and the classifier knows the products it lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import Analyser
from categories import CATEGORIES, Classifier
from categories.thesaurus import Thesaurus, ThesaurusError
from config.settings import Settings
from tests.helpers import run, write_jsonl

PAGES = [
    {"url": "https://a.example.cn/spin", "lang": "zh", "title": "纺织企业寻求日本客户", "body": "公司生产纺织品和面料。"},
    {"url": "https://b.example.jp/weave", "lang": "ja", "title": "織物メーカー", "body": "西陣の織物を製造しています。"},
    {"url": "https://c.example.com/textile", "lang": "en", "title": "Textile mill", "body": "A textile mill in Osaka."},
    {"url": "https://c.example.com/workwear", "lang": "en", "title": "Workwear and uniforms",
     "body": "We sew coveralls and work uniforms for factories."},
    {"url": "https://c.example.com/pumps", "lang": "en", "title": "Pump maker", "body": "Industrial pumps."},
]


def test_the_shipped_thesaurus_covers_every_category_in_three_languages() -> None:
    thesaurus = Thesaurus.load()
    assert {c.category for c in thesaurus.concepts} == {c.id for c in CATEGORIES}
    for concept in thesaurus.concepts:
        assert all(concept.terms[lang] for lang in ("zh", "ja", "en")), concept.id
    auto_parts = thesaurus.get("auto_parts")
    assert "brake_parts" in {c.id for c in thesaurus.narrower(auto_parts)}


def test_a_malformed_line_is_refused_with_its_number() -> None:
    with pytest.raises(ThesaurusError, match="line 2: 4 columns"):
        Thesaurus.parse("# header\ntextile\t\t1\t纺织\n")
    with pytest.raises(ThesaurusError, match="line 1: category '12'"):
        Thesaurus.parse("x\t\t12\ta\tb\tc\n")
    with pytest.raises(ThesaurusError, match="broader concepts not defined: nowhere"):
        Thesaurus.parse("x\tnowhere\t1\ta\tb\tc\n")


@pytest.mark.translated
def test_a_product_word_finds_its_variants_in_every_language_below_the_word_itself(tmp_path: Path) -> None:
    from operations.app import App

    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "p.jsonl", PAGES))).returncode == 0
    app = App(Settings(data_dir=data))
    try:
        found = app.search.search("textile")
        urls = [h.document.url for h in found.hits]
        assert urls[0] == "https://c.example.com/textile"  # the word as typed first
        assert {"https://a.example.cn/spin", "https://b.example.jp/weave"} <= set(urls)
        assert "https://c.example.com/pumps" not in urls
        assert any(n.startswith("textile: related terms also searched: 纺织") for n in found.query.notes)
        readings = found.query.describe()["plan"]["readings"]  # type: ignore[index]
        related = [r for r in readings if r.get("related")]
        assert related and max(r["weight"] for r in related) < 0.5  # below a sure translation
        # clothing → workwear and uniforms, a kind of clothing.
        assert "https://c.example.com/workwear" in [h.document.url for h in app.search.search("clothing").hits]
        # The same switch as translation turns it off.
        assert not any("related terms" in n for n in app.search.search("textile", translate=False).query.notes)
    finally:
        app.close()


def test_the_classifier_knows_the_products_the_thesaurus_lists() -> None:
    classifier = Classifier(Analyser())
    monitors = classifier.classify("心电监护仪生产商", "公司生产心电监护仪和病人监护系统。", "zh")
    assert monitors.categories == [5]
    assert Classifier(Analyser(), thesaurus=Thesaurus([])).classify(
        "心电监护仪生产商", "公司生产心电监护仪和病人监护系统。", "zh").categories != [5]
