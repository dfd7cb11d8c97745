"""Snippets with highlight offsets, computed on the original text and shared by every backend.

Crawled text is untrusted, so a snippet is plain text plus (start, end) offsets in Unicode code
points; whoever displays it decides how to mark the spans, and never has to parse HTML.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from analysis.analyser import FULL_WIDTH

SNIPPET_CHARS = 180
CONTEXT_BEFORE = 30
MAX_SCAN_CHARS = 20_000
MAX_SPANS = 64  # the best window is found among the first matches; a page may hold thousands
_WORD = frozenset(string.ascii_lowercase + string.digits)


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


def _normalised_view(text: str, to_simplified: Callable[[str], str] | None, fold_width: bool) -> str:
    """The text folded as the analyser folds it, character for character (rarer NFKC
    compatibility forms such as ligatures are left alone: they only cost a missed highlight)."""
    folded = text.translate(FULL_WIDTH) if fold_width else text
    lowered = folded.lower()
    if len(lowered) == len(folded):
        folded = lowered
    if to_simplified is not None:
        converted = to_simplified(folded)
        if len(converted) == len(folded):
            folded = converted
    return folded


Changes = tuple[tuple[int, str], ...]  # (offset, replacement) runs, in text order


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A document's title and snippet text folded once at index time as highlighting compares
    them (full-width forms to ASCII, lower case, Traditional to Simplified for Chinese), so that
    no search runs OpenCC or the folds over whole bodies. Kept as the runs where the folded text
    differs from the text merely in lower case: the few full-width digits of a Simplified page
    rather than a second copy of it (whole copies grew the store by a third at 100,000 documents,
    243 -> 324 MB, bench/import_docs.py)."""

    title: Changes = ()
    body: Changes = ()

    @classmethod
    def of(cls, title: str, body: str, to_simplified: Callable[[str], str] | None) -> FoldedText:
        return cls(_changes(title, to_simplified), _changes(body, to_simplified))

    def title_view(self, title: str) -> str:
        return _applied(_lowered_view(title), self.title)

    def body_view(self, body: str) -> str:
        return _applied(_lowered_view(body), self.body)


# Full-width punctuation no analysed term holds (terms are letters, digits, CJK and .+#&'): Chinese
# text is full of ，and （）, and folding them changes no highlight, so they are left as written.
_INERT_FULL_WIDTH = {c: a for c, a in FULL_WIDTH.items() if not chr(a).isalnum() and chr(a) not in ".+#&'"}
_COMPARED_CHARS = 64  # compared a slice at a time, so that a page with nothing to fold costs no loop


def _changes(text: str, to_simplified: Callable[[str], str] | None) -> Changes:
    view = _normalised_view(text[:MAX_SCAN_CHARS], to_simplified, fold_width=True)
    lowered = _lowered_view(text).translate(_INERT_FULL_WIDTH)
    if view == lowered:
        return ()
    runs: list[list[Any]] = []
    for base in range(0, len(view), _COMPARED_CHARS):
        if lowered[base:base + _COMPARED_CHARS] == view[base:base + _COMPARED_CHARS]:
            continue
        for at in range(base, min(base + _COMPARED_CHARS, len(view))):
            if lowered[at] != view[at]:
                if runs and runs[-1][0] + len(runs[-1][1]) == at:
                    runs[-1][1] += view[at]
                else:
                    runs.append([at, view[at]])
    return tuple((at, run) for at, run in runs)


def _applied(lowered: str, changes: Changes) -> str:
    if not changes:
        return lowered
    parts: list[str] = []
    last = 0
    for at, run in changes:
        parts += (lowered[last:at], run)
        last = at + len(run)
    parts.append(lowered[last:])
    return "".join(parts)


def _lowered_view(text: str) -> str:
    head = text[:MAX_SCAN_CHARS]
    lowered = head.lower()
    return lowered if len(lowered) == len(head) else head


