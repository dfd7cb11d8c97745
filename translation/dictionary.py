"""The dictionary translator: glosses a text word by word (longest phrase first) from the lexicon.

It is not fluent, and it does not need to be: what it gives a search is the right words in the
other language (汽车零部件 → "car spare part", 代理店募集 → "agent recruitment"), which is what
matches a page written in that language. It works offline, out of the box, and fast.
"""

from __future__ import annotations

import math
import re

from analysis import Analyser
from analysis.languages import INTERFACE_LANGUAGES
from indexer.query.crosslingual import Alternative
from translation.lexicon import GLOSSARY_RANK, MAX_GLOSSES, Lexicon

PIVOT = "en"
# How sure a gloss is, by its place in its headword's entry: dictionaries list the main sense
# first. Readings below the floor are not searched (a fourth sense is usually another meaning).
POSITION_CONFIDENCE = (1.0, 0.8, 0.6, 0.45)
CONFIDENCE_FLOOR = 0.5
_SAME_IN_ANY_LANGUAGE = re.compile(r"[0-9a-z][0-9a-z.+/&-]*", re.IGNORECASE)
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
                out.append(alternatives[0][0])
            elif phrase not in self.analyser.stopwords:
                out.append(phrase)
        return _JOINERS.get(target, " ").join(out)

    def alternatives(self, term: str, source: str, target: str, limit: int = 3,
                     whole: bool = False) -> list[Alternative]:
        """Translations of one query term with their confidence, best first: the whole term when
        the lexicon knows it (joint venture → 合资, 联营, 合营), else (unless `whole`) the glosses of
        its parts joined, as sure as the least sure part."""
        key = self._key(term, source)
        found = [Alternative(text, sure) for text, sure in self._lookup(key, source, target, limit)]
        if found or whole:
            return found
        parts = [(phrase, alts) for phrase, alts in self._glossed(term, source, target)
                 if alts or phrase not in self.analyser.stopwords]
        # A query word is translated whole or not at all: a part left as written, or a lone
        # character glossed out of context (零 → "zero"), would search for something else.
        if not parts or any(not alts or (source != "en" and len(phrase) == 1) for phrase, alts in parts):
            return []
        return [Alternative(_JOINERS.get(target, " ").join(alts[0][0] for _, alts in parts),
                            min(alts[0][1] for _, alts in parts), composed=True)]

    def rendering(self, text: str, source: str, target: str) -> str | None:
        """`text` in `target` only if every word of it is a known phrase above the confidence
        floor, or a name, number or code that reads the same in any language (CNC, ISO 9001);
        else None: a title glossed in part reads as word salad, and the original reads better."""
        out: list[str] = []
        for phrase, alternatives in self._glossed(text, source, target):
            if phrase in self.analyser.stopwords:
                continue  # "for" → 为 reads worse than nothing
            if alternatives and (source == "en" or len(phrase) > 1):
                out.append(alternatives[0][0])
            elif source != "en" and _SAME_IN_ANY_LANGUAGE.fullmatch(phrase):
                out.append(phrase)
            else:
                return None
        return _JOINERS.get(target, " ").join(out) if out else None

    # -- internals -----------------------------------------------------------------------------

    def _words(self, text: str, lang: str) -> list[str]:
        return [w for w in self.analyser.segment(text, lang) if w not in _LIGHT_VERBS]

    def _key(self, phrase: str, lang: str) -> str:
        return phrase.lower() if lang == "en" else phrase

    def _lookup(self, key: str, source: str, target: str, limit: int) -> list[tuple[str, float]]:
        found = self._lookup_key(key, source, target, limit)
        if not found and source == "en":
            stemmed = " ".join(self.analyser.stem(w) for w in key.split())
            if stemmed != key:
                found = self._lookup_key(stemmed, source, target, limit)
        return found

    def _lookup_key(self, key: str, source: str, target: str, limit: int) -> list[tuple[str, float]]:
        if source == PIVOT:
            return self._from_english(key, target, limit)
        if target == PIVOT:
            return self._to_english(key, source, limit)
        direct = self.lexicon.glosses(key, source, target, limit)  # the glossary's aligned phrases
        if direct:
            return [(g.text, 1.0) for g in direct]
        # Chinese and Japanese share most business words in their own scripts (中小企業 = 中小企业,
        # 投資 = 投资): the same word in the other script is taken directly when both dictionaries
        # give it a meaning in common (汽车 "car" and 汽車 "steam train" share none), and only the
        # rest goes through English (自動車 → car → 汽车).
        same = self.analyser.to_simplified(key) if target == "zh" else self.analyser.to_japanese(key)
        if self._meanings(key, source) & self._meanings(same, target):
            return [(same, 1.0)]
        found: dict[str, float] = {}
        for gloss, sure in self._to_english(key, source, 2):
            for text, also_sure in self._from_english(gloss, target, 2):
                found[text] = max(found.get(text, 0.0), sure * also_sure)
        best = sorted(found.items(), key=lambda item: -item[1])
        return [(text, sure) for text, sure in best if sure >= CONFIDENCE_FLOOR][:limit]

    def _meanings(self, headword: str, lang: str) -> set[str]:
        """The stems of the content words of all a headword's senses: two entries that share one
        mean the same thing in some sense (募集 "to raise; to collect" in Chinese, "recruitment;
        ... raising (funds)" in Japanese)."""
        return {self.analyser.stem(w) for w in self.lexicon.meanings(headword, lang)
                if w not in self.analyser.stopwords}

    def _to_english(self, key: str, source: str, limit: int) -> list[tuple[str, float]]:
        """A headword's glosses, as sure as their place in its dictionary entry."""
        return [(g.text, _confidence(g.rank)) for g in self.lexicon.glosses(key, source, PIVOT, limit)
                if _confidence(g.rank) >= CONFIDENCE_FLOOR]

    def _from_english(self, phrase: str, target: str, limit: int) -> list[tuple[str, float]]:
        """The headwords an English phrase glosses, as sure as the phrase's place among each
        headword's own glosses: 重视 glosses "attach importance to" last, so "importance" finds it
        only weakly, while 进口's first gloss is "import"."""
        found: list[tuple[str, float]] = []
        stems = {" ".join(self.analyser.stem(w) for w in phrase.split()), phrase}
        for g in self.lexicon.glosses(phrase, PIVOT, target, 2 * limit):
            if g.rank < GLOSSARY_RANK:
                sure = 1.0
            else:
                back = [b.text for b in self.lexicon.glosses(g.text, target, PIVOT, MAX_GLOSSES)]
                place = next((n for n, b in enumerate(back)
                              if b in stems or " ".join(self.analyser.stem(w) for w in b.split()) in stems), None)
                sure = POSITION_CONFIDENCE[place] if place is not None else 0.0
            if sure >= CONFIDENCE_FLOOR:
                found.append((g.text, sure))
        return found[:limit]

    def _glossed(self, text: str, source: str, target: str) -> list[tuple[str, list[tuple[str, float]]]]:
        """(source phrase, its translations) along the text, longest known phrase first."""
        words = self._words(text, source)
        joiner = _JOINERS.get(source, " ")
        out: list[tuple[str, list[tuple[str, float]]]] = []
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

    def _pieces(self, word: str, source: str, target: str) -> list[tuple[str, list[tuple[str, float]]]]:
        """A Chinese or Japanese word the lexicon lacks (汽车零部件), glossed by its longest known
        parts (汽车 + 零部件); a word with no known part stays whole."""
        if source == "en" or len(word) < 3:
            return [(word, [])]
        pieces: list[tuple[str, list[tuple[str, float]]]] = []
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


def _confidence(rank: float) -> float:
    """The confidence of a lexicon row: the glossary's are sure; a dictionary's by the gloss's
    place in its entry (the rank's whole part; the fraction only orders spellings)."""
    if rank < GLOSSARY_RANK:
        return 1.0
    place = math.floor(rank)
    return POSITION_CONFIDENCE[place] if 0 <= place < len(POSITION_CONFIDENCE) else 0.0
