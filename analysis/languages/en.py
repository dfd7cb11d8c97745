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

    def phrase_forms(self, exact: tuple[str, ...]) -> list[tuple[str, ...]]:
        *head, last = exact
        if last.endswith("ies") and len(last) > 4:
            other = last[:-3] + "y"
        elif last.endswith(("ches", "shes", "sses", "xes")):
            other = last[:-2]
        elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
            other = last[:-1]
        elif last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
            other = last[:-1] + "ies"
        elif last.endswith(("ch", "sh", "ss", "x")):
            other = last + "es"
        else:
            other = last + "s"
        return [exact, (*head, other)]

    def word(self, token: str) -> str:
        return self._stems.stem(token)

    def words_of(self, tokens: list[str]) -> list[str]:
        return self._stems.stems(tokens)


LANGUAGE = English
