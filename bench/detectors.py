"""Language identification: langdetect against lingua, bare and behind our script rules.

Samples: the bundled demo documents (titles and bodies, Simplified and Traditional Chinese,
Japanese, English, German), generated listing titles, and short texts in Korean, Traditional
Chinese and kanji-heavy Japanese, which are where detectors go wrong.

    python -m bench.detectors
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from importlib import resources

from analysis.language import LanguageIdentifier
from bench.common import machine
from bench.corpus import documents

HARD_CASES = [
    ("瀋陽機械企業尋求臺灣代理商與經銷商，提供總代理權。", "zh"),
    ("臺灣中小企業協會與瀋陽市政府簽署合作備忘錄", "zh"),
    ("國際貿易投資洽談會", "zh"),
    ("日本国内中小企業技術開発促進事業補助金交付要綱の一部改正について", "ja"),
    ("自動車部品の代理店募集", "ja"),
    ("経済産業省中小企業庁による海外展開支援事業の公募について", "ja"),
    ("한국 중소기업 협력 파트너 모집", "ko"),
    ("대한민국 자동차 부품 수출 상담회 개최 안내", "ko"),
    ("Joint venture partner wanted", "en"),
    ("OEM manufacturing of auto parts in Shenyang", "en"),
    ("Wir suchen Vertriebspartner für Werkzeugmaschinen", "de"),
    ("Nous cherchons un distributeur au Japon", "fr"),
]


def samples() -> list[tuple[str, str]]:
    out = list(HARD_CASES)
    sample = resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl").read_text("utf-8")
    for line in sample.splitlines():
        d = json.loads(line)
        out += [(d["title"], d["lang"]), (d["body"], d["lang"])]
    for d in documents(600):
        title = str(d["title"])
        lang = "en" if title.isascii() else ("ja" if any("\u3040" <= c <= "\u30ff" for c in title) else "zh")
        out.append((title, lang))
    return out


def bare_langdetect() -> Callable[[str], str]:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0

    def detect(text: str) -> str:
        d = factory.create()
        d.append(text)
        try:
            return str(d.detect()).split("-")[0]
        except LangDetectException:
            return "und"

    return detect


def bare_lingua() -> Callable[[str], str]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in ("zh", "ja", "ko", "en", "de", "fr", "es", "it", "pt",
                                                        "nl", "vi", "id")]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "und"

    return detect


def run() -> list[tuple[str, float, int, int, list[tuple[str, str, str]]]]:
    cases = samples()
    rows = []
    for name, detect in (("langdetect (bare)", bare_langdetect()), ("lingua (bare, 12 languages)", bare_lingua()),
                         ("ours: scripts + langdetect", LanguageIdentifier("langdetect").identify),
                         ("ours: scripts + lingua", LanguageIdentifier("lingua").identify)):
        detect(cases[0][0])  # load models before timing
        start = time.perf_counter()
        answers = [detect(text) for text, _ in cases]
        seconds = time.perf_counter() - start
        wrong = [(text[:30], want, got) for (text, want), got in zip(cases, answers, strict=True) if got != want]
        rows.append((name, len(cases) / seconds, len(cases), len(wrong), wrong))
    return rows


if __name__ == "__main__":
    print(machine())
    for name, per_s, n, errors, wrong in run():
        print(f"{name:<30} {per_s:8.0f} detections/s  {errors:3d} wrong of {n}  {wrong[:3]}")
