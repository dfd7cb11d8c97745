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

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.language import DetectorName, LanguageIdentifier, has_han, has_kana, run_language, script_language
from analysis.languages import analysed_codes, builtin_modules, load_languages
from analysis.languages.base import Language, UserEntries
from analysis.languages.zh import default_user_dictionary
from analysis.text import (
    FULL_WIDTH,
    FULL_WIDTH_RUN,
    INVISIBLE,
    NEEDS_CLEANING,
    exact_tokens,
    fold_full_width,
)

ANALYSED_LANGS = analysed_codes()
# A dictionary word inside a query word counts for half the word (part_readings).
PART_WEIGHT = 0.5
__all__ = ["ANALYSED_LANGS", "FULL_WIDTH", "Analyser", "AnalyserSpec", "Analysis", "QueryTermVariant"]


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
    phrase: bool = False  # matched only as its exact sequence, not word by word
    related: bool = False  # another term of the word's thesaurus concept (textile → 纺织品)


@dataclass(frozen=True, slots=True)
class AnalyserSpec:
    """How to build an analyser like another, in a worker process: picklable, and cheap to make
    where no analyser was needed (a crawl process whose workers do the analysis)."""

    detector: DetectorName = "lingua"
    user_entries: UserEntries | None = None  # our user dictionary when None
    extra_languages: tuple[str, ...] = ()

    def build(self) -> Analyser:
        return Analyser(self.detector, user_entries=self.user_entries, extra_languages=self.extra_languages)


