"""Japanese: segmented by Sudachi (its core dictionary, mode C with mode A sub-words for the index),
words in their normalised forms (附属 → 付属), particles and auxiliaries known by part of speech."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import ClassVar

import opencc
from sudachipy import Dictionary, SplitMode, Tokenizer

from analysis.languages.base import Language, RunWords
from analysis.text import EnglishStems

_SUDACHI_MAX_CHARS = 8000  # Sudachi refuses inputs over ~49 KB; chunks stay far below
_SUDACHI_DROP = frozenset({"補助記号", "空白"})
_SUDACHI_FUNCTION_WORDS = frozenset({"助詞", "助動詞", "接続詞", "感動詞", "記号", "補助記号", "空白"})


class Japanese(Language):
    code = "ja"
    names: ClassVar[Mapping[str, str]] = {"zh": "日文", "en": "Japanese", "ja": "日本語"}
    whole_text = True
    han = True

    def __init__(self) -> None:
        super().__init__()
        self._s2t = opencc.OpenCC("s2t")
        self._t2jp = opencc.OpenCC("t2jp")
        self._dictionary = Dictionary(dict="core")
        # A Sudachi tokenizer refuses concurrent use, and the API analyses queries on a thread
        # pool: one tokenizer per thread, over the one dictionary.
        self._by_thread = threading.local()
        self._drop, self._function = _pos_ids(self._dictionary)
        self._stemmer = EnglishStems()  # romaji and product codes: stemmed like English
        data = resources.files("analysis").joinpath("data/false-friends-ja.txt").read_text("utf-8")
        self.false_friends = frozenset(w for line in data.splitlines() if not line.startswith("#")
                                       for w in line.split())

    def _tokenizer(self) -> Tokenizer:
        tokenizer = getattr(self._by_thread, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._dictionary.tokenizer(SplitMode.C, fields={"pos", "normalized_form", "split_a"})
            self._by_thread.tokenizer = tokenizer
        return tokenizer

    def spelling(self, text: str) -> str:
        """Simplified or Traditional in, the shinjitai Japanese writes out (沈阳 → 瀋陽, 投资 → 投資)."""
        return str(self._t2jp.convert(self._s2t.convert(text)))

    def reads_as(self, words: tuple[str, ...]) -> bool:
        return not any(w in self.false_friends for w in words)

    def words(self, norm: str, index: bool, others: RunWords) -> list[str]:
        drop = self._drop
        out: list[str] = []
        append, extend = out.append, out.extend
        for chunk in _chunks(norm):
            for m in self._tokenizer().tokenize(chunk):
                if m.part_of_speech_id() in drop:
                    continue
                form = m.normalized_form()
                if form.isascii():
                    lower = form.lower()
                    append(self._stemmer.stem(lower) if lower.isalpha() else lower)
                    continue
                append(form)
                # Short units of long words (中小企業 → 中小, 企業) for recall, like jieba's search mode.
                if index and len(form) > 2:
                    parts = m.split(SplitMode.A)
                    if len(parts) > 1:
                        extend([p.normalized_form() for p in parts if p.part_of_speech_id() not in drop])
        return out

    def segment(self, norm: str) -> list[str]:
        skip = self._drop | self._function
        return [m.normalized_form() for chunk in _chunks(norm) for m in self._tokenizer().tokenize(chunk)
                if m.part_of_speech_id() not in skip]

    def sentence_terms(self, norm: str, stopwords: frozenset[str]) -> tuple[list[str], list[str]]:
        kept: list[str] = []
        dropped: list[str] = []
        for chunk in _chunks(norm):
            for m in self._tokenizer().tokenize(chunk):
                pos = m.part_of_speech_id()
                if pos in self._drop:
                    continue
                surface = m.surface()
                # The list holds both normalised forms (為る) and the kana people type (これ).
                if pos in self._function or m.normalized_form() in stopwords or surface in stopwords:
                    dropped.append(surface)
                else:
                    kept.append(surface)
        return kept, dropped


def _pos_ids(dictionary: Dictionary) -> tuple[frozenset[int], frozenset[int]]:
    """Part-of-speech ids to drop from the index (punctuation, blanks) and from key sentences
    (also particles, auxiliaries, conjunctions), looked up once instead of per morpheme."""
    drop, function = set(), set()
    pos_id = 0
    while (pos := dictionary.pos_of(pos_id)) is not None:
        if pos[0] in _SUDACHI_DROP:
            drop.add(pos_id)
        if pos[0] in _SUDACHI_FUNCTION_WORDS:
            function.add(pos_id)
        pos_id += 1
    return frozenset(drop), frozenset(function)


def _chunks(text: str) -> Iterator[str]:
    """Split long text for Sudachi at line or sentence ends, never inside a word if avoidable."""
    while len(text) > _SUDACHI_MAX_CHARS:
        cut = max(text.rfind("\n", 0, _SUDACHI_MAX_CHARS), text.rfind("。", 0, _SUDACHI_MAX_CHARS))
        cut = cut + 1 if cut > 0 else _SUDACHI_MAX_CHARS
        yield text[:cut]
        text = text[cut:]
    if text:
        yield text


LANGUAGE = Japanese
