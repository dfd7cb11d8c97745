"""The source catalog: which networks to crawl, how, and how politely.

A YAML file whose top-level key `sources` lists the entries. The bundled catalog
(`crawler/data/catalog.yaml`) holds every network the 2001 study named; `--catalog PATH` or
`SMESEARCH_CATALOG` points at another. Loading validates everything and stops at the first
problem with the file, line and field, since a typo found at three in the morning by the
scheduler helps nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import idna
import yaml

from analysis.languages import INTERFACE_LANGUAGES
from crawler.kinds import KINDS, WEB_KINDS
from crawler.safety import private_address_reason
from indexer.document import CATEGORY_IDS, GROUPS

SOURCE_GROUPS = tuple(g for g in GROUPS if g != "listing")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_INTERVAL = re.compile(r"^every \d+(m|h|d)$")
_CRON_FIELD = re.compile(r"^[\d*/,\-]+$")
_FIELDS = {
    "id", "name", "group", "kind", "original", "start_urls", "allowed_domains", "include", "exclude", "max_depth",
    "max_pages", "lang", "categories", "schedule", "politeness", "allow_private", "enabled", "note", "database",
}
_POLITENESS = {"delay", "concurrency", "obey_robots", "autothrottle"}


class CatalogError(ValueError):
    """A catalog that cannot be used; says where: file, line (1-based) and field."""

    def __init__(self, path: str, line: int | None, field_name: str, message: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}")
        self.path, self.line, self.field, self.message = path, line, field_name, message


@dataclass(frozen=True, slots=True)
class LocalName:
    zh: str
    en: str
    ja: str


@dataclass(frozen=True, slots=True)
class Politeness:
    """Overrides of the crawler's defaults for one source; None keeps the default."""

    delay: float | None = None  # seconds between requests to one domain
    concurrency: int | None = None  # requests at once to one domain
    obey_robots: bool = True
    autothrottle: bool = True


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: LocalName
    group: str
    kind: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_depth: int = 3
    max_pages: int = 500
    lang: str = ""
    categories: tuple[int, ...] = ()
    schedule: str = "every 1d"
    politeness: Politeness = field(default_factory=Politeness)
    allow_private: bool = False
    enabled: bool = True
    original: str = ""  # the address the 2001 study gave, kept for the record
    note: str = ""
    database: dict[str, Any] = field(default_factory=dict)  # kind database: url, query, columns


