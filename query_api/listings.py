"""The listing routes: post a need or an offer, read, change, renew or withdraw it with its owner
token, and see its matches; `POST /api/match` matches a listing that is not stored. Operators
hide listings under /api/admin/listings."""
# No `from __future__ import annotations`: FastAPI reads the route signatures' dependencies.

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Header, HTTPException, Path, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from analysis.languages import INTERFACE_LANGUAGES
from categories.taxonomy import SERVICES
from matching import AlertError, Listing, ListingDraft, ListingError, Match, OwnerTokenError
from matching.listing import (
    DEFAULT_EXPIRY_DAYS,
    MAX_COMPANY_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_EXPIRY_DAYS,
    MAX_MESSAGE_CHARS,
    MAX_REGION_CHARS,
    MAX_TITLE_CHARS,
)
from matching.matcher import Subject
from matching.service import TooManyListings
from operations.app import App
from query_api.admin import admin, reader
from query_api.deps import app_of
from query_api.models import Problem

ServiceId = Literal["tie_up", "agent", "invest", "capital", "purchase", "recruit"]
ListingId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="the id given when the listing was posted")]
assert set(ServiceId.__args__) == set(SERVICES)  # type: ignore[attr-defined]


class ListingFields(BaseModel):
    kind: Literal["need", "offer"]
    service: ServiceId
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    company: str = Field(min_length=1, max_length=MAX_COMPANY_CHARS)
    categories: list[Annotated[int, Field(ge=1, le=11)]] = Field(
        default_factory=list, max_length=11, description="1-11; classified from the text when left out")
    region: str = Field("", max_length=MAX_REGION_CHARS)
    country: str = Field("", pattern=r"^([A-Z]{2})?$", description="ISO 3166-1 alpha-2, such as CN or JP")
    lang: Literal["", "zh", "ja", "en"] = Field("", description="detected when left out")


class ListingIn(ListingFields):
    contact_email: str = Field(max_length=254, description="never published: interest is relayed to it")
    expires_in_days: int = Field(DEFAULT_EXPIRY_DAYS, ge=1, le=MAX_EXPIRY_DAYS)


class ListingPatch(BaseModel):
    kind: Literal["need", "offer"] | None = None
    service: ServiceId | None = None
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE_CHARS)
    description: str | None = Field(None, min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    company: str | None = Field(None, min_length=1, max_length=MAX_COMPANY_CHARS)
    categories: list[Annotated[int, Field(ge=1, le=11)]] | None = Field(None, max_length=11)
    region: str | None = Field(None, max_length=MAX_REGION_CHARS)
    country: str | None = Field(None, pattern=r"^([A-Z]{2})?$")
    contact_email: str | None = Field(None, max_length=254)


class ListingOut(BaseModel):
    id: str
    kind: str
    service: str
    title: str = Field(description="plain text, never HTML: render it as text")
    description: str = Field(description="plain text, never HTML: render it as text")
    company: str
    categories: list[int]
    region: str
    country: str
    lang: str
    created_at: str
    expires_at: str


class ListingCreated(BaseModel):
    id: str
    owner_token: str = Field(description="shown once: keep it to change, renew or withdraw the listing")
    expires_at: str
    categories: list[int]
    lang: str
    notes: list[str] = Field(default_factory=list, description="what the reader should know, in English")


class RenewIn(BaseModel):
    days: int = Field(DEFAULT_EXPIRY_DAYS, ge=1, le=MAX_EXPIRY_DAYS)


class MatchReasons(BaseModel):
    shared_terms: list[str]
    categories: list[int] = Field(description="the categories both sides share")
    service: str = Field(description="the service the match answers with")
    translated: bool = Field(description="the match is in another language than the listing")


class MatchOut(BaseModel):
    kind: Literal["listing", "page"]
    id: str
    title: str
    url: str
    lang: str
    service: str
    categories: list[int]
    score: float
    reasons: MatchReasons


class MatchesOut(BaseModel):
    matches: list[MatchOut]
    notes: list[str] = Field(default_factory=list, description="what the reader should know, in English")


def language_notes(lang: str) -> list[str]:
    """A listing in a language we do not translate is matched in that language only: say so."""
    if lang in INTERFACE_LANGUAGES:
        return []
    return [f"the listing is in {lang}, which is not translated here: it is matched only with listings and pages "
            "in the same language"]


class InterestIn(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    contact_email: str = Field(max_length=254, description="where the owner's reply goes; shown only to the owner")
    listing_id: str = Field("", pattern=r"^([0-9a-f]{16})?$", description="your own listing, to show the owner")


class InterestOut(BaseModel):
    relayed: bool = Field(description="handed to the mail server now; false: kept in the outbox and retried")


class AlertFilters(BaseModel):
    category: int = Field(0, ge=0, le=11, description="0 = all categories")
    service: ServiceId | None = None
    lang: Literal["zh", "ja", "en"] | None = None
    group: str | None = Field(None, max_length=40)


class AlertIn(BaseModel):
    listing_id: str = Field("", pattern=r"^([0-9a-f]{16})?$", description="new matches of this listing")
    query: str = Field("", max_length=500, description="or: new results of this search")
    filters: AlertFilters | None = Field(None, description="the search filters")
    email: str = Field("", max_length=254, description="sent a confirmation link first (double opt-in)")
    webhook_url: str = Field("", max_length=2000, description="or: POSTed as JSON; public addresses only")
    lang: Literal["zh", "ja", "en"] = "en"


class AlertCreated(BaseModel):
    id: str
    token: str = Field(description="shown once: it confirms or cancels the alert (/api/alerts/{id}/unsubscribe)")
    confirmation: Literal["sent", "not needed"]


class HiddenIn(BaseModel):
    hidden: bool


def listing_out(listing: Listing) -> ListingOut:
    return ListingOut(id=listing.id, kind=listing.kind, service=listing.service, title=listing.title,
                      description=listing.description, company=listing.company, categories=listing.categories,
                      region=listing.region, country=listing.country, lang=listing.lang,
                      created_at=listing.created_at.isoformat(), expires_at=listing.expires_at.isoformat())


def matches_out(matches: list[Match], lang: str) -> MatchesOut:
    return MatchesOut(notes=language_notes(lang), matches=[MatchOut(
        kind="listing" if m.kind == "listing" else "page", id=m.id, title=m.title, url=m.url, lang=m.lang,
        service=m.service, categories=m.categories, score=m.score,
        reasons=MatchReasons(shared_terms=m.shared_terms, categories=m.shared_categories, service=m.service,
                             translated=m.translated)) for m in matches])


def owner_token(authorization: Annotated[str, Header(description="Bearer <owner_token>")] = "") -> str:
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""


def _refuse(exc: Exception) -> HTTPException:
    if isinstance(exc, OwnerTokenError):
        return (HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) if exc.missing
                else HTTPException(403, str(exc)))
    if isinstance(exc, TooManyListings):
        return HTTPException(429, exc.message)
    if isinstance(exc, ListingError):
        return HTTPException(422, f"{exc.field}: {exc.message}")
    return HTTPException(404, "no such listing: it was withdrawn, has expired, or the id is wrong")


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem,
                                                     "description": "no such listing, or no longer shown"}}
