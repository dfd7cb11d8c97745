"""The document model: one crawled page, database row or imported listing.

A document's identity is its canonical URL, so the same page reached through two links
(tracking parameters, fragments, upper-case hosts) is stored once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from analysis.languages import INTERFACE_LANGUAGES
from categories.taxonomy import PROFILE_SECTION_IDS, SERVICES

GROUPS = ("shenyang", "liaoning", "national", "japan", "listing", "other")
CATEGORY_IDS = tuple(range(1, 12))
SUMMARY_CHARS = 280
SECTION_CHARS = 2000  # of one Table 9 section's text kept for the company page; the body keeps all

# Control characters other than newline and tab are noise from broken pages.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "spm", "from", "ref", "_ga"}
)


class DocumentError(ValueError):
    """A document that cannot be indexed; `field` names the offending field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def canonical_url(url: str) -> str:
    """Normalise a URL so that links to the same page compare equal (w3lib plus tracking-parameter removal)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise DocumentError("url", f"must be an absolute http(s) URL, got {url!r}")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


# A tag, a script URL or an event handler: what a page's title holds only to attack a reader
# (the demo network's injection page has one). Such text is never offered as a completion.
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?][^<>]*>|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)


def has_markup(text: str) -> bool:
    return _MARKUP.search(text) is not None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def site_of(url: str) -> str:
    """The site a page belongs to: its host in lower case, with its port when not the scheme's
    default (127.0.0.1:8101 and 127.0.0.1:8102 are two sites, as two web servers are)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # not a number: canonical_url has refused such URLs already
        port = None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def document_id(url: str) -> str:
    """A stable id from the canonical URL: 32 hex characters, safe in any backend."""
    return _hash_id(canonical_url(url))


def _hash_id(canonical: str) -> str:
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(slots=True)
class Translation:
    """A document's title and summary in another language: searched always, shown only when
    `readable`."""

    title: str = ""
    summary: str = ""
    engine: str = ""  # "nmt" or "dictionary" for a machine translation; "" when the source gave it
    readable: bool = True  # false for a dictionary rendering that glosses the title only in part

    @property
    def machine(self) -> bool:
        return bool(self.engine)


@dataclass(slots=True)
class Document:
    url: str
    title: str = ""
    body: str = ""
    summary: str = ""
    site: str = ""
    source: str = "import"
    group: str = "other"
    lang: str = ""
    company: str = ""
    contact: str = ""
    categories: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    content_hash: str = ""
    translations: dict[str, Translation] = field(default_factory=dict)
    # The Table 9 sections the page carries (categories.PROFILE_SECTIONS id → its text), in that order.
    sections: dict[str, str] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        self.url = canonical_url(self.url)
        self.id = _hash_id(self.url)
        self.site = (self.site or site_of(self.url)).lower()
        self.title = _clean_text(self.title, "title")
        self.body = _clean_text(self.body, "body")
        if not self.title.strip() and not self.body.strip():
            raise DocumentError("title", "a document needs a title or a body")
        self.summary = _clean_text(self.summary, "summary") or _summarise(self.body or self.title)
        self.company = _clean_text(self.company, "company")
        self.contact = _clean_text(self.contact, "contact")
        if not isinstance(self.source, str) or not self.source:
            raise DocumentError("source", "must be a non-empty string")
        if self.group not in GROUPS:
            raise DocumentError("group", f"must be one of {', '.join(GROUPS)}, got {self.group!r}")
        if not isinstance(self.lang, str):
            raise DocumentError("lang", "must be a language code such as zh, ja or en")
        self.categories = sorted(set(_check_categories(self.categories)))
        self.services = sorted(set(_check_services(self.services)), key=SERVICES.index)
        self.sections = _check_sections(self.sections)
        self.published_at = _parse_datetime(self.published_at, "published_at")
        self.fetched_at = _parse_datetime(self.fetched_at, "fetched_at") or datetime.now(UTC)
        self.content_hash = self.content_hash or self.compute_hash()

    def compute_hash(self) -> str:
        """Hash of what a reader sees; an unchanged hash means a re-crawl need not re-index."""
        payload = json.dumps(
            [self.title, self.body, self.summary, self.company, self.contact, self.categories,
             self.services, self.published_at.isoformat() if self.published_at else None,
             self.lang, self.group, self.source,
             {k: [t.title, t.summary] for k, t in sorted(self.translations.items())}]
            + ([self.sections] if self.sections else []),  # so that the hashes of pages without stay as they were
            ensure_ascii=False,
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Document:
        """Build from JSON-like data; translated fields may come as `title_en`, `summary_zh`, ..."""
        if not isinstance(data, Mapping):
            raise DocumentError("document", "must be a JSON object")
        if not data.get("url"):
            raise DocumentError("url", "is required")
        known = {f for f in cls.__dataclass_fields__ if f not in ("id", "translations")}
        kwargs: dict[str, Any] = {}
        translations: dict[str, Translation] = {}
        for key, value in data.items():
            if key in known:
                kwargs[key] = value
            elif key == "translations" and isinstance(value, Mapping):
                for lang, t in value.items():
                    translations[lang] = _translation(lang, t)
            elif "_" in key and key.rsplit("_", 1)[0] in ("title", "summary"):
                kind, lang = key.rsplit("_", 1)
                if lang not in INTERFACE_LANGUAGES:
                    raise DocumentError(key, f"translations are kept for {', '.join(INTERFACE_LANGUAGES)}")
                if not isinstance(value, str):
                    raise DocumentError(key, "must be a string")
                t = translations.setdefault(lang, Translation())
                setattr(t, kind, value)
        for name in ("url", "title", "body", "summary", "site", "source", "group", "lang", "company",
                     "contact", "content_hash"):
            if name in kwargs and kwargs[name] is not None and not isinstance(kwargs[name], str):
                raise DocumentError(name, "must be a string")
            if kwargs.get(name) is None:
                kwargs.pop(name, None)
        return cls(translations=translations, **kwargs)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Document:
        """Rebuild a document this program validated and stored itself, without validating again:
        result pages fetch ten of these per search."""
        doc = object.__new__(cls)
        for name in ("id", "url", "title", "body", "summary", "site", "source", "group", "lang", "company",
                     "contact", "content_hash"):
            setattr(doc, name, data[name])
        doc.categories = list(data["categories"])
        doc.services = list(data["services"])
        doc.published_at = datetime.fromisoformat(data["published_at"]) if data["published_at"] else None
        doc.fetched_at = datetime.fromisoformat(data["fetched_at"]) if data["fetched_at"] else None
        doc.translations = {k: Translation(v["title"], v["summary"], v.get("engine", ""), v.get("readable", True))
                            for k, v in data["translations"].items()}
        doc.sections = dict(data.get("sections") or {})  # stored before pages kept their sections: none
        return doc

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "title": self.title, "body": self.body, "summary": self.summary,
            "site": self.site, "source": self.source, "group": self.group, "lang": self.lang,
            "company": self.company, "contact": self.contact, "categories": list(self.categories),
            "services": list(self.services),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "content_hash": self.content_hash,
            "translations": {k: {"title": t.title, "summary": t.summary}
                             | ({"engine": t.engine, "readable": t.readable} if t.engine else {})
                             for k, t in self.translations.items()},
            "sections": dict(self.sections),
        }


