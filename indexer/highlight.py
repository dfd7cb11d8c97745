"""Snippets with highlight offsets, computed on the original text and shared by every backend.

Crawled text is untrusted, so a snippet is plain text plus (start, end) offsets in Unicode code
points; whoever displays it decides how to mark the spans, and never has to parse HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

SNIPPET_CHARS = 180
CONTEXT_BEFORE = 30
MAX_SCAN_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


def _normalised_view(text: str, to_simplified: Callable[[str], str] | None) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the original character."""
    norm = unicodedata.normalize("NFKC", text).lower()
    if len(norm) == len(text):
        mapping = list(range(len(text)))
    else:
        pieces: list[str] = []
        mapping = []
        for i, ch in enumerate(text):
            n = unicodedata.normalize("NFKC", ch).lower()
            pieces.append(n)
            mapping.extend([i] * len(n))
        norm = "".join(pieces)
    if to_simplified is not None:
        converted = to_simplified(norm)
        if len(converted) == len(norm):
            norm = converted
    return norm, mapping


def _matcher(terms: list[str]) -> re.Pattern[str] | None:
    parts = []
    for term in sorted({t for t in terms if t.strip()}, key=len, reverse=True):
        if term.isascii():
            # English terms arrive stemmed ("machin"); highlight the whole word it starts.
            parts.append(rf"(?<![a-z0-9]){re.escape(term)}[a-z0-9]*")
        else:
            parts.append(re.escape(term))
    return re.compile("|".join(parts)) if parts else None


def find_spans(text: str, terms: list[str], to_simplified: Callable[[str], str] | None = None,
               limit: int = MAX_SCAN_CHARS) -> list[tuple[int, int, str]]:
    """(start, end, matched term) spans of the query terms in the original text."""
    pattern = _matcher(terms)
    if pattern is None or not text:
        return []
    scanned = text[:limit]
    norm, mapping = _normalised_view(scanned, to_simplified)
    spans = []
    for m in pattern.finditer(norm):
        start, end = mapping[m.start()], mapping[m.end() - 1] + 1
        spans.append((start, end, m.group()))
    return spans


def make_snippet(text: str, terms: list[str], to_simplified: Callable[[str], str] | None = None,
                 length: int = SNIPPET_CHARS) -> Snippet:
    """The window of `text` holding the most distinct query terms, whitespace folded."""
    spans = find_spans(text, terms, to_simplified)
    if not spans:
        return _fold(text, 0, min(len(text), length), [])
    best_start, best_score = 0, -1
    for start, _, _ in spans[:300]:
        window_start = max(0, start - CONTEXT_BEFORE)
        covered = {term for s, e, term in spans if s >= window_start and e <= window_start + length}
        if len(covered) > best_score:
            best_start, best_score = window_start, len(covered)
    window_end = min(len(text), best_start + length)
    inside = [(s, e) for s, e, _ in spans if s >= best_start and e <= window_end]
    return _fold(text, best_start, window_end, inside)


def highlight_whole(text: str, terms: list[str], to_simplified: Callable[[str], str] | None = None) -> Snippet:
    """Highlights over a short text shown whole, such as a title."""
    return Snippet(text, [(s, e) for s, e, _ in find_spans(text, terms, to_simplified)])


def _fold(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """Cut text[start:end], fold whitespace runs to one space, add ellipses, and move the spans along."""
    out: list[str] = []
    position: dict[int, int] = {}
    if start > 0:
        out.append("…")
    previous_space = start > 0
    for i in range(start, end):
        ch = text[i]
        position[i] = len(out)
        if ch.isspace():
            if not previous_space:
                out.append(" ")
            previous_space = True
            continue
        out.append(ch)
        previous_space = False
    position[end] = len(out)
    if end < len(text):
        out.append("…")
    highlights = []
    for s, e in spans:
        a, b = position.get(s), position.get(e)
        if a is not None and b is not None and b > a:
            highlights.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(highlights):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return Snippet("".join(out).strip() if not merged else "".join(out), merged)
