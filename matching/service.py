"""Posting, changing and withdrawing listings: the store, the owner tokens, and the index kept
in step (a listing is a document of group `listing`, found by search like any page)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from engine import Engine
from matching.listing import (
    DEFAULT_EXPIRY_DAYS,
    MAX_EXPIRY_DAYS,
    MAX_MESSAGE_CHARS,
    Listing,
    ListingDraft,
    ListingError,
    is_email,
)
from matching.mail import Outbox, SendReport
from matching.store import ListingStore

PURGE_AFTER = timedelta(days=30)  # an expired listing can still be renewed for this long, then it is deleted
MAX_LISTINGS_PER_ADDRESS_PER_DAY = 10
MAX_INTEREST_PER_ADDRESS_PER_DAY = 20
EDITABLE = ("kind", "service", "title", "description", "company", "contact_email", "categories", "region", "country")


class OwnerTokenError(PermissionError):
    """The owner token is missing (`missing`) or not this listing's."""

    def __init__(self, missing: bool) -> None:
        super().__init__("send the owner token given when the listing was posted: Authorization: Bearer <token>"
                         if missing else "this owner token is not the listing's")
        self.missing = missing


class TooManyListings(ListingError):
    """An address posted more listings today than the limit allows."""


def hash_token(token: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Listings:
    def __init__(self, engine: Engine, store: ListingStore | None = None) -> None:
        self.engine = engine
        self.store = store or ListingStore(engine.settings.paths.listings)
        settings = engine.settings
        self.outbox = Outbox(settings.paths.listings, settings.smtp_url, settings.mail_from)

    @property
    def base_url(self) -> str:
        s = self.engine.settings
        return s.public_base_url or f"http://{s.host}:{s.port}"

    def post(self, draft: ListingDraft, now: datetime | None = None) -> tuple[Listing, str]:
        """Store and index a new listing; its owner token is returned once and kept only hashed."""
        now = now or datetime.now(UTC)
        draft.validate()
        recent = self.store.posted_since(draft.contact_email, now - timedelta(days=1))
        if len(recent) >= MAX_LISTINGS_PER_ADDRESS_PER_DAY:
            raise TooManyListings("contact_email", f"an address may post {MAX_LISTINGS_PER_ADDRESS_PER_DAY} listings "
                                                   "a day; try again tomorrow", "too_many_listings",
                                  limit=MAX_LISTINGS_PER_ADDRESS_PER_DAY)
        if any(r.title.strip() == draft.title.strip() and r.kind == draft.kind for r in self.store.posted_since(
                draft.contact_email, now - timedelta(days=MAX_EXPIRY_DAYS))):
            raise ListingError("title", "this address has already posted a listing with this title: renew or edit it",
                               "duplicate_title")
        listing = self._new(draft, now)
        token = secrets.token_urlsafe(32)
        self.store.add(listing, hash_token(token))
        self._index(listing)
        return listing, token

    def post_many(self, drafts: list[ListingDraft], now: datetime | None = None) -> list[Listing]:
        """Store and index many listings in one index write (the demo's samples); their owner
        tokens are made and thrown away, so only operators can hide them."""
        now = now or datetime.now(UTC)
        posted: list[Listing] = []
        for draft in drafts:
            draft.validate()
            listing = self._new(draft, now)
            self.store.add(listing, hash_token(secrets.token_urlsafe(32)))
            posted.append(listing)
        self.engine.indexer.index([listing.document(self.base_url) for listing in posted])
        return posted

    def read(self, title: str, description: str, lang: str = "", categories: list[int] | None = None,
             ) -> tuple[str, list[int]]:
        """The language and categories of a listing's text: as given, else detected and classified."""
        lang = lang or self.engine.analyser.identify(f"{title}\n{description}")
        return lang, sorted(categories or self.engine.classifier.classify(title, description, lang).categories)

    def _new(self, draft: ListingDraft, now: datetime) -> Listing:
        lang, categories = self.read(draft.title, draft.description, draft.lang, draft.categories)
        return Listing(secrets.token_hex(8), draft.kind, draft.service, draft.title.strip(), draft.description.strip(),
                       draft.company.strip(), draft.contact_email, categories, draft.region.strip(), draft.country,
                       lang, now, now + timedelta(days=draft.expires_in_days))

    def get(self, listing_id: str, now: datetime | None = None) -> Listing | None:
        """A listing anyone may see: not hidden, not expired."""
        listing = self.store.get(listing_id)
        return listing if listing is not None and listing.active(now) else None

    def check_owner(self, listing_id: str, token: str | None) -> Listing:
        listing = self.store.get(listing_id)
        if listing is None:
            raise KeyError(listing_id)
        if not token:
            raise OwnerTokenError(missing=True)
        stored = self.store.owner_token_hash(listing_id) or ""
        if not hmac.compare_digest(stored, hash_token(token)):  # timing-safe
            raise OwnerTokenError(missing=False)
        return listing

    def update(self, listing_id: str, token: str | None, changes: dict[str, Any]) -> Listing:
        listing = self.check_owner(listing_id, token)
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise ListingError(unknown[0], f"cannot be changed; these can: {', '.join(EDITABLE)}")
        changed = replace(listing, **changes)
        ListingDraft(changed.kind, changed.service, changed.title, changed.description, changed.company,
                     changed.contact_email, changed.categories, changed.region, changed.country).validate()
        self.store.update(changed)
        self._index(changed)
        return changed

    def withdraw(self, listing_id: str, token: str | None) -> None:
        listing = self.check_owner(listing_id, token)
        self.store.delete(listing_id)
        self._unindex(listing)

    def renew(self, listing_id: str, token: str | None, days: int = DEFAULT_EXPIRY_DAYS,
              now: datetime | None = None) -> Listing:
        listing = self.check_owner(listing_id, token)
        if not 1 <= days <= MAX_EXPIRY_DAYS:
            raise ListingError("days", f"must be 1 to {MAX_EXPIRY_DAYS}")
        renewed = replace(listing, expires_at=listing.renewed(days, now))
        self.store.update(renewed)
        self._index(renewed)
        return renewed

    def express_interest(self, listing_id: str, message: str, contact_email: str, own_listing_id: str = "",
                         now: datetime | None = None) -> SendReport:
        """Relay an enterprise's interest to a listing's owner by e-mail, the sender's address as
        Reply-To: the owner's address is never shown, and the sender's only to the owner."""
        now = now or datetime.now(UTC)
        listing = self.get(listing_id, now)
        if listing is None:
            raise KeyError(listing_id)
        if not is_email(contact_email):
            raise ListingError("contact_email", "is not an e-mail address", "not_email")
        text = message.strip()
        if not text or len(text) > MAX_MESSAGE_CHARS:
            raise ListingError("message", f"must be 1 to {MAX_MESSAGE_CHARS} characters", "length_range",
                               limit=MAX_MESSAGE_CHARS)
        if self.outbox.written_by(contact_email, now - timedelta(days=1)) >= MAX_INTEREST_PER_ADDRESS_PER_DAY:
            raise TooManyListings("contact_email", f"an address may send {MAX_INTEREST_PER_ADDRESS_PER_DAY} "
                                                   "messages a day; try again tomorrow", "too_many_messages",
                                  limit=MAX_INTEREST_PER_ADDRESS_PER_DAY)
        own = self.get(own_listing_id, now) if own_listing_id else None
        body = (f"An enterprise is interested in your listing \"{listing.title}\"\n{listing.url(self.base_url)}\n\n"
                f"Their message:\n\n{text}\n\n"
                + (f"Their own listing: \"{own.title}\"\n{own.url(self.base_url)}\n\n" if own else "")
                + "Reply to this e-mail to answer them. They do not see your address unless you reply.\n")
        self.outbox.put(listing.contact_email, f"Interest in your listing: {listing.title}"[:200], body,
                        reply_to=contact_email, now=now)
        return self.outbox.send_due(now)

    def hide(self, listing_id: str, hidden: bool) -> Listing:
        """An operator takes a listing out of search and matching, or puts it back."""
        listing = self.store.get(listing_id)
        if listing is None:
            raise KeyError(listing_id)
        changed = replace(listing, hidden=hidden)
        self.store.update(changed)
        self._index(changed)
        return changed

    def expire(self, now: datetime | None = None) -> int:
        """Take expired listings out of the index, and delete those expired longer than the
        grace period; the number deleted."""
        now = now or datetime.now(UTC)
        for listing in self.store.expired_before(now):
            self._unindex(listing)
        gone = self.store.expired_before(now - PURGE_AFTER)
        for listing in gone:
            self.store.delete(listing.id)
        return len(gone)

    def active(self, now: datetime | None = None) -> list[Listing]:
        return [listing for listing in self.store.all() if listing.active(now)]

    def _index(self, listing: Listing) -> None:
        if not listing.active():
            self._unindex(listing)
            return
        self.engine.indexer.index([listing.document(self.base_url)])

    def _unindex(self, listing: Listing) -> None:
        self.engine.writer.delete(listing.url(self.base_url))
        self.engine.writer.commit()
