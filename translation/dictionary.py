"""The dictionary translator: glosses a text word by word (longest phrase first) from the lexicon.

It is not fluent, and it does not need to be: what it gives a search is the right words in the
other language (汽车零部件 → "car spare part", 代理店募集 → "agent recruitment"), which is what
matches a page written in that language. It works offline, out of the box, and fast.
"""

from __future__ import annotations

from analysis import Analyser
from analysis.languages import INTERFACE_LANGUAGES
from translation.lexicon import Lexicon

PIVOT = "en"
_JOINERS = {"zh": "", "ja": ""}
# Japanese verbs that carry grammar rather than meaning (しています → 為る, 居る).
_LIGHT_VERBS = frozenset({"為る", "居る", "有る", "成る", "出来る", "致す", "御座る", "仕舞う", "下さる", "頂く"})


class DictionaryTranslator:
    name = "dictionary"
    version = 1  # with the lexicon's: part of every cache key, so a better dictionary is used at once
    languages = INTERFACE_LANGUAGES

    def __init__(self, analyser: Analyser, lexicon: Lexicon) -> None:
        self.analyser = analyser
        self.lexicon = lexicon

    def supports(self, source: str, target: str) -> bool:
        return source != target and source in self.languages and target in self.languages

    def identity(self, source: str, target: str) -> str:
        from translation.lexicon import LEXICON_VERSION

        return f"dictionary/{self.version}/{LEXICON_VERSION}"

    def translate(self, text: str, source: str, target: str) -> str:
        """Gloss `text` into `target`; words the lexicon lacks (names, numbers) stay as written."""
        out: list[str] = []
        for phrase, alternatives in self._glossed(text, source, target):
            if alternatives:
                out.append(alternatives[0])
            elif phrase not in self.analyser.stopwords:
                out.append(phrase)
        return _JOINERS.get(target, " ").join(out)

    def alternatives(self, term: str, source: str, target: str, limit: int = 3, whole: bool = False) -> list[str]:
        """Translations of one query term, best first: the whole term when the lexicon knows it
        (joint venture → 合资, 联营, 合营), else (unless `whole`) the glosses of its parts joined."""
        key = self._key(term, source)
        found = self._lookup(key, source, target, limit)
        if found or whole:
            return found
        parts = [(phrase, alts) for phrase, alts in self._glossed(term, source, target)
                 if alts or phrase not in self.analyser.stopwords]
        # A query word is translated whole or not at all: a part left as written, or a lone
        # character glossed out of context (零 → "zero"), would search for something else.
        if not parts or any(not alts or (source != "en" and len(phrase) == 1) for phrase, alts in parts):
            return []
        return [_JOINERS.get(target, " ").join(alts[0] for _, alts in parts)]

    # -- internals -----------------------------------------------------------------------------

    def _words(self, text: str, lang: str) -> list[str]:
        return [w for w in self.analyser.segment(text, lang) if w not in _LIGHT_VERBS]

    def _key(self, phrase: str, lang: str) -> str:
        return phrase.lower() if lang == "en" else phrase

    def _lookup(self, key: str, source: str, target: str, limit: int) -> list[str]:
        found = self._lookup_key(key, source, target, limit)
        if not found and source == "en":
            stemmed = " ".join(self.analyser.stem(w) for w in key.split())
            if stemmed != key:
                found = self._lookup_key(stemmed, source, target, limit)
        return found

    def _lookup_key(self, key: str, source: str, target: str, limit: int) -> list[str]:
        if source != PIVOT and target != PIVOT:
            direct = self.lexicon.glosses(key, source, target, limit)  # the glossary's aligned phrases
            if direct:
                return [g.text for g in direct]
            # Chinese and Japanese share most business words in their own scripts (中小企業 =
            # 中小企业, 投資 = 投资); a word the other dictionary knows is taken as it is, and only
            # the rest goes through English (自動車 → car → 汽车).
            same = self.analyser.to_simplified(key) if target == "zh" else self.analyser.to_japanese(key)
            if self.lexicon.glosses(same, target, PIVOT, 1):
                return [same]
            found: list[str] = []
            for gloss in self.lexicon.glosses(key, source, PIVOT, 2):
                found += [g.text for g in self.lexicon.glosses(self._key(gloss.text, PIVOT), PIVOT, target, 2)]
            return list(dict.fromkeys(found))[:limit]
        return [g.text for g in self.lexicon.glosses(key, source, target, limit)]

    def _glossed(self, text: str, source: str, target: str) -> list[tuple[str, list[str]]]:
        """(source phrase, its translations) along the text, longest known phrase first."""
        words = self._words(text, source)
        joiner = _JOINERS.get(source, " ")
        out: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + self.lexicon.max_phrase_words), i, -1):
                phrase = joiner.join(words[i:j])
                found = self._lookup(self._key(phrase, source), source, target, 3)
                if found:
                    out.append((phrase, found))
                elif j == i + 1:
                    out.extend(self._pieces(phrase, source, target))
                else:
                    continue
                i = j
                break
        return out

    def _pieces(self, word: str, source: str, target: str) -> list[tuple[str, list[str]]]:
        """A Chinese or Japanese word the lexicon lacks (汽车零部件), glossed by its longest known
        parts (汽车 + 零部件); a word with no known part stays whole."""
        if source == "en" or len(word) < 3:
            return [(word, [])]
        pieces: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(word):
            for j in range(len(word), i, -1):
                found = self._lookup(word[i:j], source, target, 3) if j - i > 1 else []
                if found or j == i + 1:
                    pieces.append((word[i:j], found))
                    i = j
                    break
        if not any(found for _, found in pieces):
            return [(word, [])]
        return pieces
