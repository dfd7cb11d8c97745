"""Cross-lingual retrieval: does a query in one language find the listings written in another?

    python -m bench.crosslingual

The documents are the 116 listings of the two classification sets (zh, ja and en), indexed
into a fresh embedded index the way the crawler's pipeline does it, titles and summaries
translated at index time. The queries (`bench/data/crosslingual_queries.jsonl`) are 32 product
concepts, two or more per category, each asked the way an SME would type it in Chinese, in
Japanese and in English, in keyword mode and without a language hint, as the API receives them.
Each concept names the listings that answer it (judged by reading them, not by category), so
`h3` is line 3 of classification_heldout.jsonl and `d3` line 3 of classification_dev.jsonl.

recall@10 of a query over one document language: the share of that language's relevant listings
in the top 10 when the search is filtered to that language. A concept counts for a document
language only if it has relevant listings in it. The issue's goal: cross-lingual recall (query
language != document language) at least 0.6 of the monolingual recall (the same concepts asked
in the documents' own language), for each pair of languages and for each document language.

Two baselines show what translation adds: the same index searched with query translation off
(documents still carry their index-time translations), and an index built with no translation
at all, searched as typed (what matches then comes from shared characters such as kanji/hanzi
and Latin product names).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.common import OUT, machine
from config.settings import Settings
from indexer.backends.base import SearchFilters
from indexer.document import Document
from indexer.service import SearchService
from operations.app import App

DATA = Path(__file__).parent / "data"
LISTINGS = {"h": DATA / "classification_heldout.jsonl", "d": DATA / "classification_dev.jsonl"}
QUERIES = DATA / "crosslingual_queries.jsonl"
LANGS = ("zh", "ja", "en")
TOP = 10


def listings() -> dict[str, dict[str, object]]:
    out = {}
    for prefix, path in LISTINGS.items():
        for i, line in enumerate(path.read_text("utf-8").splitlines()):
            if line.strip():
                out[f"{prefix}{i}"] = json.loads(line)
    return out


def documents(rows: dict[str, dict[str, object]]) -> list[Document]:
    return [Document(url=f"https://listings.bench.invalid/{key}", title=str(row["title"]), body=str(row["body"]),
                     lang=str(row["lang"]), source="bench", group="other")
            for key, row in rows.items()]


def recall_table(search: SearchService, concepts: list[dict[str, object]], rows: dict[str, dict[str, object]],
                 translate: bool) -> dict[str, dict[str, float]]:
    """recall@10 averaged over concepts, by query language and then document language."""
    table: dict[str, dict[str, float]] = {}
    for q_lang in LANGS:
        table[q_lang] = {}
        for d_lang in LANGS:
            recalls = []
            for concept in concepts:
                relevant = {k for k in concept["relevant"] if rows[k]["lang"] == d_lang}  # type: ignore[attr-defined]
                if not relevant:
                    continue
                query = concept["queries"][q_lang]  # type: ignore[index]
                found = search.search(query, filters=SearchFilters(langs=[d_lang]), size=TOP, translate=translate)
                urls = {hit.document.url.rsplit("/", 1)[1] for hit in found.hits}
                recalls.append(len(relevant & urls) / len(relevant))
            table[q_lang][d_lang] = round(sum(recalls) / len(recalls), 3)
    return table


def summary(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per document language: its monolingual recall, the mean cross-lingual one and their ratio."""
    out = {}
    for d_lang in LANGS:
        mono = table[d_lang][d_lang]
        cross = sum(table[q][d_lang] for q in LANGS if q != d_lang) / (len(LANGS) - 1)
        out[d_lang] = {"monolingual": mono, "cross_lingual": round(cross, 3),
                       "ratio": round(cross / mono, 3) if mono else 0.0}
    return out


def pair_ratios(table: dict[str, dict[str, float]]) -> dict[str, float]:
    """Each cross-lingual pair against the monolingual recall of its document language."""
    return {f"{q}->{d}": round(table[q][d] / table[d][d], 3) if table[d][d] else 0.0
            for q in LANGS for d in LANGS if q != d}


def main() -> None:
    rows = listings()
    concepts = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        app = App(Settings(data_dir=Path(tmp) / "translated", backend="embedded"))
        plain = App(Settings(data_dir=Path(tmp) / "plain", backend="embedded", translation_hook=""))
        try:
            app.indexer.index(documents(rows))
            translated = recall_table(app.search, concepts, rows, translate=True)
            # The same, without the trade thesaurus's related terms: what translation alone gives.
            bare = SearchService(app.analyser, app.backend, translator=app.translations)
            without_thesaurus = recall_table(bare, concepts, rows, translate=True)
            query_as_typed = recall_table(app.search, concepts, rows, translate=False)
            plain.indexer.index(documents(rows))
            untranslated = recall_table(plain.search, concepts, rows, translate=False)
            engine = app.translations.status()
        finally:
            app.close()
            plain.close()
    result = {
        "machine": machine(), "documents": len(rows), "concepts": len(concepts), "top": TOP,
        "translation_engines": engine,
        "recall_at_10": translated, "by_document_language": summary(translated),
        "pair_ratio_to_monolingual": pair_ratios(translated),
        "pair_ratio_without_thesaurus": pair_ratios(without_thesaurus),
        "by_document_language_without_thesaurus": summary(without_thesaurus),
        "recall_at_10_query_translation_off": query_as_typed,
        "recall_at_10_no_translation_anywhere": untranslated,
        "by_document_language_no_translation_anywhere": summary(untranslated),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "crosslingual.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
