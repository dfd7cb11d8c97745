"""The first classifier must be right on obvious cases in all three languages."""

from __future__ import annotations

import pytest

from categories import CATEGORIES, SERVICE_LIST, Classifier, category, service


def test_taxonomy_matches_table_11_and_section_3_1() -> None:
    assert [c.id for c in CATEGORIES] == list(range(1, 12))
    assert category(0).en == "Not specified"
    assert category(8).zh == "汽车及零部件" and category(8).ja == "自動車・部品"
    assert [s.id for s in SERVICE_LIST] == ["tie_up", "agent", "invest", "capital", "purchase", "recruit"]
    assert service("recruit").seed == "Retrieval for the people searching recruit information"
    with pytest.raises(KeyError):
        category(12)


@pytest.mark.parametrize(
    ("title", "body", "categories", "services"),
    [
        ("沈阳汽车零部件企业寻求日本合资伙伴", "我公司生产汽车零部件和发动机配件，寻求合资合作，开展技术合作。", [8], ["tie_up"]),
        ("自動車部品の販売代理店を募集", "ブレーキ部品を製造する自動車部品メーカーです。販売代理店を探しています。", [8], ["agent"]),
        ("Auto parts supplier seeks joint venture partner", "We make brake systems and car engine parts "
         "for the automotive industry and seek a partner.", [8], ["tie_up"]),
        ("食品企业寻求融资", "本公司生产饮料和乳制品，寻求融资，引进资金。", [3], ["capital"]),
        ("Hiring software engineers", "Job vacancy: software and network engineers for our telecom "
         "equipment division. We are hiring.", [11], ["recruit"]),
        ("ステンレス鋼材の調達", "ステンレス鋼材とアルミ合金の調達先を探しています。購買担当まで。", [9], ["purchase"]),
        ("纺织服装企业", "生产针织面料和成衣，服装出口。", [1], []),
        ("Building materials: ceramic tiles and cement", "We export ceramic tiles, cement and insulation.", [10], []),
        ("医疗器械公司", "生产医疗器械和药品。", [5], []),
        ("電子部品と家電", "電子部品と家電製品のメーカー。半導体も扱います。", [7], []),
        ("日用品出口", "厨具、餐具等日用品，家居用品。", [2], []),
        ("CNC machine tools", "Machine tool builder of CNC machinery and hydraulic pumps.", [6], []),
        ("来料加工", "承接来料加工、铸造和冲压业务。", [4], []),
        ("对外投资项目", "拟在日本设厂，寻找投资项目和投资机会。", [], ["invest"]),
    ],
)
def test_obvious_cases(classifier: Classifier, title: str, body: str, categories: list[int],
                       services: list[str]) -> None:
    found = classifier.classify(title, body)
    assert found.categories == categories
    assert found.services == services


def test_chinese_terms_count_on_an_english_page_and_english_terms_on_a_chinese_one(classifier: Classifier) -> None:
    # English text skips the scan for CJK terms only while it holds no character outside ASCII.
    english = classifier.classify("Supplier of 汽车零部件 and 刹车", "We export to Japan.", "en")
    assert english.categories == [8] and {"汽车零部件", "刹车"} <= set(english.category_terms[8])
    chinese = classifier.classify("沈阳 auto parts 企业", "我们寻求合资合作。", "zh")
    assert chinese.categories == [8] and "tie_up" in chinese.services


def test_text_about_nothing_in_particular_gets_no_category(classifier: Classifier) -> None:
    found = classifier.classify("About us", "Welcome to our homepage. Contact us for more.")
    assert found.categories == [] and found.services == []


def test_each_label_says_why_and_how_sure(classifier: Classifier) -> None:
    found = classifier.classify("沈阳汽车零部件企业诚招代理商", "生产刹车系统。寻求合资合作。")
    assert found.categories == [8] and found.services == ["tie_up", "agent"]
    assert {"汽车零部件", "刹车"} <= set(found.category_terms[8])  # the lexicon's words, as it writes them
    assert "合资" in found.service_terms["tie_up"] and "代理商" in found.service_terms["agent"]
    # A term in the title counts three times: the agent label (title) is surer than tie-up (body).
    agent, tie_up = (found.confidence(found.service_scores[s]) for s in ("agent", "tie_up"))
    assert 0 < tie_up < agent < 1
    assert found.confidence(found.category_scores[8]) > agent  # four category terms, two in the title


@pytest.mark.parametrize(("cue", "service"), [
    # 招商 alone is left out: it heads both agent calls (招商代理) and capital projects (招商引资).
    ("诚招代理", "agent"), ("寻求合作", "tie_up"), ("招商引资", "capital"), ("融资", "capital"), ("求购", "purchase"),
    ("招聘", "recruit"), ("代理店募集", "agent"), ("提携先募集", "tie_up"), ("求人", "recruit"),
    ("Distributors wanted", "agent"), ("Seeking investment", "capital"), ("Joint venture partner", "tie_up"),
])
def test_the_cue_phrases_of_each_service_in_three_languages(classifier: Classifier, cue: str, service: str) -> None:
    assert service in classifier.classify(cue, "").services
