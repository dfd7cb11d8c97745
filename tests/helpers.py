"""Small builders shared by tests."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.document import Document


def doc(url: str, **fields: object) -> Document:
    return Document.from_mapping({"url": url, **fields})


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
