"""Korean, as a test of the language registry: words are space-separated, and a particle at the
end of a word (부품을 "parts" + object marker) is cut off, so 부품을 and 부품이 both index 부품.

A real Korean module would use a morphological analyser; this one is the whole of what the
analyser needs from a language, in one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from analysis.languages.base import Language, RunWords
from analysis.text import CJK_OR_WORD

PARTICLES = ("에서", "을", "를", "은", "는", "이", "가", "의", "에", "와", "과", "도")


class Korean(Language):
    code = "ko"
    names: ClassVar[Mapping[str, str]] = {"zh": "韩文", "en": "Korean", "ja": "韓国語"}
    whole_text = True  # segments its Hangul runs itself

    def load_stopwords(self) -> frozenset[str]:
        return frozenset({"우리", "찾고", "있습니다"})  # as `word` leaves them

    def word(self, token: str) -> str:
        for particle in PARTICLES:
            if token.endswith(particle) and len(token) > len(particle) + 1:
                return token[: -len(particle)]
        return token

    def words(self, norm: str, index: bool, others: RunWords) -> list[str]:
        return [self.word(m.group()) for m in CJK_OR_WORD.finditer(norm)]

    def segment(self, norm: str) -> list[str]:
        return self.words(norm, False, lambda run, index: [run])


LANGUAGE = Korean
