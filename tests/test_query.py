"""The query language: what each construct means, and errors that point at the problem."""

from __future__ import annotations

import string

import pytest

from analysis import Analyser
from indexer.query import (
    AllOf,
    And,
    AnyOf,
    MatchAll,
    NoneOf,
    Not,
    Or,
    Phrase,
    PhraseMatch,
    QueryError,
    Site,
    SiteMatch,
    TermMatch,
    Word,
    analyse_query,
    parse,
)
from indexer.query.messages import QUERY_MESSAGES


def test_spaces_mean_and_and_or_binds_looser() -> None:
    assert parse("a b OR c") == Or((And((Word("a"), Word("b"))), Word("c")))
    assert parse("a AND b") == And((Word("a"), Word("b")))


def test_lower_case_operators_are_words() -> None:
    assert parse("rock or roll") == And((Word("rock"), Word("or"), Word("roll")))


def test_negation_phrases_fields_and_groups() -> None:
    assert parse('-招聘 "joint venture" title:汽车 site:Example.COM (x OR y) NOT z') == And((
        Not(Word("招聘")),
        Phrase("joint venture"), Word("汽车", "title"), Site("example.com"), Or((Word("x"), Word("y"))),
        Not(Word("z")),
    ))
    assert parse('title:"auto parts"') == Phrase("auto parts", "title")


def test_only_negative_query_means_everything_except() -> None:
    assert parse("-招聘") == And((MatchAll(), Not(Word("招聘"))))


