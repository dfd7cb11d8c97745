"""Gauges read at scrape time: the index's size and the crawler's run counters, from the stores
that own them (the backend and crawl.sqlite), so every worker reports the same truth."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import Metric

from crawler.state import CrawlState
from indexer.backends.base import BackendError
from operations.app import App
from query_api.observe import gauge

log = logging.getLogger("smesearch.api")
RUN_COUNTERS = ("fetched", "new", "updated", "unchanged", "not_modified", "deleted", "duplicates", "errors",
                "duration_s")


def index_gauges(app: App) -> Iterator[Metric]:
    try:
        stats = app.search.stats()
    except BackendError as exc:
        log.warning("metrics without index figures: %s", exc)
        yield gauge("smesearch_index_up", "1 when the index answered this scrape", [], [([], 0)])
    else:
        yield gauge("smesearch_index_up", "1 when the index answered this scrape", [], [([], 1)])
        yield gauge("smesearch_index_documents", "Documents in the index, by language", ["lang"],
                    [([lang], n) for lang, n in stats.by_lang.items()])
        yield gauge("smesearch_index_size_bytes", "Size of the index on disk", [], [([], stats.size_bytes)])
    path = app.settings.paths.crawl_state
    if not path.exists():
        return
    state = CrawlState(path)
    try:
        counts = state.run_counts()
        latest = state.latest_runs()
    finally:
        state.close()
    yield gauge("smesearch_crawl_runs", "Crawl runs recorded, by source and status", ["source", "status"],
                [([source, status], n) for (source, status), n in counts.items()])
    yield gauge("smesearch_crawl_last_run", "The counters of each source's latest run", ["source", "counter"],
                [([run.source, name], _number(run.counters.get(name, 0))) for run in latest.values()
                 for name in RUN_COUNTERS])


def _number(value: object) -> float:
    """A counter, or the sum of a counter broken down by kind (errors)."""
    if isinstance(value, dict):
        return float(sum(v for v in value.values() if isinstance(v, int | float)))
    return float(value) if isinstance(value, int | float) else 0.0
