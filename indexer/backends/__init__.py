"""Search backends behind one interface; `open_backend` picks one by name."""

from __future__ import annotations

from pathlib import Path

from indexer.backends.base import Backend, BackendError

BACKENDS = ("embedded",)


def open_backend(name: str, data_dir: Path) -> Backend:
    """Open (creating if needed) the named backend's index under the data directory."""
    if name == "embedded":
        from indexer.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(data_dir / "index" / "embedded")
    raise BackendError(f"unknown backend {name!r}; available: {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Backend", "BackendError", "open_backend"]
