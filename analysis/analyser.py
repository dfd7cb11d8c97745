"""The one analyser: the same code turns documents into index tokens and queries into query tokens.

Every backend receives text that is already normalised and segmented (whitespace-separated
tokens), so the embedded engine and Elasticsearch see the same words and match the same pages.

Two token streams come out of a text:
- `words`: dictionary words (jieba for Chinese, Sudachi for Japanese, Snowball stems for
  English). For indexing, Chinese also gets jieba's search-mode sub-words (中小企业 → 中小, 企业,
  小企业) and Japanese Sudachi's short units, for recall.
- `exact`: overlapping character bigrams over CJK runs and unstemmed words elsewhere, in text
  order. Phrase queries run on this stream, and it catches names the dictionaries do not know
  (a new company, a product code) the way Fess's bigram fallback does.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from operator import add
from pathlib import Path

import jieba
import opencc
import rjieba
import Stemmer
from sudachipy import Dictionary, SplitMode, Tokenizer

from analysis.language import DetectorName, LanguageIdentifier, has_han, has_kana, script_language

ANALYSED_LANGS = ("zh", "ja", "en")

# Control characters separate words; zero-width, soft-hyphen and bidirectional marks hide inside
# copied text (a ZWSP between 汽 and 车 is invisible to a reader) and are removed.
_INVISIBLE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x2028, 0x2029], " "),
    **dict.fromkeys([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                     0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF], None),
}
_CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af々〆"
_CJK_RUN = re.compile(f"[{_CJK_CHARS}ー]+")
_WORD_CHAR = f"[^\\W_{_CJK_CHARS}]"
_WORD = re.compile(f"{_WORD_CHAR}+(?:[.+#&']{_WORD_CHAR}+)*[+#]*")
_CJK_OR_WORD = re.compile(_CJK_RUN.pattern + "|" + _WORD.pattern)
_CJK_OR_WORD_GROUPS = re.compile(f"({_CJK_RUN.pattern})|({_WORD.pattern})")
_ASCII_LETTER = re.compile(r"[a-z]")
_NEEDS_CLEANING = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")
_HAS_WORD_CHAR = re.compile(r"[^\W_]")
# Full-width ASCII and the ideographic space, folded one character for one (also used by snippets).
FULL_WIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")
_SUDACHI_MAX_CHARS = 8000  # Sudachi refuses inputs over ~49 KB; chunks stay far below
_SUDACHI_DROP = frozenset({"補助記号", "空白"})
_SUDACHI_FUNCTION_WORDS = frozenset({"助詞", "助動詞", "接続詞", "感動詞", "記号", "補助記号", "空白"})


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text's two token streams and the language they were made for."""

    lang: str
    words: list[str]
    exact: list[str]
    norm: str = ""  # the normalised text the streams were cut from


@dataclass(frozen=True, slots=True)
class QueryTermVariant:
    """One reading of a query word: its dictionary tokens and its exact (bigram) sequence."""

    lang: str
    words: tuple[str, ...]
    exact: tuple[str, ...]
    weight: float = 1.0  # below 1 for a translation of what the user typed
    translated_from: str = ""  # the language of the word this reading translates, if it is one


def load_stopwords() -> frozenset[str]:
    text = resources.files("analysis").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _user_dictionary_lines(path: Path | None) -> list[tuple[str, int | None, str | None]]:
    text = (path.read_text("utf-8") if path is not None else
            resources.files("analysis").joinpath("data/userdict_zh.txt").read_text("utf-8"))
    entries: list[tuple[str, int | None, str | None]] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        # Text is normalised before segmentation, so dictionary words must be too (OEM → oem).
        entries.append((unicodedata.normalize("NFKC", parts[0]).lower(), freq, tag))
    return entries


