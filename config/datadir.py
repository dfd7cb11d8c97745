"""Where everything lives under `SMESEARCH_DATA_DIR`: the only code that knows those file names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DataDir:
    """The data directory's layout. Callers ask for a place by what it holds, so a file can move
    (or a backup can list what to copy) without a grep through every package."""

    root: Path
    import_root: Path | None = None  # SMESEARCH_IMPORT_DIR, when the operator put imports elsewhere

    @property
    def embedded_index(self) -> Path:
        """The embedded backend's directory: the document store and the tantivy index beside it."""
        return self.root / "index" / "embedded"

    @property
    def crawl_state(self) -> Path:
        """Per-source crawl state and run records (`crawler.state`)."""
        return self.root / "crawl.sqlite"

    @property
    def run_locks(self) -> Path:
        """One lock file per source, held while a crawl of it runs (`crawler.runlock`)."""
        return self.root / "locks"

    @property
    def spool(self) -> Path:
        """Pages fetched but not yet indexed, replayed after a killed crawl (`crawler.spool`)."""
        return self.root / "spool"

    @property
    def run_logs(self) -> Path:
        """The log of each scheduled run."""
        return self.root / "runs"

    @property
    def catalog_copy(self) -> Path:
        """The operator's editable copy of the bundled source catalog."""
        return self.root / "catalog.yaml"

    @property
    def demo_catalog(self) -> Path:
        return self.root / "demo-catalog.yaml"

    @property
    def imports(self) -> Path:
        """The only directory whose files `jsonl` sources added through the API may read."""
        return self.import_root or self.root / "imports"

    @property
    def listings(self) -> Path:
        """Enterprises' needs and offers, with their owner tokens hashed (`matching.store`)."""
        return self.root / "listings.sqlite"

    @property
    def search_log(self) -> Path:
        return self.root / "search_log.sqlite"

    @property
    def operator_keys(self) -> Path:
        return self.root / "operators.sqlite"

    @property
    def scheduler_database(self) -> Path:
        return self.root / "scheduler.sqlite"

    @property
    def rate_limits(self) -> Path:
        return self.root / "ratelimit.sqlite"

    @property
    def search_answers(self) -> Path:
        """Answers to popular searches, shared by the API's workers until the index changes."""
        return self.root / "cache" / "answers.sqlite"

    @property
    def translation_packages(self) -> Path:
        """Argos Translate language packages installed by `smesearch translation install`."""
        return self.root / "translation" / "packages"

    @property
    def translation_cache(self) -> Path:
        return self.root / "translation" / "cache.sqlite"

    @property
    def category_model(self) -> Path:
        """The trained category model, when `python -m categories.training` has built one."""
        return self.root / "models" / "category_model.json.gz"

    def caches(self) -> tuple[Path, ...]:
        """What a backup leaves out unless asked: rebuilt or downloaded again on demand."""
        return (self.translation_cache, self.translation_packages, self.search_answers.parent)

    def never_backed_up(self) -> tuple[Path, ...]:
        """Lock files and counters that mean nothing after a restore."""
        return (self.run_locks, self.rate_limits)
