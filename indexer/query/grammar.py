"""The query language, parsed once in Python and handed to every backend as the same tree.

Syntax: words separated by spaces must all match; `OR` between two parts means either;
`-word` and `NOT word` exclude; `"a phrase"` matches words in order; `title:word` and
`title:"a phrase"` look only in titles; `site:host` keeps one site; parentheses group.
`AND`, `OR` and `NOT` are operators only in capitals, so "or" stays an ordinary word.
Chinese and Japanese words inside are segmented by the analyser afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from indexer.query.messages import AT_CHARACTER, QUERY_MESSAGES

Scope = Literal["all", "title"]


class QueryError(ValueError):
    """A query we cannot run: `key` names its message in QUERY_MESSAGES, filled with `params`;
    `position` is the character offset it points at. str() is the English."""

    def __init__(self, key: str, position: int | None = None, **params: object) -> None:
        self.key = key
        self.params = params
        self.position = position
        self.message = QUERY_MESSAGES[key]["en"].format(**params)
        super().__init__(self.localized("en"))

    def localized(self, lang: str) -> str:
        """The message in zh, ja or en (English for any other language)."""
        texts = QUERY_MESSAGES[self.key]
        text = texts.get(lang, texts["en"]).format(**self.params)
        if self.position is None:
            return text
        return text + AT_CHARACTER.get(lang, AT_CHARACTER["en"]).format(n=self.position + 1)


# -- syntax tree -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Word:
    text: str
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class Site:
    host: str


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class MatchAll:
    pass


Node = Word | Phrase | Site | And | Or | Not | MatchAll


# -- lexer -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["word", "phrase", "lparen", "rparen", "or", "and", "not"]
    text: str
    pos: int
    negated: bool = False
    field: str = ""


_FIELD = re.compile(r"(title|site):", re.IGNORECASE)
_STOP_CHARS = set(' ()"')


def clean_query(text: str) -> str:
    """NFKC (so full-width brackets, quotes and colons work), controls to spaces, invisible marks removed."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cf":
            continue
        out.append(" " if kind in ("Cc", "Zl", "Zp") or ch.isspace() else ch)
    return "".join(out)


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        if ch == "(":
            tokens.append(_Token("lparen", ch, i))
            i += 1
            continue
        if ch == ")":
            tokens.append(_Token("rparen", ch, i))
            i += 1
            continue
        start = i
        negated = False
        if ch == "-" and i + 1 < n and text[i + 1] not in " )":
            negated = True
            i += 1
        field_name = ""
        m = _FIELD.match(text, i)
        if m:
            field_name = m.group(1).lower()
            i = m.end()
            if i >= n or text[i] in " )":
                raise QueryError("field_needs_term", start, field=field_name)
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("quote_not_closed", i)
            body = text[i + 1 : end].strip()
            if not body:
                raise QueryError("empty_quotes", i)
            tokens.append(_Token("phrase", body, start, negated, field_name))
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in _STOP_CHARS:
            j += 1
        word = text[i:j]
        i = j
        if not negated and not field_name and word in ("OR", "AND", "NOT"):
            tokens.append(_Token(word.lower(), word, start))  # type: ignore[arg-type]
        elif word:
            tokens.append(_Token("word", word, start, negated, field_name))
    return tokens


def is_plain(text: str) -> bool:
    """Words only: no operators, quotation marks, fields, exclusions or parentheses. Only such a
    query may be relaxed; one with operators means exactly what it says."""
    try:
        tokens = _lex(clean_query(text))
    except QueryError:
        return False
    return bool(tokens) and all(t.kind == "word" and not t.negated and not t.field for t in tokens)


# -- parser ------------------------------------------------------------------------------------

# Parentheses nest at most this deep: the parser and every later pass over the tree recurse, and
# 328 levels overflowed Python's stack (a 500 per request). People write two or three.
MAX_NESTING = 32


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.i = 0
        self.length = length
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise QueryError("closing_without_opening", tok.pos)
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                raise QueryError("operator_needs_sides", tok.pos, operator="OR")
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("ends_too_early", self.length)
        if tok.kind in ("or", "and"):
            raise QueryError("operator_needs_sides", tok.pos, operator=tok.text)
        if tok.kind == "rparen":
            raise QueryError("empty_parentheses", tok.pos)
        parts = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in ("or", "and", "rparen"):
                    raise QueryError("operator_needs_sides", tok.pos, operator="AND")
                continue
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "not":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen", "not"):
                raise QueryError("not_needs_term", tok.pos)
            return Not(self.unary())
        if tok.kind == "lparen":
            if self.depth >= MAX_NESTING:
                raise QueryError("nesting_too_deep", tok.pos, depth=MAX_NESTING)
            self.i += 1
            self.depth += 1
            inner = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError("parenthesis_not_closed", tok.pos)
            self.i += 1
            return inner
        self.i += 1
        node: Node
        scope: Scope = "title" if tok.field == "title" else "all"
        if tok.field == "site":
            node = Site(tok.text.lower().strip("/"))
        elif tok.kind == "phrase":
            node = Phrase(tok.text, scope)
        else:
            node = Word(tok.text, scope)
        return Not(node) if tok.negated else node


def parse(query: str, max_length: int = 500) -> Node:
    """Parse a keyword query into a syntax tree; raise QueryError naming the position on failure."""
    if len(query) > max_length:
        raise QueryError("too_long", length=len(query), limit=max_length)
    text = clean_query(query)
    if not text.strip():
        raise QueryError("empty")
    node = _Parser(_lex(text), len(text)).parse()
    if _only_negative(node):
        node = And((MatchAll(), node))
    return node


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(c) for c in node.children)
    return False
