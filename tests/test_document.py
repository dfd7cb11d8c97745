"""The document model: identity from the canonical URL, validation that names the field."""

from __future__ import annotations

import pytest

from indexer.document import Document, DocumentError, canonical_url, document_id


def test_same_page_through_different_links_has_one_id() -> None:
    a = "HTTP://WWW.Example.COM/offer?id=3&utm_source=mail&b=1#top"
    b = "http://www.example.com/offer?b=1&id=3"
    assert canonical_url(a) == canonical_url(b) == "http://www.example.com/offer?b=1&id=3"
    assert document_id(a) == document_id(b)
    assert len(document_id(a)) == 32


def test_site_and_summary_are_derived_when_missing() -> None:
    d = Document.from_mapping({"url": "https://partner.example.jp/x", "body": "word " * 200})
    assert d.site == "partner.example.jp"
    assert d.summary.endswith("…") and len(d.summary) <= 280
    assert d.fetched_at is not None and d.content_hash


@pytest.mark.parametrize(("url", "site"), [
    ("http://127.0.0.1:8101/a.html", "127.0.0.1:8101"),  # the demo network: five sites on one address
    ("http://127.0.0.1:8102/", "127.0.0.1:8102"),
    ("https://Shenyang.Example:443/x", "shenyang.example"),  # the scheme's own port is no part of it
    ("http://shenyang.example:80/x", "shenyang.example"),
    ("https://shenyang.example:8443/", "shenyang.example:8443"),
    ("http://[::1]:9000/", "[::1]:9000"),
])
def test_a_site_is_its_host_and_any_port_that_is_not_the_default(url: str, site: str) -> None:
    assert Document(url=url, title="t").site == site


def test_content_hash_changes_with_content_only() -> None:
    a = Document.from_mapping({"url": "https://e.com/1", "title": "t", "body": "b",
                               "fetched_at": "2024-01-01T00:00:00Z"})
    b = Document.from_mapping({"url": "https://e.com/1", "title": "t", "body": "b",
                               "fetched_at": "2025-01-01T00:00:00Z"})
    c = Document.from_mapping({"url": "https://e.com/1", "title": "t", "body": "b2"})
    assert a.content_hash == b.content_hash != c.content_hash


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "no url"}, "url"),
        ({"url": "ftp://e.com/x", "title": "t"}, "url"),
        ({"url": "https://e.com/x"}, "title"),
        ({"url": "https://e.com/x", "title": "t", "categories": [12]}, "categories"),
        ({"url": "https://e.com/x", "title": "t", "categories": "8"}, "categories"),
        ({"url": "https://e.com/x", "title": "t", "services": ["sell"]}, "services"),
        ({"url": "https://e.com/x", "title": "t", "group": "mars"}, "group"),
        ({"url": "https://e.com/x", "title": "t", "published_at": "yesterday"}, "published_at"),
        ({"url": "https://e.com/x", "title": 5}, "title"),
        ({"url": "https://e.com/x", "title": "t", "title_fr": "x"}, "title_fr"),
    ],
)
def test_invalid_documents_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(DocumentError) as info:
        Document.from_mapping(data)
    assert info.value.field == field
    assert field in str(info.value)


def test_category_zero_means_not_specified_and_translations_are_kept() -> None:
    d = Document.from_mapping({"url": "https://e.com/x", "title": "汽车", "categories": [0, 8, "8"],
                               "services": ["agent", "tie_up"], "title_en": "Cars", "summary_ja": "自動車"})
    assert d.categories == [8]
    assert d.services == ["tie_up", "agent"]
    assert d.translations["en"].title == "Cars" and d.translations["ja"].summary == "自動車"
    assert Document.from_mapping(d.to_dict()).content_hash == d.content_hash


def test_control_characters_are_removed_from_text() -> None:
    d = Document.from_mapping({"url": "https://e.com/x", "title": "a\x00b\x07c", "body": "line\nnext\tcol"})
    assert d.title == "abc" and d.body == "line\nnext\tcol"


def test_stored_documents_come_back_unchanged() -> None:
    d = Document.from_mapping({"url": "https://e.com/x", "title": "汽车", "categories": [8], "services": ["agent"],
                               "published_at": "2024-05-01", "title_en": "Cars", "company": "沈阳金杯"})
    assert Document.from_stored(d.to_dict()).to_dict() == d.to_dict()
