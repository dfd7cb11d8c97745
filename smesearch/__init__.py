"""The `smesearch` command line and its configuration: the thin wiring between the packages."""

__version__ = "0.1.0"
