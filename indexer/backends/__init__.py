"""Search backends behind one interface; `open_backend` picks one by name."""

from __future__ import annotations

from pathlib import Path

from indexer.backends.base import Backend, BackendError

BACKENDS = ("embedded", "elasticsearch")


def open_backend(name: str, data_dir: Path, *, es_url: str = "http://127.0.0.1:9200", es_index: str = "smesearch-docs",
                 es_api_key: str | None = None, es_basic_auth: tuple[str, str] | None = None,
                 es_ca_file: str | None = None, es_shards: int = 1, es_replicas: int = 1) -> Backend:
    """Open (creating if needed) the named backend's index: under the data directory for the
    embedded engine, behind the alias `es_index` on the cluster at `es_url` for Elasticsearch."""
    if name == "embedded":
        from indexer.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(data_dir / "index" / "embedded")
    if name == "elasticsearch":
        from indexer.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(es_url, es_index, api_key=es_api_key, basic_auth=es_basic_auth,
                                    ca_certs=es_ca_file, shards=es_shards, replicas=es_replicas)
    raise BackendError(f"unknown backend {name!r}; available: {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Backend", "BackendError", "open_backend"]
