"""The embedded engine choice: tantivy against SQLite FTS5 on the same analysed tokens.

Both engines index the same whitespace-separated tokens (title and body words) of the same
documents and answer the same queries with BM25, title weighted 3:1, top 10:
  - "or+filter": two query words joined by OR, restricted to one language (the issue's reference)
  - "and": two query words that must both occur
Import time is measured for each engine on the pre-analysed tokens, so analysis is not counted.

    python -m bench.engines 100000
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from bench.common import OUT, machine, percentile
from bench.corpus import write
from indexer.backends.base import directory_size


def tokens_file(count: int) -> Path:
    """Analysed title and body words of the corpus, made once with the real pipeline and cached."""
    path = OUT / f"tokens-{count}.jsonl"
    if path.exists():
        return path
    from analysis import AnalyserSpec
    from indexer.importer import LineErrors, read_jsonl
    from indexer.pipeline import _batches, _chunks, _prepare_in_worker, start_analysis_pool

    corpus = write(count)
    pool = start_analysis_pool(AnalyserSpec("lingua"), 2)
    tmp = path.with_suffix(".tmp")
    with corpus.open("rb") as stream, tmp.open("w", encoding="utf-8") as out:
        for batch in _batches(read_jsonl(stream, LineErrors()), 2000):
            for future in [pool.submit(_prepare_in_worker, c) for c in _chunks(batch, 50)]:
                for item in future.result():
                    out.write(json.dumps({"title": item.title, "body": item.body, "lang": item.document.lang},
                                         ensure_ascii=False) + "\n")
    pool.shutdown()
    tmp.rename(path)
    return path


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def workload(docs: list[dict[str, str]], count: int = 1000) -> list[tuple[str, str, str]]:
    """(word, word, lang) triples drawn from the documents' own titles, so every query can hit."""
    rng = random.Random(7)
    out = []
    while len(out) < count:
        d = rng.choice(docs)
        words = [w for w in d["title"].split() if len(w) > 1]
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            out.append((a, b, d["lang"]))
    return out


def bench_tantivy(docs: list[dict[str, str]], where: Path, work: list[tuple[str, str, str]]) -> dict[str, float]:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("lang", fast=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    schema = sb.build()
    where.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(where))
    start = time.perf_counter()
    writer = index.writer(128_000_000, 1)
    for d in docs:
        writer.add_document(tantivy.Document(lang=d["lang"], title=d["title"], body=d["body"]))
    writer.commit()
    writer.wait_merging_threads()
    import_s = time.perf_counter() - start
    index.reload()
    searcher = index.searcher()

    def word(w: str) -> Query:
        return Query.boolean_query([
            (Occur.Should, Query.boost_query(Query.term_query(schema, "title", w), 3.0)),
            (Occur.Should, Query.term_query(schema, "body", w))])

    results: dict[str, list[float]] = {"or+filter": [], "and": []}
    for rnd in range(2):
        for a, b, lang in work:
            q_or = Query.boolean_query([
                (Occur.Must, Query.boolean_query([(Occur.Should, word(a)), (Occur.Should, word(b))])),
                (Occur.Must, Query.const_score_query(Query.term_query(schema, "lang", lang), 0.0))])
            q_and = Query.boolean_query([(Occur.Must, word(a)), (Occur.Must, word(b))])
            for name, q in (("or+filter", q_or), ("and", q_and)):
                start = time.perf_counter()
                searcher.search(q, 10, count=False)
                if rnd:
                    results[name].append((time.perf_counter() - start) * 1000)
    return _summary(results, import_s, directory_size(where), len(docs))


def bench_fts5(docs: list[dict[str, str]], where: Path, work: list[tuple[str, str, str]]) -> dict[str, float]:
    where.mkdir(parents=True)
    db = sqlite3.connect(where / "fts.sqlite")
    # Tokens arrive space-separated; unicode61 with our joiner characters keeps each one whole.
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, lang UNINDEXED, "
               "tokenize = \"unicode61 remove_diacritics 0 tokenchars '.+#&''-'\")")
    start = time.perf_counter()
    with db:
        db.executemany("INSERT INTO fts (title, body, lang) VALUES (?, ?, ?)",
                       ((d["title"], d["body"], d["lang"]) for d in docs))
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    import_s = time.perf_counter() - start

    def quote(w: str) -> str:
        return '"' + w.replace('"', '""') + '"'

    results: dict[str, list[float]] = {"or+filter": [], "and": []}
    for rnd in range(2):
        for a, b, lang in work:
            for name, sql, args in (
                ("or+filter", f"{TOP_10} WHERE fts MATCH ? AND lang = ? ORDER BY bm25(fts, 3.0, 1.0) LIMIT 10",
                 (f"{quote(a)} OR {quote(b)}", lang)),
                ("and", f"{TOP_10} WHERE fts MATCH ? ORDER BY bm25(fts, 3.0, 1.0) LIMIT 10",
                 (f"{quote(a)} AND {quote(b)}",)),
            ):
                start = time.perf_counter()
                db.execute(sql, args).fetchall()
                if rnd:
                    results[name].append((time.perf_counter() - start) * 1000)
    db.close()
    return _summary(results, import_s, directory_size(where), len(docs))


TOP_10 = "SELECT rowid FROM fts"


def _summary(results: dict[str, list[float]], import_s: float, size: int, n: int) -> dict[str, float]:
    out = {"import_docs_per_s": n / import_s, "size_mb": size / 1e6}
    for name, values in results.items():
        out[f"{name}_p50"] = percentile(values, 50)
        out[f"{name}_p99"] = percentile(values, 99)
    return out


if __name__ == "__main__":
    import shutil

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(machine())
    docs = load(tokens_file(n))
    work = workload(docs)
    base = OUT / f"engines-{n}"
    shutil.rmtree(base, ignore_errors=True)
    for name, fn in (("tantivy", bench_tantivy), ("sqlite-fts5", bench_fts5)):
        f = fn(docs, base / name, work)
        print(f"{name:<12} {n} docs: import {f['import_docs_per_s']:.0f} docs/s, {f['size_mb']:.0f} MB; "
              f"OR+filter p50 {f['or+filter_p50']:.2f} ms p99 {f['or+filter_p99']:.2f} ms; "
              f"AND p50 {f['and_p50']:.2f} ms p99 {f['and_p99']:.2f} ms")