@dataclass(frozen=True, slots=True)
class Catalog:
    path: str
    sources: tuple[Source, ...]

    def get(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(f"no source {source_id!r} in {self.path}")

    @property
    def enabled(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


def bundled_catalog_path() -> Path:
    return Path(str(resources.files("crawler").joinpath("data/catalog.yaml")))


def load_catalog(path: Path | None = None) -> Catalog:
    path = path or bundled_catalog_path()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(name, None, "", f"cannot read the catalog: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CatalogError(name, None, "", "the catalog is not UTF-8") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(name, mark.line + 1 if mark else None, "",
                           f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(root, yaml.MappingNode):
        raise CatalogError(name, 1, "", "the catalog must be a mapping with a `sources` list")
    entries = _mapping(root).get("sources")
    if entries is None or not isinstance(entries[1], yaml.SequenceNode):
        raise CatalogError(name, root.start_mark.line + 1, "sources", "a list of sources is required")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for node in entries[1].value:
        source = _source(name, node)
        line = node.start_mark.line + 1
        if source.id in seen:
            raise CatalogError(name, line, "id", f"{source.id!r} is already used at line {seen[source.id]}")
        seen[source.id] = line
        sources.append(source)
    return Catalog(name, tuple(sources))


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _source(path: str, node: yaml.Node) -> Source:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise CatalogError(path, line, "", "each source must be a mapping of fields")
    fields = _mapping(node)
    for key, (knode, _) in fields.items():
        if key not in _FIELDS:
            close = [f for f in sorted(_FIELDS) if _similar(f, key)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CatalogError(path, knode.start_mark.line + 1, key, f"unknown field{hint}")
    data = {k: _construct(v) for k, (_, v) in fields.items()}

    def fail(key: str, message: str) -> CatalogError:
        where = fields[key][0].start_mark.line + 1 if key in fields else line
        return CatalogError(path, where, key, message)

    source_id = data.get("id")
    if not isinstance(source_id, str) or not _ID.match(source_id):
        raise fail("id", "required: lower-case letters, digits and hyphens, up to 63 characters")
    name = data.get("name")
    if not isinstance(name, dict) or not all(isinstance(name.get(k), str) and name.get(k) for k in INTERFACE_LANGUAGES):
        *first, last = INTERFACE_LANGUAGES
        raise fail("name", f"needs {', '.join(first)} and {last} names")
    group = data.get("group")
    if group not in SOURCE_GROUPS:
        raise fail("group", f"must be one of {', '.join(SOURCE_GROUPS)}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    start_urls = _strings(data.get("start_urls", []), lambda m: fail("start_urls", m))
    if kind in WEB_KINDS:
        start_urls = tuple(_ascii_url(u, lambda m: fail("start_urls", m)) for u in start_urls)
    allow_private = _boolean(data.get("allow_private", False), lambda m: fail("allow_private", m))
    enabled = _boolean(data.get("enabled", True), lambda m: fail("enabled", m))
    if kind in WEB_KINDS:
        if enabled and not start_urls:
            raise fail("start_urls", "an enabled web source needs at least one start URL")
        for url in start_urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise fail("start_urls", f"{url!r} is not an absolute http(s) URL")
            reason = private_address_reason(parts.hostname)
            if reason and not allow_private:
                raise fail("start_urls", f"{url!r} points at {reason}; set allow_private: true if you mean it")
    allowed = tuple(_ascii_host(d, lambda m: fail("allowed_domains", m))
                    for d in _strings(data.get("allowed_domains", []), lambda m: fail("allowed_domains", m)))
    if not allowed:
        allowed = tuple(dict.fromkeys(urlsplit(u).hostname or "" for u in start_urls))
    include = _patterns(data.get("include", []), lambda m: fail("include", m))
    exclude = _patterns(data.get("exclude", []), lambda m: fail("exclude", m))
    max_depth = _positive(data.get("max_depth", 3), lambda m: fail("max_depth", m), allow_zero=True)
    max_pages = _positive(data.get("max_pages", 500), lambda m: fail("max_pages", m))
    categories = data.get("categories", [])
    if not isinstance(categories, list) or any(isinstance(c, bool) or c not in CATEGORY_IDS for c in categories):
        raise fail("categories", "must be a list of category numbers 1-11")
    schedule = data.get("schedule", "every 1d")
    if not isinstance(schedule, str) or not _valid_schedule(schedule):
        raise fail("schedule", "use 'every N' with m, h or d (every 6h), or a five-field cron expression")
    database = data.get("database", {})
    complete = isinstance(database, dict) and {"url", "query"} <= set(database)
    if kind == "database" and enabled and not complete:
        raise fail("database", "a database source needs url and query (and optionally columns)")
    return Source(
        id=source_id, name=LocalName(name["zh"], name["en"], name["ja"]), group=group, kind=kind,
        start_urls=start_urls, allowed_domains=allowed, include=include, exclude=exclude, max_depth=max_depth,
        max_pages=max_pages, lang=str(data.get("lang") or ""), categories=tuple(categories), schedule=schedule,
        politeness=_politeness(data.get("politeness", {}), lambda m: fail("politeness", m)),
        allow_private=allow_private, enabled=enabled, original=str(data.get("original") or ""),
        note=str(data.get("note") or ""), database=database if isinstance(database, dict) else {},
    )


def _ascii_host(host: str, fail: Any) -> str:
    """An internationalised host name in its ASCII (punycode) form, the one DNS and Scrapy use:
    `沈阳企业.中国` → `xn--vhquvu22ed50b.xn--fiqs8s`. ASCII names come back as written."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise fail(f"{host!r} is not a valid internationalised host name: {exc}") from None


def _ascii_url(url: str, fail: Any) -> str:
    parts = urlsplit(url)
    if not parts.hostname or parts.hostname.isascii():
        return url
    host = _ascii_host(parts.hostname, fail)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _similar(a: str, b: str) -> bool:
    """One edit apart, or the same letters: enough to catch `max_page` and `strat_urls`."""
    if sorted(a) == sorted(b):
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_))) or sum(
        x != y for x, y in zip(a, b, strict=False)) == 1


def _strings(value: Any, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail("must be a list of strings")
    return tuple(value)


def _patterns(value: Any, fail: Any) -> tuple[str, ...]:
    patterns = _strings(value, fail)
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise fail(f"{p!r} is not a valid regular expression: {exc}") from None
    return patterns


def _boolean(value: Any, fail: Any) -> bool:
    if not isinstance(value, bool):
        raise fail("must be true or false")
    return value


def _positive(value: Any, fail: Any, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise fail("must be a whole number" + (" (0 or more)" if allow_zero else " above 0"))
    return value


def _valid_schedule(schedule: str) -> bool:
    if _INTERVAL.match(schedule):
        return True
    parts = schedule.split()
    return len(parts) == 5 and all(_CRON_FIELD.match(p) for p in parts)


def _politeness(value: Any, fail: Any) -> Politeness:
    if not isinstance(value, dict) or set(value) - _POLITENESS:
        raise fail(f"a mapping of {', '.join(sorted(_POLITENESS))}")
    delay = value.get("delay")
    concurrency = value.get("concurrency")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0):
        raise fail("delay must be a number of seconds, 0 or more")
    if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int)
                                    or concurrency < 1):
        raise fail("concurrency must be a whole number above 0")
    return Politeness(float(delay) if delay is not None else None, concurrency,
                      _boolean(value.get("obey_robots", True), fail), _boolean(value.get("autothrottle", True), fail))


def confined_file(location: str, directory: Path) -> Path:
    """The file a `jsonl` source defined through the operator API may read: a path (or file://
    URL) inside `directory` once links and `..` are resolved. The message is the same whether or
    not the file exists, so the API cannot be used to probe the server's files."""
    refused = CatalogError("", None, "start_urls", f"{location!r}: file sources read only files under the import "
                           f"directory {directory} (SMESEARCH_IMPORT_DIR)")
    path = Path(location.removeprefix("file://"))
    try:
        resolved = (directory / path).resolve() if not path.is_absolute() else path.resolve()
    except (ValueError, OSError):  # a NUL byte, a loop of links: no file anyone can mean
        raise refused from None
    if not resolved.is_relative_to(directory.resolve()):
        raise refused
    return resolved
