"""Search backends behind one interface, looked up by name in `BACKENDS`."""

from __future__ import annotations

import importlib

from config import Settings
from indexer.backends.base import Backend, BackendError

# name -> "module:class"; each class builds itself with `from_settings`. Imported on use, so that
# a deployment without the [es] extra never imports the Elasticsearch client.
BACKENDS: dict[str, str] = {
    "embedded": "indexer.backends.embedded:EmbeddedBackend",
    "elasticsearch": "indexer.backends.elasticsearch:ElasticsearchBackend",
}


def open_backend(settings: Settings) -> Backend:
    """Open (creating if needed) the backend `settings.backend` names: under the data directory
    for the embedded engine, behind the alias `es_index` on the cluster at `es_url` for Elasticsearch."""
    spec = BACKENDS.get(settings.backend)
    if spec is None:
        raise BackendError(f"unknown backend {settings.backend!r}; available: {', '.join(BACKENDS)}")
    module, _, name = spec.partition(":")
    backend_class: type[Backend] = getattr(importlib.import_module(module), name)
    return backend_class.from_settings(settings)


__all__ = ["BACKENDS", "Backend", "BackendError", "open_backend"]