def _user_dictionary_lines(path: Path | None) -> UserEntries:
    text = path.read_text("utf-8") if path is not None else default_user_dictionary()
    entries: UserEntries = []
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
    """Normalisation, language identification and segmentation for every language in
    `analysis.languages`, and plain words for the rest.

    Build one per process: loading the dictionaries takes about a second, analysing is fast.
    """

    def __init__(self, detector: DetectorName = "lingua", user_dictionary: Path | None = None,
                 *, user_entries: UserEntries | None = None, extra_languages: Sequence[str] = ()) -> None:
        """`user_dictionary` is a jieba user-dictionary file (ours by default); `user_entries`
        gives its parsed entries instead, as worker processes receive them from their parent.
        `extra_languages` names language modules outside `analysis.languages`."""
        self.identifier = LanguageIdentifier(detector)
        self.extra_languages = tuple(extra_languages)
        self.registry: dict[str, Language] = load_languages((*builtin_modules(), *extra_languages))
        self._plain = Language()  # languages without a module: words as written
        self.user_dictionary: UserEntries = []
        self._add_user_words(user_entries if user_entries is not None else _user_dictionary_lines(user_dictionary))
        self.stopwords = frozenset().union(*(language.stopwords for language in self.registry.values()))
        self._han = [language for language in self.registry.values() if language.han]

    def _add_user_words(self, entries: UserEntries) -> None:
        """Add (word, frequency, tag) entries to the segmenters' dictionaries, once each."""
        known = {w for w, _, _ in self.user_dictionary}
        new: UserEntries = []
        for entry in entries:
            if entry[0] not in known:
                new.append(entry)
                known.add(entry[0])
        for language in self.registry.values():
            language.add_words(new)
        self.user_dictionary.extend(new)

    @property
    def spec(self) -> AnalyserSpec:
        return AnalyserSpec(self.identifier.detector_name, self.user_dictionary, self.extra_languages)

    def language(self, code: str) -> Language:
        """The module for `code`, or plain words for a language without one."""
        return self.registry.get(code) or self._plain

    # -- normalisation -------------------------------------------------------------------

    def normalize(self, text: str, lang: str = "") -> str:
        """NFKC (full-width to half-width), lower case, invisible characters to spaces; then the
        language's own folding (Chinese: Traditional to Simplified, so that 瀋陽 finds 沈阳). Text of
        no stated language is folded as its script suggests."""
        if NEEDS_CLEANING.search(text) is not None:
            text = text.translate(INVISIBLE)
        if not text.isascii():
            # Full-width ASCII (，１２ＯＥＭ) is most of what keeps CJK text from being NFKC already;
            # folding it first lets the quick check skip the slow full normalisation for most pages.
            text = FULL_WIDTH_RUN.sub(fold_full_width, text)
            if not unicodedata.is_normalized("NFKC", text):
                text = unicodedata.normalize("NFKC", text)
        text = text.lower()
        language = self.registry.get(lang or run_language(text))
        return language.normalize(text) if language is not None else text

    def to_simplified(self, text: str) -> str:
        return self.language("zh").spelling(text)

    def to_japanese(self, text: str) -> str:
        """Chinese characters in the forms Japanese uses (Simplified or Traditional in, shinjitai out)."""
        return self.language("ja").spelling(text)

    def identify(self, text: str, hint: str = "") -> str:
        return self.identifier.identify(text, hint)

    def _run_words(self, run: str, index: bool) -> Iterator[str]:
        """A run of CJK characters inside text of another language, segmented in the language its
        script belongs to (kana: Japanese, Han: Chinese), or kept whole when none is analysed."""
        language = self.registry.get(run_language(run))
        if language is None or not language.whole_text:
            yield run
        else:
            yield from language.words(language.normalize(run), index, self._run_words)

    # -- documents -----------------------------------------------------------------------

    def analyse(self, text: str, lang: str) -> Analysis:
        """Index-time analysis of one field of a document whose language is `lang`."""
        norm = self.normalize(text, lang)
        words = self.language(lang).words(norm, True, self._run_words)
        return Analysis(lang, words, exact_tokens(norm), norm)

    # -- queries -------------------------------------------------------------------------

    def query_variants(self, word: str, lang_hint: str = "") -> list[QueryTermVariant]:
        """The readings of one query word, in precise mode.

        A word written only in hanzi may be Chinese or Japanese (自動車部品); it gets a reading
        in each language written in Han whose spelling of it differs (沈阳 → 瀋陽, 投资 → 投資), so
        it finds pages in all of them. Where the spellings agree (食品) the first reading covers
        them. Duplicate readings are merged.
        """
        raw = unicodedata.normalize("NFKC", word.translate(INVISIBLE)).lower()
        respelled: set[str] = set()
        if self.language(lang_hint).whole_text:
            langs = [lang_hint]
        elif has_han(raw) and not has_kana(raw):
            first = self.language(run_language(raw))
            langs = [first.code] + [h.code for h in self._han
                                    if h is not first and h.spelling(raw) != first.spelling(raw)]
            respelled = set(langs[1:])
        else:
            langs = [run_language(raw) or script_language(raw) or "en"]
        variants: list[QueryTermVariant] = []
        for lang in langs:
            language = self.language(lang)
            norm = self.normalize(raw, lang)
            if lang in respelled:
                norm = language.spelling(norm)
            words = language.words(norm, False, self._run_words)
            if lang in respelled and not language.reads_as(tuple(words)):
                continue  # a false friend (汽车 "car" respelled 汽車 "steam train")
            variant = QueryTermVariant(lang, tuple(words), tuple(exact_tokens(norm)))
            if variant.words and all(variant.words != v.words or variant.exact != v.exact for v in variants):
                variants.append(variant)
        return variants

    def part_readings(self, variant: QueryTermVariant) -> list[QueryTermVariant]:
        """The dictionary words inside a one-word reading (刹车片 → 刹车, 仕入れ先 → 仕入れ), as
        the index also holds them, weighted below the word: a page about 刹车系统 answers a query
        for 刹车片 better than nothing does. Single characters are left out (片, 先): they match
        too much to mean the word."""
        if len(variant.words) != 1 or variant.translated_from:
            return []
        word = variant.words[0]
        language = self.language(variant.lang)
        parts = dict.fromkeys(p for p in language.words(word, True, self._run_words) if len(p) > 1 and p != word)
        return [QueryTermVariant(variant.lang, (part,), (), PART_WEIGHT) for part in parts if part in word]

    def sentence_terms(self, sentence: str, lang_hint: str = "") -> tuple[str, list[str], list[str]]:
        """Content words of a key sentence: (language, content words, dropped words), as written.

        Function words go (particles and auxiliaries by part of speech for Japanese, stop-word
        lists otherwise). A sentence of nothing but function words has no content words: the
        caller says so rather than searching them.
        """
        raw = unicodedata.normalize("NFKC", sentence.translate(INVISIBLE)).lower()
        lang = lang_hint or script_language(raw) or self.identifier.identify(raw)
        norm = self.normalize(raw, lang)
        kept, dropped = self.language(lang).sentence_terms(norm, self.stopwords)
        return lang, list(dict.fromkeys(kept)), dropped

    def segment(self, text: str, lang: str) -> list[str]:
        """The content words of a text in reading order, in their normalised forms and unstemmed
        (募集し → 募集, Parts → parts), without sub-words or Japanese particles and auxiliaries:
        what a dictionary is looked up with."""
        return self.language(lang).segment(self.normalize(text, lang))

    def stem(self, word: str) -> str:
        """The English Snowball stem of a lower-case word."""
        return self.language("en").word(word)