class Analyser:
    """Normalisation, language identification and segmentation for zh, ja, en and the rest.

    Build one per process: loading the dictionaries takes about a second, analysing is fast.
    """

    def __init__(self, detector: DetectorName = "lingua", user_dictionary: Path | None = None,
                 *, user_entries: list[tuple[str, int | None, str | None]] | None = None) -> None:
        """`user_dictionary` is a jieba user-dictionary file (ours by default); `user_entries`
        gives its parsed entries instead, as worker processes receive them from their parent."""
        self.languages = LanguageIdentifier(detector)
        self._jieba = rjieba.Jieba()
        self.user_dictionary: list[tuple[str, int | None, str | None]] = []
        self._add_user_words(user_entries if user_entries is not None else _user_dictionary_lines(user_dictionary))
        self._t2s = opencc.OpenCC("t2s")
        self._s2t = opencc.OpenCC("s2t")
        self._t2jp = opencc.OpenCC("t2jp")
        sudachi = Dictionary(dict="core")
        self._sudachi_dictionary = sudachi
        # A Sudachi tokenizer refuses concurrent use, and the API analyses queries on a thread
        # pool: one tokenizer per thread, over the one dictionary.
        self._sudachi_by_thread = threading.local()
        self._pos_drop, self._pos_function = _pos_ids(sudachi)
        self._stemmer = Stemmer.Stemmer("english")
        self.stopwords = load_stopwords()

    def _add_user_words(self, entries: list[tuple[str, int | None, str | None]]) -> None:
        """Add (word, frequency, tag) entries to jieba's dictionary, as jieba's load_userdict does."""
        known = {w for w, _, _ in self.user_dictionary}
        for word, freq, tag in entries:
            if word not in known:
                self._jieba.add_word(word, freq, tag)
                self.user_dictionary.append((word, freq, tag))
                known.add(word)

    def _tokenizer(self) -> Tokenizer:
        tokenizer = getattr(self._sudachi_by_thread, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._sudachi_dictionary.tokenizer(SplitMode.C, fields={"pos", "normalized_form", "split_a"})
            self._sudachi_by_thread.tokenizer = tokenizer
        return tokenizer

    # -- normalisation -------------------------------------------------------------------

    def normalize(self, text: str, lang: str = "") -> str:
        """NFKC (full-width to half-width), lower case, invisible characters to spaces; and for
        Chinese, Traditional to Simplified so that 瀋陽 finds 沈阳."""
        if _NEEDS_CLEANING.search(text) is not None:
            text = text.translate(_INVISIBLE)
        if not text.isascii():
            # Full-width ASCII (，１２ＯＥＭ) is most of what keeps CJK text from being NFKC already;
            # folding it first lets the quick check skip the slow full normalisation for most pages.
            text = _FULL_WIDTH_RUN.sub(_fold_full_width, text)
            if not unicodedata.is_normalized("NFKC", text):
                text = unicodedata.normalize("NFKC", text)
        text = text.lower()
        if lang == "zh" or (lang == "" and has_han(text) and not has_kana(text)):
            text = self._t2s.convert(text)
        return text

    def to_simplified(self, text: str) -> str:
        return str(self._t2s.convert(text))

    def to_japanese(self, text: str) -> str:
        """Chinese characters in the forms Japanese uses (Simplified or Traditional in, shinjitai out)."""
        return str(self._t2jp.convert(self._s2t.convert(text)))

    def identify(self, text: str, hint: str = "") -> str:
        return self.languages.identify(text, hint)

    # -- documents -----------------------------------------------------------------------

    def analyse(self, text: str, lang: str) -> Analysis:
        """Index-time analysis of one field of a document whose language is `lang`."""
        norm = self.normalize(text, lang)
        if lang == "zh":
            words = self._chinese(norm, index=True)
        elif lang == "ja":
            words = self._japanese(norm, index=True)
        elif _CJK_RUN.search(norm) is None:
            found = _WORD.findall(norm)
            words = self._stemmer.stemWords(found) if lang == "en" else found
        else:
            words = list(self._generic(norm, lang, index=True))
        return Analysis(lang, words, _exact_tokens(norm), norm)

    # -- queries -------------------------------------------------------------------------

    def query_variants(self, word: str, lang_hint: str = "") -> list[QueryTermVariant]:
        """The readings of one query word, in precise mode.

        A word written only in hanzi may be Chinese or Japanese (自動車部品); it gets a reading
        for each, so it finds pages in both. Duplicate readings are merged.
        """
        raw = unicodedata.normalize("NFKC", word.translate(_INVISIBLE)).lower()
        if lang_hint in ("zh", "ja"):
            langs = [lang_hint]
        elif has_kana(raw):
            langs = ["ja"]
        elif has_han(raw):
            # The same word in Japanese kanji: 沈阳 → 瀋陽, 投资 → 投資. Where both scripts agree
            # (食品) the Chinese reading already covers Japanese pages.
            langs = ["zh", "ja"] if self.to_japanese(raw) != self.to_simplified(raw) else ["zh"]
        else:
            langs = [script_language(raw) or "en"]
        variants: list[QueryTermVariant] = []
        for lang in langs:
            norm = self.normalize(raw, lang)
            if lang == "ja" and len(langs) == 2:
                norm = self.to_japanese(norm)
            if lang == "zh":
                words = self._chinese(norm, index=False)
            elif lang == "ja":
                words = self._japanese(norm, index=False)
            else:
                words = list(self._generic(norm, lang, index=False))
            variant = QueryTermVariant(lang, tuple(words), tuple(_exact_tokens(norm)))
            if variant.words and all(variant.words != v.words or variant.exact != v.exact for v in variants):
                variants.append(variant)
        return variants

    def sentence_terms(self, sentence: str, lang_hint: str = "") -> tuple[str, list[str], list[str]]:
        """Content words of a key sentence: (language, content words, dropped words), as written.

        Function words go (particles and auxiliaries by part of speech for Japanese, stop-word
        lists otherwise); when nothing else is left the stop words are all the user gave us, so
        they are kept rather than answering an empty query.
        """
        raw = unicodedata.normalize("NFKC", sentence.translate(_INVISIBLE)).lower()
        lang = lang_hint or script_language(raw) or self.languages.identify(raw)
        norm = self.normalize(raw, lang)
        kept: list[str] = []
        dropped: list[str] = []
        if lang == "ja":
            for chunk in _chunks(norm):
                for m in self._tokenizer().tokenize(chunk):
                    pos = m.part_of_speech_id()
                    if pos in self._pos_drop:
                        continue
                    surface = m.surface()
                    if pos in self._pos_function or m.normalized_form() in self.stopwords:
                        dropped.append(surface)
                    else:
                        kept.append(surface)
        else:
            words = (self._chinese(norm, index=False) if lang == "zh"
                     else [m.group() for m in _CJK_OR_WORD.finditer(norm)])
            for w in words:
                (dropped if w in self.stopwords else kept).append(w)
        if not kept:
            kept, dropped = dropped, []
        return lang, list(dict.fromkeys(kept)), dropped

    # -- segmenters ----------------------------------------------------------------------

    def _chinese(self, norm: str, index: bool) -> list[str]:
        """jieba without HMM, keeping word tokens. Codes such as c++ lose their symbols here but
        stay whole in the exact stream, where queries for them match."""
        tokens = self._jieba.cut_for_search(norm, False) if index else self._jieba.cut(norm, False)
        words = [t for t in tokens if t.isalnum()]
        return self._stem_latin(words) if _ASCII_LETTER.search(norm) is not None else words

    def _japanese(self, norm: str, index: bool) -> list[str]:
        drop = self._pos_drop
        out: list[str] = []
        append, extend = out.append, out.extend
        for chunk in _chunks(norm):
            for m in self._tokenizer().tokenize(chunk):
                if m.part_of_speech_id() in drop:
                    continue
                form = m.normalized_form()
                if form.isascii():
                    append(self._stem(form.lower()))
                    continue
                append(form)
                # Short units of long words (中小企業 → 中小, 企業) for recall, like jieba's search mode.
                if index and len(form) > 2:
                    parts = m.split(SplitMode.A)
                    if len(parts) > 1:
                        extend([p.normalized_form() for p in parts if p.part_of_speech_id() not in drop])
        return out

    def _generic(self, norm: str, lang: str, index: bool) -> Iterator[str]:
        """English with stems; other languages with plain words; CJK runs inside them segmented."""
        for m in _CJK_OR_WORD.finditer(norm):
            token = m.group()
            first = token[0]
            if "\u3040" <= first <= "\ufaff" or "\uac00" <= first <= "\ud7af":
                if has_kana(token):
                    yield from self._japanese(token, index)
                elif has_han(token):
                    converted = self._t2s.convert(token)
                    yield from (self._jieba.cut_for_search(converted, False) if index
                                else self._jieba.cut(converted, False))
                else:
                    yield token
            elif lang == "en":
                yield self._stemmer.stemWord(token)
            else:
                yield token

    def segment(self, text: str, lang: str) -> list[str]:
        """The content words of a text in reading order, in their normalised forms and unstemmed
        (募集し → 募集, Parts → parts), without sub-words or Japanese particles and auxiliaries:
        what a dictionary is looked up with."""
        norm = self.normalize(text, lang)
        if lang == "zh":
            return [t for t in self._jieba.cut(norm, False) if t.isalnum()]
        if lang == "ja":
            skip = self._pos_drop | self._pos_function
            return [m.normalized_form() for chunk in _chunks(norm) for m in self._tokenizer().tokenize(chunk)
                    if m.part_of_speech_id() not in skip]
        return [m.group() for m in _CJK_OR_WORD.finditer(norm)]

    def stem(self, word: str) -> str:
        """The English Snowball stem of a lower-case word."""
        return self._stemmer.stemWord(word)

    def _stem(self, token: str) -> str:
        return self._stemmer.stemWord(token) if token.isalpha() else token

    def _stem_latin(self, tokens: list[str]) -> list[str]:
        stem = self._stemmer.stemWord
        return [stem(t) if t.isascii() and t[0].isalpha() else t for t in tokens]


def _exact_tokens(norm: str) -> list[str]:
    """Bigrams over CJK runs (a lone character stays a unigram), whole words elsewhere, in text order."""
    out: list[str] = []
    extend, append = out.extend, out.append
    for run, word in _CJK_OR_WORD_GROUPS.findall(norm):
        if word:
            append(word)
        elif len(run) == 1:
            append(run)
        else:
            extend(map(add, run, run[1:]))
    return out


def _fold_full_width(match: re.Match[str]) -> str:
    return match.group().translate(FULL_WIDTH)


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


def reference_jieba(user_dictionary: list[tuple[str, int | None, str | None]]) -> jieba.Tokenizer:
    """Python jieba with the same user dictionary: the reference rjieba is tested against."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word, freq, tag in user_dictionary:
        tokenizer.add_word(word, freq, tag)
    return tokenizer