OWNED: dict[int | str, dict[str, Any]] = {401: {"model": Problem, "description": "no owner token"},
         403: {"model": Problem, "description": "not this listing's owner token"}, **NOT_FOUND}
AppDep = Annotated[App, Depends(app_of)]
router = APIRouter(prefix="/api", tags=["listings"])


@router.post("/listings", status_code=201, response_model=ListingCreated, summary="Post a need or an offer",
             responses={422: {"model": Problem}, 429: {"model": Problem, "description": "too many from this address"}})
def post_listing(body: ListingIn, app: AppDep, background: BackgroundTasks) -> ListingCreated:
    draft = ListingDraft(body.kind, body.service, body.title, body.description, body.company, body.contact_email,
                         list(body.categories), body.region, body.country, body.lang, body.expires_in_days)
    try:
        listing, token = app.listings.post(draft)
    except ListingError as exc:
        raise _refuse(exc) from None
    background.add_task(app.alerts.send_digests)  # the new listing may answer someone's alert
    return ListingCreated(id=listing.id, owner_token=token, expires_at=listing.expires_at.isoformat(),
                          categories=listing.categories, lang=listing.lang, notes=language_notes(listing.lang))


@router.get("/listings/{listing_id}", response_model=ListingOut, responses=NOT_FOUND,
            summary="A listing (never its contact address)")
def get_listing(listing_id: ListingId, app: AppDep) -> ListingOut:
    listing = app.listings.get(listing_id)
    if listing is None:
        raise _refuse(KeyError(listing_id))
    return listing_out(listing)


@router.patch("/listings/{listing_id}", response_model=ListingOut, responses={**OWNED, 422: {"model": Problem}},
              summary="Change a listing (owner token)")
def patch_listing(listing_id: ListingId, body: ListingPatch, app: AppDep,
                  token: Annotated[str, Depends(owner_token)]) -> ListingOut:
    try:
        return listing_out(app.listings.update(listing_id, token, body.model_dump(exclude_none=True)))
    except (OwnerTokenError, ListingError, KeyError) as exc:
        raise _refuse(exc) from None


@router.delete("/listings/{listing_id}", status_code=204, responses=OWNED, summary="Withdraw a listing (owner token)")
def delete_listing(listing_id: ListingId, app: AppDep, token: Annotated[str, Depends(owner_token)]) -> Response:
    try:
        app.listings.withdraw(listing_id, token)
    except (OwnerTokenError, KeyError) as exc:
        raise _refuse(exc) from None
    return Response(status_code=204)


