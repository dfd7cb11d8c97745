"""Partner matching: enterprises post needs and offers (listings), and each is paired with the
complementary listings and crawled pages, across languages."""

from config.settings import Settings
from engine import Engine
from matching.alerts import AlertError, Alerts, DigestReport, alerts_waiting
from matching.listing import KINDS, Listing, ListingDraft, ListingError
from matching.matcher import Match, Matcher
from matching.service import Listings, OwnerTokenError

__all__ = ["KINDS", "AlertError", "Alerts", "DigestReport", "Listing", "ListingDraft", "ListingError", "Listings",
           "Match", "Matcher", "OwnerTokenError", "alerts_waiting", "send_match_digests"]


def send_match_digests(settings: Settings) -> DigestReport | None:
    """After a crawl run: every confirmed alert gets its new matches (None when there is none)."""
    if not alerts_waiting(settings.paths.listings):
        return None
    engine = Engine(settings)
    try:
        listings = Listings(engine)
        return Alerts(Matcher(listings), settings.alert_webhook_allow_private).send_digests()
    finally:
        engine.close()
