"""JSONL import: one document per line; a bad line is reported with its number and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from indexer.document import Document, DocumentError

MAX_LINE_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class LineErrors:
    errors: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0


def read_jsonl(stream: BinaryIO | Iterable[bytes], errors: LineErrors) -> Iterator[Document]:
    """Yield the good documents of a JSONL byte stream and record every bad line in `errors`.

    Bytes are decoded line by line, so one undecodable line costs that line only.
    """
    for number, raw in enumerate(stream, start=1):
        errors.lines = number
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            errors.errors.append((number, f"line is {len(raw)} bytes; the limit is {MAX_LINE_BYTES}"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.errors.append((number, f"not UTF-8 (byte {exc.start + 1}: {raw[exc.start:exc.start + 1]!r})"))
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.errors.append((number, f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        try:
            yield Document.from_mapping(data)
        except DocumentError as exc:
            errors.errors.append((number, f"field {exc.field}: {exc.message}"))
