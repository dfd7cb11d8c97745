"""What a language module provides; analysis/languages/en.py is the shortest example to copy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import ClassVar

from analysis.text import CJK_OR_WORD, CJK_RUN, WORD, is_cjk

UserEntries = list[tuple[str, int | None, str | None]]  # (word, frequency, tag), as jieba's user dictionaries
# Words of a run of another script inside this language's text: (run, index mode) -> words.
RunWords = Callable[[str, bool], Iterable[str]]


class Language:
    """One analysed language: how its text is normalised and cut into words for the index, for
    queries, for key sentences and for dictionary look-ups.

    The analyser has done NFKC, lower case and invisible characters before any method here is
    called (`norm` arguments). A language that segments its whole text itself (Chinese,
    Japanese) sets `whole_text`; for the others the analyser cuts the text into words and runs of
    other scripts, passes each word to `word` and each run to the language its script belongs to.
    """

    code: str = ""
    names: ClassVar[Mapping[str, str]] = {}  # its own name in each interface language ("zh", "en", "ja")
    whole_text: bool = False
    han: bool = False  # written in Han characters: a query word in Han alone gets a reading in it

    def __init__(self) -> None:
        self.stopwords = self.load_stopwords()

    def load_stopwords(self) -> frozenset[str]:
        """Words dropped from key-sentence queries, from analysis/data/stopwords-CODE.txt if there is one."""
        path = resources.files("analysis").joinpath(f"data/stopwords-{self.code}.txt")
        if not path.is_file():
            return frozenset()
        text = path.read_text("utf-8")
        return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())

    def add_words(self, entries: UserEntries) -> None:
        """Words for the segmenter's dictionary (the user dictionary); ignored by default."""

    def normalize(self, norm: str) -> str:
        """Language-specific folding after the shared normalisation (Chinese: Traditional to Simplified)."""
        return norm

    def spelling(self, text: str) -> str:
        """Han characters in the forms this language writes them (only for `han` languages)."""
        return text

    def reads_as(self, words: tuple[str, ...]) -> bool:
        """Whether a Han query word respelled for this language (`spelling`) and cut into `words`
        still means what it meant: false when a word is a known false friend."""
        return True

    def word(self, token: str) -> str:
        """One word as the index keeps it (English: its stem)."""
        return token

    def phrase_forms(self, exact: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The exact sequences a translated phrase is searched as: the exact stream keeps words
        as written, so English adds the other number of the last word (auto part, auto parts)."""
        return [exact]

    def words_of(self, tokens: list[str]) -> list[str]:
        """`word` for many words at once (a stemmer's batch call is faster)."""
        return [self.word(t) for t in tokens]

    def words(self, norm: str, index: bool, others: RunWords) -> list[str]:
        """The words of a text: with sub-words for recall when `index`, as typed for a query.
        Runs of CJK characters inside it go to `others`, which segments them in their own language."""
        if CJK_RUN.search(norm) is None:
            return self.words_of(WORD.findall(norm))
        out: list[str] = []
        for m in CJK_OR_WORD.finditer(norm):
            token = m.group()
            if is_cjk(token):
                out.extend(others(token, index))
            else:
                out.append(self.word(token))
        return out

    def segment(self, norm: str) -> list[str]:
        """Content words in reading order, unstemmed and without sub-words: what a dictionary is looked up with."""
        return [m.group() for m in CJK_OR_WORD.finditer(norm)]

    def sentence_terms(self, norm: str, stopwords: frozenset[str]) -> tuple[list[str], list[str]]:
        """A key sentence's (content words, function words), as written."""
        kept: list[str] = []
        dropped: list[str] = []
        for w in self.sentence_words(norm):
            (dropped if w in stopwords else kept).append(w)
        return kept, dropped

    def sentence_words(self, norm: str) -> list[str]:
        """The words a key sentence is read as, before its stop words go."""
        return self.segment(norm)
