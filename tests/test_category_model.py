"""The trained category model: kept in models/, outside the package, it loads without
scikit-learn and knows product words that no lexicon lists."""

from pathlib import Path

from analysis import Analyser
from categories import Classifier
from categories.model import CategoryModel
from categories.thesaurus import Thesaurus

MODEL = Path(__file__).parents[1] / "models" / "category_model.json.gz"


def test_shipped_model_loads_with_a_weight_per_category() -> None:
    model = CategoryModel.load(MODEL)
    assert model.categories == tuple(range(1, 12))
    assert len(model.weights) > 10_000


def test_model_finds_categories_the_lexicons_miss() -> None:
    analyser = Analyser()
    title, body = "牙刷牙膏生产企业", "公司年产牙刷一亿支，计划新建口腔护理用品生产线。"
    # Without the trade thesaurus (which lists toothbrushes) the lexicons find nothing here.
    bare = Thesaurus([])
    assert Classifier(analyser, thesaurus=bare).classify(title, body, "zh").categories == []
    found = Classifier(analyser, CategoryModel.load(MODEL), thesaurus=bare).classify(title, body, "zh")
    assert 2 in found.categories
    assert found.model_terms[2], "the model gives its reasons"