def _automaton(terms: list[str]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for term in {t for t in terms if t.strip()}:
        automaton.add_word(term, term)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


class Highlighter:
    """A query's terms in one Aho-Corasick automaton, for every snippet and title of one page of
    results. It replaced an alternation of the terms as a regular expression: a translated key
    sentence has dozens of terms, and compiling the pattern alone took 6 ms (docs/BENCHMARKS.md, query speed)."""

    def __init__(self, terms: list[str]) -> None:
        self._automaton = _automaton(terms)
        # Full-width forms fold to ASCII, so only ASCII terms can be hidden behind them.
        self._fold_width = any(t.isascii() for t in terms)

    def spans(self, text: str, to_simplified: Callable[[str], str] | None = None,
              limit: int = MAX_SCAN_CHARS, view: str | None = None) -> list[tuple[int, int, str]]:
        """(start, end, matched text) spans of the query terms in the original text: the longest
        term at each place, left to right, none overlapping. `view` is the text already folded
        (`FoldedText`); without it the text is folded here."""
        if self._automaton is None or not text:
            return []
        norm = _normalised_view(text[:limit], to_simplified, self._fold_width) if view is None else view[:limit]
        found: list[tuple[int, int, str]] = []
        covered = 0
        for last, term in self._automaton.iter_long(norm):
            start, end = last - len(term) + 1, last + 1
            if start < covered:
                continue  # inside an English word already highlighted whole
            if term.isascii():
                # English terms arrive stemmed ("machin"): a match starts a word, and the whole
                # word it starts is highlighted.
                if start > 0 and norm[start - 1] in _WORD:
                    continue
                while end < len(norm) and norm[end] in _WORD:
                    end += 1
            found.append((start, end, norm[start:end]))
            covered = end
            if len(found) == MAX_SPANS:
                break
        return found

    def snippet(self, text: str, to_simplified: Callable[[str], str] | None = None,
                length: int = SNIPPET_CHARS, view: str | None = None) -> Snippet:
        """The window of `text` holding the most distinct query terms, whitespace folded."""
        spans = self.spans(text, to_simplified, view=view)
        if not spans:
            return _fold(text, 0, min(len(text), length), [])
        starts = [s for s, _, _ in spans]
        best_start, best_score = 0, -1
        for start in starts:
            window_start = max(0, start - CONTEXT_BEFORE)
            window_end = window_start + length
            # Spans are in text order, so those starting inside the window are one slice of them.
            inside = spans[bisect_left(starts, window_start):bisect_left(starts, window_end)]
            covered = len({term for _, e, term in inside if e <= window_end})
            if covered > best_score:
                best_start, best_score = window_start, covered
        window_end = min(len(text), best_start + length)
        shown = [(s, e) for s, e, _ in spans if s >= best_start and e <= window_end]
        return _fold(text, best_start, window_end, shown)

    def whole(self, text: str, to_simplified: Callable[[str], str] | None = None, view: str | None = None) -> Snippet:
        """Highlights over a short text shown whole, such as a title."""
        return Snippet(text, [(s, e) for s, e, _ in self.spans(text, to_simplified, view=view)])


def _fold(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """Cut text[start:end], fold whitespace runs to one space, add ellipses, and move the spans along."""
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    if _FOLDABLE.search(window) is None:  # the common case: nothing to fold, offsets just shift
        shift = len(prefix) - start
        return Snippet(prefix + window + suffix, _merge([(s + shift, e + shift) for s, e in spans]))
    out: list[str] = [prefix] if prefix else []
    position: dict[int, int] = {}
    length = len(prefix)
    previous_space = start > 0
    for i in range(start, end):
        ch = text[i]
        position[i] = length
        if ch.isspace():
            if not previous_space:
                out.append(" ")
                length += 1
            previous_space = True
            continue
        out.append(ch)
        length += 1
        previous_space = False
    position[end] = length
    out.append(suffix)
    highlights = []
    for s, e in spans:
        a, b = position.get(s), position.get(e)
        if a is not None and b is not None and b > a:
            highlights.append((a, b))
    return Snippet("".join(out), _merge(highlights))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_FOLDABLE = re.compile(r"\s\s|[^\S ]")
