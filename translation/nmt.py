"""Neural translation with Argos Translate's language packages, run on CTranslate2 and SentencePiece.

An Argos package (`.argosmodel`) is a zip holding `metadata.json` (the language pair), a
CTranslate2 model directory and a SentencePiece model. The argostranslate library itself runs
them through these two engines, but it imports stanza, and with it torch, at start-up: a
multi-gigabyte install for a sentence splitter. So the `[nmt]` extra installs the two engines
and this module applies a package the way argostranslate does (SentencePiece pieces in,
CTranslate2 beam search, pieces out), with a sentence splitter of our own.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;])\s+")
MAX_SENTENCE_CHARS = 400  # longer runs are cut, so one sentence cannot stall a batch
MAX_TEXT_CHARS = 5000  # a title and summary are what documents translate; bodies are not sent


class PackageError(ValueError):
    """A language package that cannot be installed or loaded, and why."""


@dataclass(frozen=True, slots=True)
class ArgosPackage:
    source: str
    target: str
    version: str
    path: Path  # the installed package directory

    @property
    def pair(self) -> str:
        return f"{self.source}_{self.target}"


def read_package(directory: Path) -> ArgosPackage:
    """The package in `directory`, checked: its metadata names a pair and both models are there."""
    try:
        meta = json.loads((directory / "metadata.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"{directory.name}: no readable metadata.json ({exc})") from None
    source, target = meta.get("from_code"), meta.get("to_code")
    if not isinstance(source, str) or not isinstance(target, str):
        raise PackageError(f"{directory.name}: metadata.json names no from_code and to_code")
    if not (directory / "model" / "model.bin").is_file():
        raise PackageError(f"{directory.name}: the CTranslate2 model (model/model.bin) is missing")
    if not (directory / "sentencepiece.model").is_file():
        raise PackageError(f"{directory.name}: sentencepiece.model is missing (BPE packages are not supported)")
    return ArgosPackage(source, target, str(meta.get("package_version", "")), directory)


def install_package(archive: Path, packages_dir: Path) -> ArgosPackage:
    """Unpack and check an `.argosmodel`, then put it in place of any installed package for the same
    pair in one rename: a corrupt archive is refused and leaves the installed package as it was."""
    packages_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=packages_dir))
    try:
        try:
            with zipfile.ZipFile(archive) as z:
                for member in z.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise PackageError(f"{archive.name}: unsafe path {member!r} in the archive")
                z.extractall(staging)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PackageError(f"{archive.name} is not a readable .argosmodel archive ({exc})") from None
        roots = [p for p in staging.iterdir() if p.is_dir()]
        root = roots[0] if len(roots) == 1 and not (staging / "metadata.json").exists() else staging
        package = read_package(root)
        _check_loads(package)
        final = packages_dir / package.pair
        previous = packages_dir / f".previous-{package.pair}"
        shutil.rmtree(previous, ignore_errors=True)
        if final.exists():
            final.rename(previous)
        root.rename(final)
        shutil.rmtree(previous, ignore_errors=True)
        return read_package(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def download_from_index(index_url: str, source: str, target: str, directory: Path, timeout: float = 60) -> Path:
    """Fetch the package for `source` -> `target` that Argos Translate's package index lists
    (the newest version), into `directory`; `install_package` then checks and installs it."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(index_url, timeout=timeout) as listing:
            entries = json.loads(listing.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PackageError(f"the package index at {index_url} cannot be read ({exc})") from None
    if not isinstance(entries, list):
        raise PackageError(f"the package index at {index_url} is not a list of packages")
    offers = [e for e in entries if isinstance(e, dict) and e.get("from_code") == source
              and e.get("to_code") == target and e.get("links")]
    if not offers:
        pairs = sorted({f"{e.get('from_code')}->{e.get('to_code')}" for e in entries if isinstance(e, dict)})
        raise PackageError(f"the package index lists no {source}->{target} package (it has {', '.join(pairs)})")
    best = max(offers, key=lambda e: [int(p) if p.isdigit() else 0 for p in str(e.get("package_version", "0"))
                                      .split(".")])
    link = str(best["links"][0])
    if not link.startswith(("https://", "http://")):
        raise PackageError(f"the package index links the {source}->{target} package at {link!r}, not a web address")
    archive = directory / f"translate-{source}_{target}-{best.get('package_version', '0')}.argosmodel"
    try:
        with urllib.request.urlopen(link, timeout=timeout) as response, archive.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as exc:
        raise PackageError(f"the {source}->{target} package could not be downloaded ({exc})") from None
    return archive


def installed_packages(packages_dir: Path) -> dict[tuple[str, str], ArgosPackage]:
    found: dict[tuple[str, str], ArgosPackage] = {}
    if packages_dir.is_dir():
        for directory in sorted(packages_dir.iterdir()):
            if directory.is_dir() and not directory.name.startswith("."):
                try:
                    package = read_package(directory)
                except PackageError:
                    continue
                found[(package.source, package.target)] = package
    return found


def _check_loads(package: ArgosPackage) -> None:
    """Both models must load before a package replaces a working one."""
    try:
        import ctranslate2
        import sentencepiece
    except ImportError:
        raise PackageError("neural translation needs the [nmt] extra: pip install 'sme-market-search[nmt]'") from None
    try:
        sentencepiece.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))
        ctranslate2.Translator(str(package.path / "model"), device="cpu")
    except (RuntimeError, OSError, ValueError) as exc:
        raise PackageError(f"{package.path.name}: the models do not load ({exc})") from None


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        part = part.strip()
        while len(part) > MAX_SENTENCE_CHARS:
            sentences.append(part[:MAX_SENTENCE_CHARS])
            part = part[MAX_SENTENCE_CHARS:]
        if part:
            sentences.append(part)
    return sentences


