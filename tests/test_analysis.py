"""The one analyser: normalisation, language identification and segmentation for zh, ja, en."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import Analyser
from analysis.language import LanguageIdentifier, script_language
from analysis.languages.zh import reference_jieba

# Prose of the kind we index: trade offers, partnership notices, place names, codes.
CHINESE_CORPUS = [
    "沈阳市中小企业寻求合资伙伴，招商引资，技术转让，代理商来料加工OEM贴牌生产。",
    "我公司是华晨宝马的汽车零部件供应商，生产发动机配件、刹车系统和底盘零部件。",
    "大连某水产品加工企业因扩建需要，现采购速冻设备和冷库设备，欢迎国内外供应商投标。",
    "辽宁省铁西区的机床企业招聘数控工程师5名，岗位要求：机械专业本科以上学历。",
    "本公司生产不锈钢紧固件、五金件和铝合金型材，年产量3.5万吨，出口日本和韩国。",
    "中国人民银行沈阳分行发布2023年第四季度中小企业融资情况报告，风险投资活跃。",
]


def test_normalisation_folds_width_case_and_traditional_script(analyser: Analyser) -> None:
    assert analyser.normalize("ＯＥＭ　ＡＢＣ１２３") == "oem abc123"
    assert analyser.normalize("瀋陽市中小企業", "zh") == "沈阳市中小企业"
    # Japanese keeps its own kanji: converting 業 to 业 would break Japanese words.
    assert analyser.normalize("中小企業", "ja") == "中小企業"


def test_invisible_characters_do_not_split_words(analyser: Analyser) -> None:
    plain = analyser.analyse("汽车零部件", "zh").words
    assert analyser.analyse("汽\u200b车\u200d零部件\ufeff", "zh").words == plain
    assert analyser.normalize("a\u200bb\x00c") == "ab c"
    assert analyser.analyse("join\u00adt venture", "en").words == ["joint", "ventur"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("東京都の中小企業が自動車部品の代理店を探しています", "ja"),
        # kanji dominate, but two kana make it Japanese (Fess read such text as zh-TW)
        ("日本国内中小企業技術開発促進事業補助金交付要綱の一部改正について", "ja"),
        ("瀋陽機械企業尋求臺灣代理商與經銷商", "zh"),  # Traditional Chinese (langdetect says Korean)
        ("沈阳汽车零部件企业寻求日本合资伙伴", "zh"),
        ("한국 중소기업 협력 파트너 모집", "ko"),
        ("Japanese machine tool builder seeks agent in Liaoning", "en"),
        ("Wir suchen einen Vertriebspartner für Werkzeugmaschinen in China", "de"),
        ("OEM贴牌生产", "zh"),
    ],
)
def test_language_identification(analyser: Analyser, text: str, lang: str) -> None:
    assert analyser.identify(text) == lang


def test_a_hint_from_the_source_wins(analyser: Analyser) -> None:
    assert analyser.identify("東京", hint="ja") == "ja"
    assert script_language("東京") == "zh"  # without a hint, hanzi alone read as Chinese


@pytest.mark.parametrize("detector", ["lingua", "langdetect"])
def test_both_detectors_are_deterministic(detector: str) -> None:
    ident = LanguageIdentifier(detector)  # type: ignore[arg-type]
    text = "Nous cherchons un partenaire commercial pour nos machines"
    answers = {ident.identify(text) for _ in range(20)}
    assert answers == {"fr"}


@pytest.mark.parametrize("hmm_free_mode", ["precise", "search"])
def test_rjieba_fast_path_gives_jiebas_tokens_with_our_user_dictionary(analyser: Analyser,
                                                                       hmm_free_mode: str) -> None:
    reference = reference_jieba(analyser.user_dictionary)
    jieba = analyser.language("zh")._jieba  # type: ignore[attr-defined]
    for text in CHINESE_CORPUS:
        if hmm_free_mode == "precise":
            assert jieba.cut(text, False) == reference.lcut(text, HMM=False)
        else:
            assert jieba.cut_for_search(text, False) == reference.lcut_for_search(text, HMM=False)


def test_domain_dictionary_keeps_trade_terms_whole(analyser: Analyser) -> None:
    variant = analyser.query_variants("招商引资")[0]
    assert variant.words == ("招商引资",)
    assert analyser.query_variants("贴牌生产")[0].words == ("贴牌生产",)
    assert analyser.query_variants("浑南新区")[0].words == ("浑南新区",)


def test_index_adds_search_mode_sub_words_and_query_stays_precise(analyser: Analyser) -> None:
    indexed = analyser.analyse("中小企业寻求合资", "zh").words
    assert {"中小", "企业", "中小企业", "合资"} <= set(indexed)
    assert analyser.query_variants("中小企业")[0].words == ("中小企业",)


def test_japanese_is_segmented_by_a_morphological_analyser(analyser: Analyser) -> None:
    words = analyser.analyse("自動車部品の代理店を探しています", "ja").words
    assert {"自動車", "部品", "代理店", "探す"} <= set(words)  # 探し is indexed as its normalised form
    readings = analyser.query_variants("自動車部品")
    assert ("自動車", "部品") in [v.words for v in readings]


def test_long_japanese_text_is_chunked_under_sudachis_input_limit(analyser: Analyser) -> None:
    text = "中小企業の業務提携。" * 8000  # about 240 KB of UTF-8, over Sudachi's 49 KB limit
    assert analyser.analyse(text, "ja").words.count("提携") == 8000


def test_english_is_stemmed_and_keeps_codes(analyser: Analyser) -> None:
    words = analyser.analyse("Distributors of C++ tools and 3.5mm cables wanted", "en").words
    assert words == ["distributor", "of", "c++", "tool", "and", "3.5mm", "cabl", "want"]


def test_exact_stream_holds_cjk_bigrams_for_unknown_names(analyser: Analyser) -> None:
    exact = analyser.analyse("华晨宝马 OEM", "zh").exact
    assert exact == ["华晨", "晨宝", "宝马", "oem"]
    assert analyser.analyse("沈", "zh").exact == ["沈"]


def test_languages_without_an_analyser_get_generic_words(analyser: Analyser) -> None:
    assert analyser.analyse("Wir suchen Partner", "de").words == ["wir", "suchen", "partner"]
    assert analyser.analyse("Партнёр ищет", "ru").words == ["партнёр", "ищет"]


def test_hanzi_only_query_words_read_as_chinese_and_japanese(analyser: Analyser) -> None:
    readings = {v.lang: v.words for v in analyser.query_variants("瀋陽")}
    assert readings == {"zh": ("沈阳",), "ja": ("瀋陽",)}
    # Where Simplified and Japanese agree, one reading is enough.
    assert [v.lang for v in analyser.query_variants("食品")] == ["zh"]


def test_sentence_keeps_content_words_and_drops_function_words(analyser: Analyser) -> None:
    lang, kept, dropped = analyser.sentence_terms("我们希望寻找沈阳的汽车零部件合资伙伴")
    assert lang == "zh" and kept == ["沈阳", "汽车零部件", "合资", "伙伴"]
    assert "的" in dropped and "寻找" in dropped
    lang, kept, dropped = analyser.sentence_terms("自動車部品の代理店を探しています")
    assert lang == "ja" and kept == ["自動車", "部品", "代理店"] and "の" in dropped
    lang, kept, _ = analyser.sentence_terms("We are looking for distributors of machine tools")
    assert lang == "en" and kept == ["distributors", "machine", "tools"]


def test_a_custom_user_dictionary_replaces_ours(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# our own words\n华晨宝马 500 nz\nＡＢＣ公司 10\n", encoding="utf-8")
    custom = Analyser(user_dictionary=path)
    assert custom.user_dictionary == [("华晨宝马", 500, "nz"), ("abc公司", 10, None)]
    assert custom.query_variants("华晨宝马")[0].words == ("华晨宝马",)
    assert custom.query_variants("贴牌生产")[0].words == ("贴", "牌", "生产")  # ours is not loaded


def test_japanese_is_analysed_safely_from_many_threads_at_once(analyser: Analyser) -> None:
    """The API analyses queries on a thread pool; Sudachi's tokenizer refuses concurrent use."""
    from concurrent.futures import ThreadPoolExecutor

    text = "自動車部品の販売代理店を中国で募集しています。ブレーキ部品を製造しています。"
    expected = analyser.analyse(text, "ja").words
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: analyser.analyse(text, "ja").words, range(400)))
    assert all(r == expected for r in results)


@pytest.mark.parametrize(("word", "false_friend"), [("汽车", "汽車"), ("手纸", "手紙"), ("勉强", "勉強")])
def test_a_chinese_word_gets_no_japanese_reading_that_means_something_else(
        analyser: Analyser, word: str, false_friend: str) -> None:
    readings = analyser.query_variants(word)
    assert [v.lang for v in readings] == ["zh"]  # 汽車 is a steam train in Japanese
    assert all(false_friend not in v.words for v in readings)
    assert [v.lang for v in analyser.query_variants("投资")] == ["zh", "ja"]  # 投資 means the same


def test_english_stems_keep_unrelated_families_apart(analyser: Analyser) -> None:
    words = analyser.analyse("Imports of air conditioners are important; importers stock stockings.", "en").words
    assert words == ["import", "of", "air", "conditioner", "are", "important", "import", "stock", "stocking"]
    # Latin words inside Chinese text are stemmed the same way.
    assert "importance" in analyser.analyse("重视importance", "zh").words
