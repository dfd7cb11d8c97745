"""Chinese: Traditional folded to Simplified (瀋陽 finds 沈阳), segmented by jieba (rjieba, its
Rust port) with our user dictionary of SME and Shenyang terms."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import ClassVar

import jieba
import opencc
import rjieba

from analysis.languages.base import Language, RunWords, UserEntries
from analysis.text import ASCII_LETTER, EnglishStems


class Chinese(Language):
    code = "zh"
    names: ClassVar[Mapping[str, str]] = {"zh": "中文", "en": "Chinese", "ja": "中国語"}
    whole_text = True
    han = True

    def __init__(self) -> None:
        super().__init__()
        self._jieba = rjieba.Jieba()
        self._t2s = opencc.OpenCC("t2s")
        self._stemmer = EnglishStems()  # Latin words inside Chinese text are English in practice

    def add_words(self, entries: UserEntries) -> None:
        for word, freq, tag in entries:
            self._jieba.add_word(word, freq, tag)

    def normalize(self, norm: str) -> str:
        return str(self._t2s.convert(norm))

    def spelling(self, text: str) -> str:
        return str(self._t2s.convert(text))

    def words(self, norm: str, index: bool, others: RunWords) -> list[str]:
        """jieba without HMM, keeping word tokens; for the index also its search-mode sub-words
        (中小企业 → 中小, 企业, 小企业). Codes such as c++ lose their symbols here but stay whole in
        the exact stream, where queries for them match."""
        tokens = self._jieba.cut_for_search(norm, False) if index else self._jieba.cut(norm, False)
        words = [t for t in tokens if t.isalnum()]
        if ASCII_LETTER.search(norm) is None:
            return words
        stem = self._stemmer.stem
        return [stem(t) if t.isascii() and t[0].isalpha() else t for t in words]

    def segment(self, norm: str) -> list[str]:
        return [t for t in self._jieba.cut(norm, False) if t.isalnum()]

    def sentence_words(self, norm: str) -> list[str]:
        """As a query reads them (Latin words stemmed), so that stop words and readings agree."""
        return self.words(norm, False, lambda run, index: [run])  # jieba segments every script itself


def default_user_dictionary() -> str:
    return resources.files("analysis").joinpath("data/userdict_zh.txt").read_text("utf-8")


def reference_jieba(user_dictionary: UserEntries) -> jieba.Tokenizer:
    """Python jieba with the same user dictionary: the reference rjieba is tested against."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word, freq, tag in user_dictionary:
        tokenizer.add_word(word, freq, tag)
    return tokenizer


LANGUAGE = Chinese
