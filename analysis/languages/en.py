"""English: words as the text writes them, each reduced to its Snowball stem (parts → part)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import Stemmer

from analysis.languages.base import Language


class English(Language):
    code = "en"
    names: ClassVar[Mapping[str, str]] = {"zh": "英文", "en": "English", "ja": "英語"}

    def __init__(self) -> None:
        super().__init__()
        self._stemmer = Stemmer.Stemmer("english")

    def word(self, token: str) -> str:
        return str(self._stemmer.stemWord(token))

    def words_of(self, tokens: list[str]) -> list[str]:
        return list(self._stemmer.stemWords(tokens))


LANGUAGE = English