class ArgosTranslator:
    """Translates with the installed packages; ja <-> zh (and any pair without a package) goes
    through English when both halves are installed."""

    name = "nmt"

    def __init__(self, packages_dir: Path, threads: int = 1) -> None:
        self.packages = installed_packages(packages_dir)
        self.threads = threads
        self._loaded: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def supports(self, source: str, target: str) -> bool:
        return bool(self._route(source, target))

    def identity(self, source: str, target: str) -> str:
        return "nmt/" + "+".join(f"{s}_{t}@{self.packages[(s, t)].version}" for s, t in self._route(source, target))

    def versions(self) -> dict[str, str]:
        return {p.pair: p.version for p in self.packages.values()}

    def _route(self, source: str, target: str) -> list[tuple[str, str]]:
        if source == target:
            return []
        if (source, target) in self.packages:
            return [(source, target)]
        if (source, "en") in self.packages and ("en", target) in self.packages:
            return [(source, "en"), ("en", target)]
        return []

    def translate(self, text: str, source: str, target: str) -> str:
        for pair in self._route(source, target):
            text = self._apply(pair, text[:MAX_TEXT_CHARS])
        return text

    def _models(self, pair: tuple[str, str]) -> tuple[Any, Any]:
        with self._lock:
            if pair not in self._loaded:
                import ctranslate2
                import sentencepiece

                path = self.packages[pair].path
                self._loaded[pair] = (
                    sentencepiece.SentencePieceProcessor(model_file=str(path / "sentencepiece.model")),
                    ctranslate2.Translator(str(path / "model"), device="cpu", inter_threads=1,
                                           intra_threads=self.threads))
            return self._loaded[pair]

    def _apply(self, pair: tuple[str, str], text: str) -> str:
        sentences = split_sentences(text)
        if not sentences:
            return ""
        tokenizer, model = self._models(pair)
        pieces = [tokenizer.encode(s, out_type=str) for s in sentences]
        results = model.translate_batch(pieces, beam_size=2, max_decoding_length=256, replace_unknowns=True,
                                        length_penalty=0.2)
        joiner = "" if pair[1] in ("zh", "ja") else " "
        out = [tokenizer.decode_pieces(r.hypotheses[0]).replace("▁", " ").strip() for r in results]
        return joiner.join(o for o in out if o)
