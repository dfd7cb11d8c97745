"""`pip install .` works with any pip Python 3.11 supports, including the one its `venv` bundles.

pip before 23.3 compares a requirement's extras with the names a distribution declares without
normalising them (PEP 685), so `lxml[html_clean]` finds nothing under lxml 6's `html-clean` and
installs nothing for it. This walks our installed requirements twice, matching extras as old pip
does and as new pip does, and asks that both reach the same distributions: offline, and without
installing everything a second time in a fresh environment.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

OURS = "sme-market-search"
Matches = Callable[[str, list[str]], str | None]  # an extra asked for, the extras declared -> the one used


def _old_pip(extra: str, declared: list[str]) -> str | None:
    return extra if extra in declared else None


def _new_pip(extra: str, declared: list[str]) -> str | None:
    wanted = canonicalize_name(extra)
    return next((d for d in declared if canonicalize_name(d) == wanted), None)


def reached(matches: Matches) -> set[str]:
    """Every distribution our base requirements install, extras matched by `matches`."""
    seen: set[tuple[str, tuple[str, ...]]] = set()  # (distribution, extras asked for)
    pending: list[tuple[str, tuple[str, ...]]] = [(OURS, ())]
    while pending:
        name, extras = pending.pop()
        dist = distribution(name)
        declared = dist.metadata.get_all("Provides-Extra") or []
        active = [""] + [m for e in extras if (m := matches(e, declared)) is not None]
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not any(
                    requirement.marker.evaluate({"extra": extra}) for extra in active):
                continue
            wanted = (canonicalize_name(requirement.name), tuple(sorted(requirement.extras)))
            if wanted in seen:
                continue
            seen.add(wanted)
            try:
                distribution(requirement.name)
            except PackageNotFoundError:  # optional on this platform, or another's marker
                continue
            pending.append((requirement.name, wanted[1]))
    return {name for name, _ in seen}


def test_the_pip_venv_bundles_installs_every_distribution_a_current_pip_does() -> None:
    missing = reached(_new_pip) - reached(_old_pip)
    assert missing == set(), f"pip < 23.3 would not install {sorted(missing)}: declare them directly"


def test_the_check_sees_the_extra_it_guards_against() -> None:
    # lxml_html_clean comes both ways only because we declare it; through justext alone it needs
    # the normalised match (the check would pass vacuously if the walk never reached an extra).
    assert "html-clean" in (distribution("lxml").metadata.get_all("Provides-Extra") or [])
    assert _old_pip("html_clean", ["html-clean"]) is None and _new_pip("html_clean", ["html-clean"]) == "html-clean"
