"""From fetched bytes to clean text: decoding that survives wrong charset labels, main-content
extraction without navigation and boilerplate, and the page's title, date and language hint.

Chinese and Japanese sites of the seed's era label their charset wrongly or not at all (GB2312
pages full of GBK characters, Shift_JIS pages served as ISO-8859-1). Decoding therefore trusts a
declaration only when the bytes agree with it, and asks charset-normalizer otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import htmldate
import lxml.etree
import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

# What decoding with a wrong label looks like: replacement characters, or UTF-8 and CJK bytes
# read as Latin-1 (é, æ, å, Ã followed by a continuation character).
_MOJIBAKE = re.compile(r"\ufffd|[\u00c2-\u00ef][\u0080-\u00bf]")
_LATIN_LABELS = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "ascii", "us-ascii"}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_HTML_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)


class NotAPage(ValueError):
    """A response that is not a text page (PDF, image, archive); `reason` is what gets counted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    how: str  # "declared", "detected" or "utf-8": which rule chose the encoding


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    title: str
    text: str
    published_at: datetime | None
    lang_hint: str  # from <html lang>, "" when the page does not say
    encoding: str
    html: str  # the decoded page, for readers of its structure (the Table 9 profile)


def mojibake_count(text: str) -> int:
    """Replacement characters and Latin-1-read multibyte sequences: zero on a well-decoded page."""
    return len(_MOJIBAKE.findall(text))


def decode(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML (or text) body: BOM, then a declaration the bytes agree with, then detection."""
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    encoding, text = html_to_unicode(content_type, body)
    if declared and mojibake_count(text) == 0 and not _suspicious_latin(declared, body):
        return Decoded(text, encoding, "declared")
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(body, cp_isolation=None).best()
    if best is not None and best.encoding:
        detected = str(best)
        if mojibake_count(detected) <= mojibake_count(text):
            return Decoded(detected, best.encoding, "detected")
    return Decoded(text, encoding, "declared" if declared else "detected")


def _suspicious_latin(declared: str, body: bytes) -> bool:
    """A Latin-1 label on a page whose high bytes make up much of it is almost always a CJK page."""
    if declared.lower() not in _LATIN_LABELS:
        return False
    high = sum(1 for b in body[:20_000] if b >= 0x80)
    return high > 50 and high > len(body[:20_000]) // 20


def not_a_page_reason(content_type: str | None, body: bytes) -> str | None:
    """Why a response is not a text page worth extracting (PDF, image, archive), or None."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in _HTML_TYPES:
        return f"not a text page ({kind})"
    if body[:5] == b"%PDF-" or body[:4] in (b"\x89PNG", b"PK\x03\x04", b"GIF8") or body[:3] == b"\xff\xd8\xff":
        return "not a text page (binary content)"
    return None


def extract(url: str, body: bytes, content_type: str | None = None) -> ExtractedPage:
    """Decode and extract the main content; raise NotAPage for what is not a text page."""
    reason = not_a_page_reason(content_type, body)
    if reason:
        raise NotAPage(reason)
    decoded = decode(body, content_type)
    try:
        tree = lxml.html.fromstring(decoded.text)
    except (lxml.etree.ParserError, ValueError):
        tree = None  # nothing an HTML parser recognises: trafilatura gets the text and does its best
    # Title and date are read here rather than by trafilatura's metadata pass, which measured four
    # times the cost of the main-content extraction itself (docs/BENCHMARKS.md, crawl).
    title = _title(tree) if tree is not None else ""
    date = htmldate.find_date(tree, extensive_search=False, original_date=True) if tree is not None else None
    document = trafilatura.bare_extraction(tree if tree is not None else decoded.text, url=url, with_metadata=False,
                                           include_comments=False, favor_recall=True, fast=True)
    text = (getattr(document, "text", None) or "").strip()
    lang = _HTML_LANG.search(body[:4096])
    return ExtractedPage(
        title=title,
        text=text,
        published_at=_date(date),
        lang_hint=lang.group(1).decode("ascii").lower() if lang else "",
        encoding=decoded.encoding,
        html=decoded.text,
    )


def _title(tree: lxml.html.HtmlElement) -> str:
    """<title>, else og:title, else the first h1: what a reader would call the page."""
    for path in ("//title", "//meta[@property='og:title']/@content", "//h1"):
        for found in tree.xpath(path):
            text = found if isinstance(found, str) else found.text_content()
            text = " ".join(text.split())
            if text:
                return text
    return ""


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None