def _translation(lang: str, value: Any) -> Translation:
    if lang not in INTERFACE_LANGUAGES:
        raise DocumentError(f"translations.{lang}", f"translations are kept for {', '.join(INTERFACE_LANGUAGES)}")
    if not isinstance(value, Mapping):
        raise DocumentError(f"translations.{lang}", "must be an object with title and summary")
    return Translation(title=str(value.get("title") or ""), summary=str(value.get("summary") or ""))


def _clean_text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DocumentError(name, "must be a string")
    if _CONTROL.search(value) is not None:
        value = _CONTROL.sub("", value)
    return value.strip()


def _summarise(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_CHARS else flat[: SUMMARY_CHARS - 1] + "…"


def _check_categories(values: Any) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise DocumentError("categories", "must be a list of category numbers 1-11")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | str):
            raise DocumentError("categories", f"{v!r} is not a category number 1-11")
        try:
            n = int(v)
        except ValueError:
            raise DocumentError("categories", f"{v!r} is not a category number 1-11") from None
        if n == 0:
            continue  # 0 means "not specified", which an empty list already says
        if n not in CATEGORY_IDS:
            raise DocumentError("categories", f"{v!r} is not a category number 1-11")
        out.append(n)
    return out


def _check_services(values: Any) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise DocumentError("services", f"must be a list drawn from {', '.join(SERVICES)}")
    for v in values:
        if v not in SERVICES:
            raise DocumentError("services", f"{v!r} is not one of {', '.join(SERVICES)}")
    return list(values)


def _check_sections(values: Any) -> dict[str, str]:
    if not values:
        return {}
    if not isinstance(values, Mapping):
        raise DocumentError("sections", f"must be an object whose keys are among {', '.join(PROFILE_SECTION_IDS)}")
    for key, text in values.items():
        if key not in PROFILE_SECTION_IDS:
            raise DocumentError("sections", f"{key!r} is not one of {', '.join(PROFILE_SECTION_IDS)}")
        if not isinstance(text, str):
            raise DocumentError(f"sections.{key}", "must be a string")
    cleaned = {key: _clean_text(values[key], f"sections.{key}")[:SECTION_CHARS] for key in PROFILE_SECTION_IDS
               if key in values}
    return {key: text for key, text in cleaned.items() if text}


def _parse_datetime(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise DocumentError(name, f"{value!r} is not an ISO 8601 date") from None
    else:
        raise DocumentError(name, "must be an ISO 8601 date string")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
