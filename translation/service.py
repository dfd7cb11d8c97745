"""Which engine translates what: neural translation where a language package for the pair is
installed, the dictionary otherwise; every result through the persistent cache."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from analysis import Analyser
from analysis.languages import INTERFACE_LANGUAGES
from config import Settings
from indexer.document import Document, Translation
from indexer.query.crosslingual import Alternative
from translation.cache import TranslationCache
from translation.dictionary import DictionaryTranslator
from translation.lexicon import Lexicon
from translation.nmt import ArgosTranslator

log = logging.getLogger("smesearch.translation")


class Translator(Protocol):
    """One translation engine. `Translations` asks each in order of preference."""

    name: str  # what results and `smesearch stats` call it

    def supports(self, source: str, target: str) -> bool: ...

    def identity(self, source: str, target: str) -> str:
        """Names the model or dictionary version, so the cache never serves another's output."""
        ...

    def translate(self, text: str, source: str, target: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Translated:
    text: str
    engine: str  # "nmt", "dictionary", or "none" when the text needed no translation


class Translations:
    def __init__(self, dictionary: DictionaryTranslator, nmt: ArgosTranslator | None = None,
                 cache: TranslationCache | None = None) -> None:
        self.dictionary = dictionary
        self.nmt = nmt
        self.cache = cache

    @property
    def engines(self) -> list[Translator]:
        """Preferred first: a neural model reads a sentence whole, the dictionary word by word."""
        return [*([self.nmt] if self.nmt is not None else []), self.dictionary]

    def _translator(self, source: str, target: str) -> Translator | None:
        return next((t for t in self.engines if t.supports(source, target)), None)

    def engine_for(self, source: str, target: str) -> str | None:
        if source == target:
            return "none"
        translator = self._translator(source, target)
        return None if translator is None else translator.name

    def translate(self, text: str, source: str, target: str) -> Translated | None:
        """`text` in `target`, or None when no engine translates from `source` (say, Russian)."""
        if source == target or (not text.strip() and self._translator(source, target) is not None):
            return Translated(text, "none")
        translator = self._translator(source, target)
        if translator is None:
            return None
        engine = translator.name
        identity = translator.identity(source, target)
        if self.cache is not None and (hit := self.cache.get(identity, source, target, text)) is not None:
            return Translated(hit, engine)
        result = translator.translate(text, source, target)
        if self.cache is not None:
            try:
                self.cache.put(identity, source, target, text, result)
            except sqlite3.Error as exc:  # a full disk costs the cache entry, not the translation
                log.warning("translation cache not written: %s", exc)
        return Translated(result, engine)

    def alternatives(self, term: str, source: str, target: str, limit: int = 3,
                     whole: bool = False) -> list[Alternative]:
        """Translations of one query word with their confidence, best first, from the dictionary:
        it knows a word's several senses and their order, where a neural model gives one guess for
        a word without context."""
        if not self.dictionary.supports(source, target):
            return []
        return self.dictionary.alternatives(term, source, target, limit, whole)

    def translate_text(self, text: str, source: str, target: str) -> str | None:
        """A passage (a result's snippet) in `target`, only if it reads well (`reads_well`)."""
        result = self.translate(text, source, target)
        if result is None or not self.reads_well(text, result, source, target):
            return None
        return result.text

    def reads_well(self, text: str, result: Translated, source: str, target: str) -> bool:
        """Whether a translation may be shown to a reader: a neural model's reads the text whole;
        the dictionary's only when it knows every word of it (`DictionaryTranslator.rendering`).
        Either way it is still searched."""
        return result.engine != "dictionary" or self.dictionary.rendering(text, source, target) is not None

    def targets(self, doc: Document) -> list[str]:
        """The languages a document is given: Chinese and English always, Japanese too for
        Japanese sources."""
        wanted = ["zh", "en"] + (["ja"] if doc.lang == "ja" or doc.group == "japan" else [])
        return [lang for lang in wanted if lang != doc.lang]

    def translate_document(self, doc: Document) -> None:
        """The indexer's translation hook: fill in the title and summary in each target language
        the source did not already provide."""
        if doc.lang not in INTERFACE_LANGUAGES:
            return
        for target in self.targets(doc):
            if target in doc.translations:
                continue
            title = self.translate(doc.title, doc.lang, target)
            summary = self.translate(doc.summary, doc.lang, target)
            if title is not None and summary is not None:
                doc.translations[target] = Translation(title.text, summary.text, title.engine,
                                                       self.reads_well(doc.title, title, doc.lang, target))

    def status(self) -> dict[str, str]:
        """The engine for each pair, as `smesearch stats` shows it."""
        langs = INTERFACE_LANGUAGES
        return {f"{s}->{t}": self.engine_for(s, t) or "none" for s in langs for t in langs if s != t}


def open_translations(analyser: Analyser, settings: Settings) -> Translations:
    """The translators this machine has: the dictionary always, neural packages when installed
    (by `smesearch translation install`) and the [nmt] extra is there."""
    from translation.lexicon import LEXICON_VERSION

    lexicon = Lexicon(settings.cache_dir / f"lexicon-v{LEXICON_VERSION}.sqlite")
    nmt: ArgosTranslator | None = None
    try:
        import ctranslate2  # noqa: F401
        import sentencepiece  # noqa: F401

        nmt = ArgosTranslator(settings.paths.translation_packages, settings.nmt_threads)
    except ImportError:
        nmt = None
    cache = TranslationCache(settings.paths.translation_cache)
    return Translations(DictionaryTranslator(analyser, lexicon), nmt, cache)


def translation_hook(analyser: Analyser) -> Callable[[Document], None]:
    """The default indexer translation hook (SMESEARCH_TRANSLATION_HOOK), as analysis worker
    processes build it: from the settings their parent exported."""
    return open_translations(analyser, Settings()).translate_document
