"""English: words as the text writes them, each reduced to its Snowball stem (parts → part), but
for the few it would join to unrelated words (importance is not import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from analysis.languages.base import Language
from analysis.text import EnglishStems


class English(Language):
    code = "en"
    names: ClassVar[Mapping[str, str]] = {"zh": "英文", "en": "English", "ja": "英語"}

    def __init__(self) -> None:
        super().__init__()
        self._stems = EnglishStems()

    def word(self, token: str) -> str:
        return self._stems.stem(token)

    def words_of(self, tokens: list[str]) -> list[str]:
        return self._stems.stems(tokens)


LANGUAGE = English
