"""The analysed languages, one module each (zh.py, ja.py, en.py), found by looking in this package.

Adding a language is one module here that defines `LANGUAGE`, a `Language` subclass (base.py says
what it may provide), plus its data (analysis/data/stopwords-CODE.txt). A language that lives
elsewhere (tests/languages/ko.py) is given to the analyser by its module name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence

from analysis.languages.base import Language

# The languages the product speaks: interface text, names of categories, services and sources, and
# the titles every document is translated into. Each is also an analysed language.
INTERFACE_LANGUAGES = ("zh", "en", "ja")


def builtin_modules() -> tuple[str, ...]:
    """Every language module in this package."""
    return tuple(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if m.name != "base")


def load_languages(modules: Sequence[str]) -> dict[str, Language]:
    """One instance of each module's `LANGUAGE`, by language code."""
    found: dict[str, Language] = {}
    for name in modules:
        language: Language = importlib.import_module(name).LANGUAGE()
        if not language.code:
            raise ValueError(f"the language in {name} has no code")
        found[language.code] = language
    return found


def analysed_codes() -> tuple[str, ...]:
    """The codes of the built-in languages, without loading their dictionaries."""
    return tuple(name.rsplit(".", 1)[1] for name in builtin_modules())


__all__ = ["INTERFACE_LANGUAGES", "Language", "analysed_codes", "builtin_modules", "load_languages"]
