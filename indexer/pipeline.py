"""From documents to the index: language, classification, analysis, batched durable upserts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from categories import Classifier
from indexer.analysis import Analyser, Analysis
from indexer.backends.base import Backend, IndexedDocument
from indexer.document import Document

LANG_SAMPLE_CHARS = 2000


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    batches: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line or item number, message)

    @property
    def indexed(self) -> int:
        return self.added + self.updated


class Indexer:
    def __init__(self, analyser: Analyser, backend: Backend, classifier: Classifier | None = None) -> None:
        self.analyser = analyser
        self.backend = backend
        self.classifier = classifier or Classifier(analyser)

    def prepare(self, doc: Document) -> IndexedDocument:
        """Fill in what the source did not say (language, categories, services) and analyse."""
        a = self.analyser
        if not doc.lang:
            doc.lang = a.identify(f"{doc.title}\n{doc.body[:LANG_SAMPLE_CHARS]}")
        if not doc.categories or not doc.services:
            found = self.classifier.classify(doc.title, doc.body, doc.lang)
            doc.categories = doc.categories or found.categories
            doc.services = doc.services or found.services
        extras = [a.analyse(doc.company, doc.lang)] if doc.company else []
        extras += [a.analyse(f"{t.title}\n{t.summary}", lang) for lang, t in doc.translations.items()]
        title = a.analyse(doc.title, doc.lang)
        suggestions: list[tuple[str, str, str]] = []
        if doc.title:
            suggestions.append((a.normalize(doc.title, doc.lang), "title", doc.title[:120]))
        if doc.company:
            suggestions.append((a.normalize(doc.company, doc.lang), "company", doc.company[:120]))
        terms = [t for t in title.words if not t.isascii()] + [t for t in title.exact if t.isascii()]
        suggestions += [(t, "term", t) for t in dict.fromkeys(terms) if len(t) > 1 and not t.isdigit()]
        return IndexedDocument(
            document=doc,
            title=title,
            body=a.analyse(doc.body, doc.lang),
            extra=Analysis(doc.lang, [w for e in extras for w in e.words], [w for e in extras for w in e.exact]),
            suggestions=tuple(suggestions),
        )

    def index(self, documents: Iterable[Document], batch_size: int = 2000,
              progress: Callable[[int], None] | None = None) -> IndexReport:
        """Index in batches; each batch is committed before the next starts, so a crash loses at
        most the batch in flight. Documents whose content hash is unchanged are skipped unanalysed."""
        report = IndexReport()
        for batch in _batches(iter(documents), batch_size):
            known = self.backend.known_hashes([d.id for d in batch])
            latest: dict[str, Document] = {d.id: d for d in batch}  # the last version of a URL wins
            changed = [d for d in latest.values() if known.get(d.id) != d.content_hash]
            report.unchanged += len(batch) - len(changed)
            counts = self.backend.upsert([self.prepare(d) for d in changed])
            report.added += counts.added
            report.updated += counts.updated
            report.unchanged += counts.unchanged
            report.batches += 1
            if progress is not None:
                progress(len(batch))
        return report


def _batches(items: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while batch := list(islice(items, size)):
        yield batch
