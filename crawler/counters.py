"""What one crawl run did, counted: the record an operator reads to know whether a source is healthy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RunCounters:
    fetched: int = 0  # responses received, whatever their status
    new: int = 0  # documents added to the index
    updated: int = 0  # documents whose content changed
    unchanged: int = 0  # fetched again with the same content: no index write
    not_modified: int = 0  # answered 304 to a conditional request
    skipped_by_lastmod: int = 0  # sitemap said unchanged since the last fetch: not requested
    deleted: int = 0  # documents removed because their page now answers 404 or 410
    duplicates: int = 0  # pages collapsed into another document (exact or near duplicate)
    skipped_by_robots: int = 0
    spooled: int = 0  # documents kept on disk because the index was unavailable
    unspooled: int = 0  # spooled documents (of this run or earlier ones) the index took since
    skipped: Counter[str] = field(default_factory=Counter)  # reason → pages that make no document
    errors: Counter[str] = field(default_factory=Counter)  # kind → failed requests
    bytes: int = 0
    duration_s: float = 0.0

    @property
    def pages_seen(self) -> int:
        """Pages the run came to a verdict on (robots.txt and sitemaps are not pages)."""
        return (self.new + self.updated + self.unchanged + self.not_modified + self.skipped_by_lastmod + self.deleted
                + self.duplicates + self.spooled + sum(self.skipped.values()))

    @property
    def pages_per_second(self) -> float:
        return self.fetched / self.duration_s if self.duration_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "not_modified": self.not_modified, "skipped_by_lastmod": self.skipped_by_lastmod,
            "deleted": self.deleted, "duplicates": self.duplicates, "skipped_by_robots": self.skipped_by_robots,
            "spooled": self.spooled, "unspooled": self.unspooled,
            "skipped": dict(sorted(self.skipped.items())), "errors": dict(sorted(self.errors.items())),
            "bytes": self.bytes, "duration_s": round(self.duration_s, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunCounters:
        counters = cls(**{k: v for k, v in data.items() if k not in ("skipped", "errors")})
        counters.skipped.update(data.get("skipped") or {})
        counters.errors.update(data.get("errors") or {})
        return counters

    def lines(self) -> list[str]:
        """The summary `smesearch crawl` prints at the end of a run."""
        out = [
            f"fetched {self.fetched} pages ({self.bytes / 1e6:.1f} MB) in {self.duration_s:.1f} s"
            f" ({self.pages_per_second:.0f} pages/s)",
            f"new {self.new}, updated {self.updated}, unchanged {self.unchanged}, not modified (304)"
            f" {self.not_modified}, unchanged by sitemap lastmod {self.skipped_by_lastmod}",
            f"deleted {self.deleted}, duplicates collapsed {self.duplicates}, skipped by robots.txt"
            f" {self.skipped_by_robots}",
        ]
        if self.spooled or self.unspooled:
            out.append(f"spooled while the index was unavailable {self.spooled}, indexed from the spool "
                       f"{self.unspooled}")
        if self.skipped:
            out.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())))
        if self.errors:
            out.append("errors: " + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())))
        return out
