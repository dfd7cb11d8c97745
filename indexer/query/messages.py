# ruff: noqa: E501  (the messages in three languages read better unwrapped)
"""What a query that cannot run says, in zh, ja and en: the widget shows it to the reader as the
API's problem detail, in the reader's language (`ui_lang`); the CLI and logs use the English."""

from __future__ import annotations

QUERY_MESSAGES: dict[str, dict[str, str]] = {
    "field_needs_term": {
        "en": '{field}: needs a word or a "phrase" after it',
        "zh": "{field}: 后面需要一个词或一个带引号的短语",
        "ja": "{field}: の後に言葉か引用符で囲んだフレーズが必要です"},
    "quote_not_closed": {
        "en": "this quotation mark is never closed", "zh": "这个引号没有闭合", "ja": "この引用符が閉じられていません"},
    "empty_quotes": {"en": "empty quotation marks", "zh": "引号中没有内容", "ja": "引用符の中が空です"},
    "closing_without_opening": {
        "en": "this closing parenthesis has no opening one", "zh": "这个右括号没有对应的左括号",
        "ja": "この閉じ括弧に対応する開き括弧がありません"},
    "operator_needs_sides": {
        "en": "{operator} needs something to match on both sides", "zh": "{operator} 的两边都需要检索词",
        "ja": "{operator} の両側に検索語が必要です"},
    "ends_too_early": {
        "en": "the query ends where a word was expected", "zh": "检索式在需要检索词的地方结束了",
        "ja": "検索語が必要なところで検索式が終わっています"},
    "empty_parentheses": {
        "en": "empty parentheses or a closing parenthesis too many", "zh": "括号中没有内容，或多了一个右括号",
        "ja": "括弧の中が空か、閉じ括弧が多すぎます"},
    "not_needs_term": {
        "en": "NOT needs a word, phrase or group after it", "zh": "NOT 后面需要一个词、短语或括号组",
        "ja": "NOT の後に言葉、フレーズ、括弧のグループが必要です"},
    "nesting_too_deep": {
        "en": "parentheses nest more than {depth} deep; flatten the query", "zh": "括号嵌套超过 {depth} 层，请简化检索式",
        "ja": "括弧の入れ子が {depth} 段を超えています。検索式を簡単にしてください"},
    "parenthesis_not_closed": {
        "en": "this parenthesis is never closed", "zh": "这个左括号没有闭合", "ja": "この開き括弧が閉じられていません"},
    "too_long": {
        "en": "the query is {length} characters long; the limit is {limit}",
        "zh": "检索式有 {length} 个字符，上限为 {limit} 个", "ja": "検索式が {length} 文字あります。上限は {limit} 文字です"},
    "empty": {
        "en": "the query is empty: type a word, a phrase or a sentence", "zh": "检索式为空：请输入词语、短语或句子",
        "ja": "検索式が空です。言葉、フレーズ、文を入力してください"},
    "no_searchable_words": {
        "en": "the query has no searchable words (only punctuation or symbols)",
        "zh": "检索式中没有可检索的词语（只有标点或符号）", "ja": "検索式に検索できる言葉がありません（句読点や記号だけです）"},
    "sentence_no_searchable_words": {
        "en": "the sentence has no searchable words (only punctuation or symbols)",
        "zh": "句子中没有可检索的词语（只有标点或符号）", "ja": "文に検索できる言葉がありません（句読点や記号だけです）"},
    "only_common_words": {
        "en": "the query has only common words ({words}), which nearly every page holds: add a word that says what "
              "you are looking for",
        "zh": "检索式只有常用词（{words}），几乎所有网页都含有：请加上说明您要找什么的词语",
        "ja": "検索式がよく使われる言葉（{words}）だけで、ほとんどのページに含まれています。探しているものを表す言葉を加えてください"},
    "no_facet": {
        "en": "there is no facet {facet!r}; the facets are {facets}", "zh": "没有分面 {facet!r}；可用的分面为 {facets}",
        "ja": "ファセット {facet!r} はありません。使えるのは {facets} です"},
    "size_range": {
        "en": "size must be between 1 and {limit}", "zh": "每页条数须在 1 到 {limit} 之间",
        "ja": "1ページの件数は 1 から {limit} の間で指定してください"},
    "page_from_one": {"en": "page starts at 1", "zh": "页码从 1 开始", "ja": "ページは 1 から始まります"},
    "beyond_window": {
        "en": "results beyond the first {limit} are not served; narrow the query with more words or filters",
        "zh": "只提供前 {limit} 条结果；请增加词语或筛选条件缩小范围",
        "ja": "先頭の {limit} 件より後の結果は表示できません。言葉や絞り込み条件を加えてください"},
    "no_category": {
        "en": "category {category} does not exist; categories are 0 (all) to 11",
        "zh": "类别 {category} 不存在；类别为 0（全部）到 11", "ja": "カテゴリー {category} はありません。カテゴリーは 0（すべて）から 11 です"},
    "no_service": {
        "en": "service {service!r} does not exist; services are {services}",
        "zh": "服务 {service!r} 不存在；服务为 {services}", "ja": "サービス {service!r} はありません。サービスは {services} です"},
    "dates_reversed": {
        "en": "the from date is after the to date", "zh": "开始日期晚于结束日期", "ja": "開始日が終了日より後です"},
    "prefix_too_long": {
        "en": "the prefix is longer than {limit} characters", "zh": "输入超过 {limit} 个字符",
        "ja": "入力が {limit} 文字を超えています"},
    "term_empty": {"en": "the term is empty", "zh": "词语为空", "ja": "言葉が空です"},
    "term_no_searchable_words": {
        "en": "the term has no searchable words (only punctuation or symbols)",
        "zh": "词语中没有可检索的字词（只有标点或符号）", "ja": "言葉に検索できる文字がありません（句読点や記号だけです）"},
    "bad_date": {
        "en": "{name} must be a date such as 2024-05-01", "zh": "{name} 须为日期，例如 2024-05-01",
        "ja": "{name} は 2024-05-01 のような日付で指定してください"},
}

# Where in the query the message points, after it.
AT_CHARACTER = {"en": " (at character {n})", "zh": "（第 {n} 个字符处）", "ja": "（{n} 文字目）"}
