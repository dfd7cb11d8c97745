"""Partner matching: enterprises post needs and offers (listings), and each is paired with the
complementary listings and crawled pages, across languages."""

from matching.listing import KINDS, Listing, ListingDraft, ListingError
from matching.matcher import Match, Matcher
from matching.service import Listings, OwnerTokenError

__all__ = ["KINDS", "Listing", "ListingDraft", "ListingError", "Listings", "Match", "Matcher", "OwnerTokenError"]
