"""Language identification: script rules first, a statistical detector only for alphabetic text.

Statistical detectors are unreliable exactly where our users write: short titles and mixed
Chinese/Japanese text (langdetect reads Traditional Chinese as Korean; Fess read Japanese as
zh-TW). Scripts settle those cases exactly: kana can only be Japanese, Hangul only Korean, and
Han without kana is Chinese unless the source says otherwise. The detector is asked only about
Latin-script text, where it is good, and only about a prefix, since language does not change
halfway through a page.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

DetectorName = Literal["lingua", "langdetect"]

UNDETERMINED = "und"
DETECTOR_SAMPLE_CHARS = 300  # enough for alphabetic languages; lingua's time grows with length
SAMPLE_CHARS = 400  # scripts settle within a few sentences; more only costs time

_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")

# Latin-script languages the detector may answer; anything else it is not asked about.
# Fewer candidates make lingua both faster and surer (with Tagalog among them, 1% of English
# listings were read as Tagalog); these are the alphabetic languages of our users' markets.
LATIN_LANGS = ("en", "de", "fr", "es", "it", "pt", "nl", "vi", "id")


class _Detector(Protocol):
    def __call__(self, text: str) -> str: ...


def script_language(text: str) -> str | None:
    """The language the script alone proves, or None when it takes a statistical guess."""
    sample = text[:SAMPLE_CHARS]
    han = _count(_HAN, sample)
    kana = _count(_KANA, sample) if _KANA.search(sample) else 0
    if kana and kana * 50 >= han:  # a single stray kana among 500 hanzi is a quotation, not Japanese
        return "ja"
    hangul = _count(_HANGUL, sample) if _HANGUL.search(sample) else 0
    if hangul and hangul >= han:
        return "ko"
    latin = _count(_LATIN, sample)
    # A hanzi carries about as much as a three-letter English word.
    if han and han * 3 >= latin:
        return "zh"
    for pattern, lang in ((_CYRILLIC, "ru"), (_THAI, "th"), (_ARABIC, "ar")):
        if _count(pattern, sample) > latin:
            return lang
    if not latin:
        return "zh" if han else UNDETERMINED
    return None


def run_language(text: str) -> str:
    """The language a run of CJK characters is written in, by script alone: kana is Japanese,
    Han without kana Chinese, Hangul Korean; "" for text in none of them."""
    if _KANA.search(text) is not None:
        return "ja"
    if _HAN.search(text) is not None:
        return "zh"
    if _HANGUL.search(text) is not None:
        return "ko"
    return ""


def _count(pattern: re.Pattern[str], text: str) -> int:
    return len(text) - len(pattern.sub("", text))


def has_kana(text: str) -> bool:
    return _KANA.search(text) is not None


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


class LanguageIdentifier:
    """Deterministic language identification for documents and queries."""

    def __init__(self, detector: DetectorName = "lingua") -> None:
        self.detector_name = detector
        self._detect: _Detector = _lingua_detector() if detector == "lingua" else _langdetect_detector()

    def identify(self, text: str, hint: str = "") -> str:
        """The document's language; an explicit hint (from the source or the importer) wins."""
        if hint:
            return hint
        by_script = script_language(text)
        if by_script is not None:
            return by_script
        return self._detect(text[:DETECTOR_SAMPLE_CHARS])


def _lingua_detector() -> _Detector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LATIN_LANGS]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else "en"

    return detect


def _langdetect_detector() -> _Detector:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0  # langdetect samples n-grams at random; a fixed seed makes it repeatable

    def detect(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            lang = detector.detect()
        except LangDetectException:
            return "en"
        lang = lang.split("-")[0]
        return lang if lang in LATIN_LANGS else "en"

    return detect
