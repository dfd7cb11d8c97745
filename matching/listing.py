"""A listing: one enterprise's need or offer for one of the six retrieval services."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from categories.taxonomy import SERVICES
from indexer.document import CATEGORY_IDS, Document

KINDS = ("need", "offer")
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 5000
MAX_COMPANY_CHARS = 200
MAX_REGION_CHARS = 100
DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 365
LISTING_SOURCE = "listings"  # the source of every listing's document; its group is "listing"
# Which services answer which: a maker seeking agents meets enterprises offering to act as agents,
# investors meet enterprises seeking capital, and the rest meet their own kind.
COMPLEMENT: dict[str, tuple[str, ...]] = {
    "tie_up": ("tie_up",), "agent": ("agent",), "invest": ("capital",), "capital": ("invest",),
    "purchase": ("purchase",), "recruit": ("recruit",),
}
MAX_MESSAGE_CHARS = 2000
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ListingError(ValueError):
    """A field of a listing is invalid; `field` names it, the message says what is accepted (in
    English). `reason` and `params` say it again for the portal's forms, which word it in the
    reader's language (query_api/listing_pages.py); "" where a form cannot send such a value."""

    def __init__(self, field: str, message: str, reason: str = "", **params: object) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.reason = reason
        self.params = params


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


@dataclass(slots=True)
class ListingDraft:
    """What an enterprise posts; checked by `validate` before anything is stored."""

    kind: str
    service: str
    title: str
    description: str
    company: str
    contact_email: str
    categories: list[int] = field(default_factory=list)  # classified from the text when empty
    region: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    lang: str = ""  # detected when empty
    expires_in_days: int = DEFAULT_EXPIRY_DAYS

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ListingError("kind", f"must be one of {', '.join(KINDS)}")
        if self.service not in SERVICES:
            raise ListingError("service", f"must be one of {', '.join(SERVICES)}")
        for name, limit, required in (("title", MAX_TITLE_CHARS, True), ("description", MAX_DESCRIPTION_CHARS, True),
                                      ("company", MAX_COMPANY_CHARS, True), ("region", MAX_REGION_CHARS, False)):
            value = getattr(self, name).strip()
            if required and not value:
                raise ListingError(name, "is required", "required")
            if len(value) > limit:
                raise ListingError(name, f"is {len(value)} characters long; the limit is {limit}", "too_long",
                                   length=len(value), limit=limit)
        if not is_email(self.contact_email):
            raise ListingError("contact_email", "is not an e-mail address", "not_email")
        if self.country and not _COUNTRY.match(self.country):
            raise ListingError("country", "must be an ISO 3166-1 alpha-2 code such as CN, JP or US")
        bad = [c for c in self.categories if c not in CATEGORY_IDS]
        if bad:
            raise ListingError("categories", f"{bad[0]} is not a category number 1-11")
        if not 1 <= self.expires_in_days <= MAX_EXPIRY_DAYS:
            raise ListingError("expires_in_days", f"must be 1 to {MAX_EXPIRY_DAYS}")


@dataclass(slots=True)
class Listing:
    id: str
    kind: str
    service: str
    title: str
    description: str
    company: str
    contact_email: str
    categories: list[int]
    region: str
    country: str
    lang: str
    created_at: datetime
    expires_at: datetime
    hidden: bool = False  # by an operator: out of search and matching, kept for the record

    def active(self, now: datetime | None = None) -> bool:
        return not self.hidden and (now or datetime.now(UTC)) < self.expires_at

    def renewed(self, days: int = DEFAULT_EXPIRY_DAYS, now: datetime | None = None) -> datetime:
        return (now or datetime.now(UTC)) + timedelta(days=days)

    def url(self, base_url: str) -> str:
        """Where the portal shows it; also the id of its document in the index."""
        return f"{base_url.rstrip('/')}/listings/{self.id}"

    def document(self, base_url: str) -> Document:
        """The listing as search sees it: never the contact e-mail."""
        body = "\n".join(part for part in (self.description, self.region) if part)
        return Document(url=self.url(base_url), title=self.title, body=body, source=LISTING_SOURCE,
                        group="listing", lang=self.lang, company=self.company, categories=list(self.categories),
                        services=[self.service], published_at=self.created_at)
