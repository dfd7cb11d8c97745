"""Text primitives every language shares: character classes, invisible characters, the exact stream."""

from __future__ import annotations

import re
from importlib import resources
from operator import add

import Stemmer

# Control characters separate words; zero-width, soft-hyphen and bidirectional marks hide inside
# copied text (a ZWSP between 汽 and 车 is invisible to a reader) and are removed.
INVISIBLE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x2028, 0x2029], " "),
    **dict.fromkeys([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                     0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF], None),
}
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af々〆"
CJK_RUN = re.compile(f"[{CJK_CHARS}ー]+")
WORD_CHAR = f"[^\\W_{CJK_CHARS}]"
WORD = re.compile(f"{WORD_CHAR}+(?:[.+#&']{WORD_CHAR}+)*[+#]*")
CJK_OR_WORD = re.compile(CJK_RUN.pattern + "|" + WORD.pattern)
CJK_OR_WORD_GROUPS = re.compile(f"({CJK_RUN.pattern})|({WORD.pattern})")
ASCII_LETTER = re.compile(r"[a-z]")
NEEDS_CLEANING = re.compile("[" + "".join(re.escape(chr(c)) for c in INVISIBLE) + "]")
# Full-width ASCII and the ideographic space, folded one character for one (also used by snippets).
FULL_WIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}
FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def is_cjk(token: str) -> bool:
    """Whether a token `CJK_OR_WORD` found is a run of CJK characters rather than a word."""
    first = token[0]
    return "\u3040" <= first <= "\ufaff" or "\uac00" <= first <= "\ud7af"


def exact_tokens(norm: str) -> list[str]:
    """Bigrams over CJK runs (a lone character stays a unigram), whole words elsewhere, in text order."""
    out: list[str] = []
    extend, append = out.extend, out.append
    for run, word in CJK_OR_WORD_GROUPS.findall(norm):
        if word:
            append(word)
        elif len(run) == 1:
            append(run)
        else:
            extend(map(add, run, run[1:]))
    return out


def fold_full_width(match: re.Match[str]) -> str:
    return match.group().translate(FULL_WIDTH)


class EnglishStems:
    """Snowball stems of English words (parts → part), except the words it would join to an
    unrelated family (importance → import), listed in analysis/data/stem-exceptions-en.txt. One
    stemmer for English text and for Latin words inside Chinese and Japanese text."""

    def __init__(self) -> None:
        self._snowball = Stemmer.Stemmer("english")
        text = resources.files("analysis").joinpath("data/stem-exceptions-en.txt").read_text("utf-8")
        self._exceptions = dict(line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))

    def stem(self, word: str) -> str:
        return self._exceptions.get(word) or str(self._snowball.stemWord(word))

    def stems(self, words: list[str]) -> list[str]:
        exceptions = self._exceptions
        stemmed = self._snowball.stemWords(words)
        return [exceptions.get(w) or s for w, s in zip(words, stemmed, strict=True)]