@router.post("/listings/{listing_id}/renew", response_model=ListingOut, responses=OWNED,
             summary="Keep a listing for longer (owner token)")
def renew_listing(listing_id: ListingId, app: AppDep, token: Annotated[str, Depends(owner_token)],
                  body: Annotated[RenewIn | None, Body()] = None) -> ListingOut:
    try:
        days = body.days if body is not None else DEFAULT_EXPIRY_DAYS
        return listing_out(app.listings.renew(listing_id, token, days))
    except (OwnerTokenError, ListingError, KeyError) as exc:
        raise _refuse(exc) from None


@router.post("/listings/{listing_id}/interest", status_code=202, response_model=InterestOut,
             responses={**NOT_FOUND, 422: {"model": Problem}, 429: {"model": Problem, "description": "too many"}},
             summary="Tell a listing's owner you are interested (relayed by e-mail; no address published)")
def express_interest(listing_id: ListingId, body: InterestIn, app: AppDep) -> InterestOut:
    try:
        report = app.listings.express_interest(listing_id, body.message, body.contact_email, body.listing_id)
    except (ListingError, KeyError) as exc:
        raise _refuse(exc) from None
    return InterestOut(relayed=report.sent > 0 and not report.error)


@router.get("/listings/{listing_id}/matches", response_model=MatchesOut, responses=NOT_FOUND,
            summary="The listings and pages that answer a listing, best first")
def listing_matches(listing_id: ListingId, app: AppDep,
                    limit: Annotated[int, Query(ge=1, le=50)] = 10) -> MatchesOut:
    listing = app.listings.get(listing_id)
    if listing is None:
        raise _refuse(KeyError(listing_id))
    subject = Subject.of(listing)
    return matches_out(app.matcher.matches(subject, limit), subject.lang)


@router.post("/match", response_model=MatchesOut, summary="Match a need or an offer without posting it")
def match(body: ListingFields, app: AppDep, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> MatchesOut:
    lang, categories = app.listings.read(body.title, body.description, body.lang, list(body.categories))
    subject = Subject(body.kind, body.service, body.title, body.description, categories, lang)
    return matches_out(app.matcher.matches(subject, limit), subject.lang)


@router.post("/alerts", status_code=201, response_model=AlertCreated,
             responses={422: {"model": Problem}, 429: {"model": Problem, "description": "too many from this client"}},
             summary="Be told of new matches of a listing, or new results of a search")
def create_alert(body: AlertIn, app: AppDep) -> AlertCreated:
    f = body.filters
    filters: dict[str, object] = {} if f is None else {
        "categories": [f.category] if f.category else [], "services": [f.service] if f.service else [],
        "langs": [f.lang] if f.lang else [], "groups": [f.group] if f.group else []}
    try:
        alert, token = app.alerts.create(listing_id=body.listing_id, query=body.query, filters=filters,
                                         email=body.email, webhook_url=body.webhook_url, lang=body.lang)
    except AlertError as exc:
        raise HTTPException(422, str(exc)) from None
    return AlertCreated(id=alert.id, token=token, confirmation="sent" if body.email else "not needed")


AlertId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
AlertToken = Annotated[str, Query(max_length=200, description="from the alert's e-mail or its creation")]


@router.get("/alerts/{alert_id}/confirm", response_class=PlainTextResponse, responses={404: {"model": Problem}},
            summary="Confirm an e-mail alert (the link in its confirmation e-mail)")
def confirm_alert(alert_id: AlertId, token: AlertToken, app: AppDep) -> str:
    if not app.alerts.confirm(alert_id, token):
        raise HTTPException(404, "no such alert, or the link is not this alert's")
    return "Confirmed: new matches will be sent at most once a day."


@router.get("/alerts/{alert_id}/unsubscribe", response_class=PlainTextResponse, responses={404: {"model": Problem}},
            summary="Stop an alert (the link in every digest)")
def unsubscribe_alert(alert_id: AlertId, token: AlertToken, app: AppDep) -> str:
    if not app.alerts.unsubscribe(alert_id, token):
        raise HTTPException(404, "no such alert, or the link is not this alert's")
    return "Unsubscribed: nothing more will be sent."


admin_router = APIRouter(prefix="/api/admin", tags=["operators"], dependencies=[Depends(reader)])


@admin_router.get("/listings", response_model=list[ListingOut], summary="Every listing, hidden and expired too")
def all_listings(app: AppDep) -> list[ListingOut]:
    return [listing_out(listing) for listing in app.listings.store.all()]


@admin_router.post("/listings/{listing_id}/hidden", response_model=ListingOut, responses=NOT_FOUND,
                   dependencies=[Depends(admin)], summary="Hide a listing from search and matching, or show it again")
def hide_listing(listing_id: ListingId, body: HiddenIn, app: AppDep) -> ListingOut:
    try:
        return listing_out(app.listings.hide(listing_id, body.hidden))
    except KeyError as exc:
        raise _refuse(exc) from None
