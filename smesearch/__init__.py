"""The `smesearch` command line and its configuration: the thin wiring between the packages."""

from importlib.metadata import version

__version__ = version("sme-market-search")  # pyproject.toml's, the one place the version is written