def test_full_width_syntax_works_like_ascii() -> None:
    assert parse("（汽车　ＯＲ　机械）") == Or((Word("汽车"), Word("机械")))
    assert parse("title：汽车") == Word("汽车", "title")


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("(汽车 OR 机械", "never closed", 0),
        ("汽车)", "no opening", 2),
        ('"auto parts', "never closed", 0),
        ("汽车 OR", "both sides", 3),
        ("OR 汽车", "both sides", 0),
        ("汽车 NOT", "NOT needs", 3),
        ("title: 汽车", "title: needs", 0),
        ('""', "empty quotation", 0),
        ("()", "empty parentheses", 1),
    ],
)
def test_syntax_errors_name_the_position(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert message in info.value.message
    assert info.value.position == position
    assert f"at character {position + 1}" in str(info.value)


def test_every_query_message_is_written_in_zh_ja_and_en_with_the_same_blanks() -> None:
    fields = {key: {lang: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
                    for lang, text in texts.items()} for key, texts in QUERY_MESSAGES.items()}
    for key, by_lang in fields.items():
        assert sorted(by_lang) == ["en", "ja", "zh"], key
        assert by_lang["zh"] == by_lang["ja"] == by_lang["en"], key


def test_a_syntax_error_reads_in_the_readers_language() -> None:
    with pytest.raises(QueryError) as info:
        parse("(汽车 OR 机械")
    assert info.value.localized("zh") == "这个左括号没有闭合（第 1 个字符处）"
    assert info.value.localized("ja") == "この開き括弧が閉じられていません（1 文字目）"
    assert info.value.localized("en") == str(info.value) == "this parenthesis is never closed (at character 1)"
    assert info.value.localized("ko") == str(info.value)  # no other interface language: English


@pytest.mark.parametrize("query", ["", "   ", "\u200b\u200b", "\x00\x01"])
def test_empty_queries_are_refused(query: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        parse(query)


def test_queries_over_the_length_cap_are_refused() -> None:
    with pytest.raises(QueryError, match="limit is 500"):
        parse("汽车 " * 300)


def test_punctuation_only_query_has_no_searchable_words(analyser: Analyser) -> None:
    with pytest.raises(QueryError, match="no searchable words"):
        analyse_query(analyser, "，，！！ ---")


def test_chinese_words_inside_queries_are_segmented(analyser: Analyser) -> None:
    plan = analyse_query(analyser, "沈阳汽车零部件").plan
    assert isinstance(plan, TermMatch)
    assert plan.variants[0].words == ("沈阳", "汽车零部件")


def test_mixed_scripts_in_one_query(analyser: Analyser) -> None:
    plan = analyse_query(analyser, "OEM 自動車部品 parts").plan
    assert isinstance(plan, AllOf)
    langs = [{v.lang for v in c.variants} for c in plan.children if isinstance(c, TermMatch)]
    assert langs == [{"en"}, {"zh", "ja"}, {"en"}]


def test_phrase_and_site_and_negation_plans(analyser: Analyser) -> None:
    plan = analyse_query(analyser, '"joint venture" site:example.com -招聘').plan
    assert isinstance(plan, AllOf)
    phrase, site, negation = plan.children
    assert isinstance(phrase, PhraseMatch) and phrase.sequences == (("joint", "venture"),)
    assert site == SiteMatch("example.com")
    assert isinstance(negation, NoneOf)


def test_key_sentence_ranks_pages_with_most_content_words_first_and_keeps_the_rest(analyser: Analyser) -> None:
    q = analyse_query(analyser, "我们希望寻找沈阳的汽车零部件合资伙伴，最好有技术转让", mode="sentence")
    assert isinstance(q.plan, AnyOf)
    assert [c.source for c in q.plan.children if isinstance(c, TermMatch)] == [
        "沈阳", "汽车零部件", "合资", "伙伴", "最好", "技术转让"]
    assert (q.plan.minimum_should_match, q.plan.preferred) == (1, 4)  # 60% of 6 words, rounded up
    assert "的" in q.dropped_words


@pytest.mark.parametrize(("text", "mode"), [("to be or not to be", "sentence"), ("的 了", "keyword"),
                                          ("これ それ", "keyword"), ("for the", "keyword")])
def test_a_query_of_common_words_only_gets_a_clear_message_not_everything(
        analyser: Analyser, text: str, mode: str) -> None:
    with pytest.raises(QueryError, match="only common words"):
        analyse_query(analyser, text, mode=mode)  # type: ignore[arg-type]


def test_common_words_inside_operators_keep_their_meaning(analyser: Analyser) -> None:
    assert analyse_query(analyser, '"to be"').plan is not None


def test_sentence_mode_ignores_query_syntax(analyser: Analyser) -> None:
    q = analyse_query(analyser, 'parts (for "cars"', mode="sentence")
    assert {c.source for c in q.plan.children if isinstance(c, TermMatch)} == {"parts", "cars"}  # type: ignore[union-attr]


def test_bigram_fallback_only_for_words_the_dictionary_cuts_into_pieces(analyser: Analyser) -> None:
    known = analyse_query(analyser, "汽车零部件").plan
    assert isinstance(known, TermMatch)
    assert (known.variants[0].lang, known.variants[0].exact) == ("zh", ())
    unknown = analyse_query(analyser, "金杯汽车").plan
    assert isinstance(unknown, TermMatch) and unknown.variants[0].exact == ("金杯", "杯汽", "汽车")


@pytest.mark.parametrize("mode", ["keyword", "sentence"])
def test_a_query_in_a_language_without_a_dictionary_is_searched_as_typed_and_says_so(
        analyser: Analyser, mode: str) -> None:
    q = analyse_query(analyser, "поставщик автозапчастей", mode=mode)  # type: ignore[arg-type]
    assert any("ru are searched as typed" in note for note in q.notes)
    assert analyse_query(analyser, "汽车零部件", mode=mode).notes == []  # type: ignore[arg-type]


def test_highlights_mark_the_longest_term_whole_words_and_folded_forms_at_their_original_offsets() -> None:
    from indexer.highlight import Highlighter

    highlighter = Highlighter(["machin", "汽车", "汽车零部件", "pcb", "er"])
    text = "Machinery maker; remachined parts. 汽车零部件 and 汽车. ＰＣＢ boards"
    spans = [(s, e, text[s:e]) for s, e, _ in highlighter.spans(text)]
    # English terms arrive stemmed: the whole word they start is marked, never a word's middle
    # (remachined), and no shorter term inside a marked word ("er" in Machinery) is marked again.
    assert spans == [(0, 9, "Machinery"), (35, 40, "汽车零部件"), (45, 47, "汽车"), (49, 52, "ＰＣＢ")]
    # Traditional text is matched through its Simplified form, at the original offsets.
    traditional = "瀋陽汽車零部件"
    converted = Highlighter(["汽车零部件"]).whole(traditional, lambda t: t.replace("車", "车"))
    assert converted.highlights == [(2, 7)]
    assert Highlighter([]).spans(text) == [] and Highlighter(["  "]).snippet("abc").highlights == []


@pytest.mark.parametrize(("text", "kept"), [
    ("Machinery maker; remachined parts. ＰＣＢ boards", True), ("瀋陽汽車零部件有限公司，ＯＥＭ供應商", True),
    ("沈阳汽车零部件", False), ("Machinery maker", False), ("İstanbul MACHINE parts", False), ("", False)])
def test_text_folded_at_index_time_highlights_as_folding_at_query_time(
        analyser: Analyser, text: str, kept: bool) -> None:
    from indexer.highlight import FoldedText, Highlighter

    highlighter = Highlighter(["machin", "汽车零部件", "pcb", "oem", "供应商", "istanbul"])
    folded = FoldedText.of(text, text, analyser.to_simplified)
    assert highlighter.snippet(text, view=folded.body_view(text)) == highlighter.snippet(text, analyser.to_simplified)
    assert highlighter.whole(text, view=folded.title_view(text)) == highlighter.whole(text, analyser.to_simplified)
    # Only what lower case alone does not give is kept (full-width letters, Traditional): most pages keep nothing.
    assert bool(folded.body) is kept
    # A text whose lower case is longer (İ) is compared as written, now as before: no marks.
    marks = highlighter.whole(text, view=folded.title_view(text)).highlights
    assert bool(marks) is (text not in ("", "İstanbul MACHINE parts"))
