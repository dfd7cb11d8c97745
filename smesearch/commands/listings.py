"""`smesearch listings` (post, list, show, withdraw needs and offers) and `smesearch match`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from matching import ListingDraft, ListingError, OwnerTokenError
from matching.listing import DEFAULT_EXPIRY_DAYS
from matching.matcher import Match, Subject
from smesearch.commands.common import EXIT_BAD_INPUT, fail, open_app

commands = typer.Typer()  # `match`, added to `smesearch` at the top level
listings_cli = typer.Typer(no_args_is_help=True, help="Enterprises' needs and offers, as the API's /api/listings.")

Kind = Annotated[str, typer.Option(help="need or offer")]
Service = Annotated[str, typer.Option(help="tie_up, agent, invest, capital, purchase or recruit")]
Title = Annotated[str, typer.Option(help="one line: what is needed or offered")]
Description = Annotated[str, typer.Option(help="the products, the market, the terms")]
Categories = Annotated[list[int] | None, typer.Option("--category", help="1-11, repeatable; classified when left out")]
Lang = Annotated[str, typer.Option(help="zh, ja or en; detected when left out")]


@listings_cli.command("add")
def listings_add(ctx: typer.Context, kind: Kind, service: Service, title: Title, description: Description,
                 company: Annotated[str, typer.Option(help="the enterprise's name")],
                 email: Annotated[str, typer.Option(help="where interest is sent; never published")],
                 category: Categories = None, region: Annotated[str, typer.Option()] = "",
                 country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2, such as CN")] = "", lang: Lang = "",
                 days: Annotated[int, typer.Option(help="days until it expires (1-365)")] = DEFAULT_EXPIRY_DAYS,
                 ) -> None:
    """Post a listing; its id and owner token are printed once (the token is stored only hashed)."""
    draft = ListingDraft(kind, service, title, description, company, email, list(category or []), region, country,
                         lang, days)
    try:
        listing, token = open_app(ctx).listings.post(draft)
    except ListingError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    typer.echo(f"{listing.id} {token}")
    typer.echo(f"(listing {listing.id}, {listing.lang}, categories {listing.categories}, expires "
               f"{listing.expires_at:%Y-%m-%d}: keep the owner token now; it cannot be shown again)", err=True)


@listings_cli.command("list")
def listings_list(ctx: typer.Context) -> None:
    """Listings shown to the public now (neither hidden nor expired)."""
    for listing in open_app(ctx).listings.active():
        typer.echo(f"{listing.id}  {listing.kind:<5} {listing.service:<8} {listing.lang}  "
                   f"until {listing.expires_at:%Y-%m-%d}  {listing.title}")


@listings_cli.command("show")
def listings_show(ctx: typer.Context, listing_id: Annotated[str, typer.Argument()]) -> None:
    """One listing as JSON, as GET /api/listings/{id} shows it (never its contact address)."""
    listing = open_app(ctx).listings.get(listing_id)
    if listing is None:
        raise fail(f"no listing {listing_id} is shown: withdrawn, expired, hidden or never posted", EXIT_BAD_INPUT)
    shown = {"id": listing.id, "kind": listing.kind, "service": listing.service, "title": listing.title,
             "description": listing.description, "company": listing.company, "categories": listing.categories,
             "region": listing.region, "country": listing.country, "lang": listing.lang,
             "created_at": listing.created_at.isoformat(), "expires_at": listing.expires_at.isoformat()}
    typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@listings_cli.command("withdraw")
def listings_withdraw(ctx: typer.Context, listing_id: Annotated[str, typer.Argument()],
                      token: Annotated[str, typer.Option(help="the owner token printed by `listings add`")]) -> None:
    """Withdraw a listing: out of search and matching at once."""
    try:
        open_app(ctx).listings.withdraw(listing_id, token)
    except (OwnerTokenError, KeyError) as exc:
        raise fail(str(exc) if isinstance(exc, OwnerTokenError) else f"no listing {listing_id}",
                   EXIT_BAD_INPUT) from None
    typer.echo(f"withdrew {listing_id}")


@listings_cli.command("send-mail")
def listings_send_mail(ctx: typer.Context) -> None:
    """Send the mail waiting in the outbox (interest relayed to listing owners); failures wait and are retried."""
    report = open_app(ctx).listings.outbox.send_due()
    typer.echo(f"sent {report.sent}, waiting {report.waiting}" + (f" ({report.error})" if report.error else ""))
    if report.error:
        raise typer.Exit(EXIT_BAD_INPUT)


@commands.command("match")
def match(ctx: typer.Context, listing_id: Annotated[str, typer.Argument(help="a posted listing's id")] = "",
          kind: Kind = "need", service: Service = "", title: Title = "", description: Description = "",
          category: Categories = None, lang: Lang = "",
          limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
          as_json: Annotated[bool, typer.Option("--json", help="print what POST /api/match answers")] = False) -> None:
    """The listings and pages that answer a posted listing (by id) or one described here, best first."""
    app = open_app(ctx)
    if listing_id:
        listing = app.listings.get(listing_id)
        if listing is None:
            raise fail(f"no listing {listing_id} is shown: withdrawn, expired, hidden or never posted", EXIT_BAD_INPUT)
        subject = Subject.of(listing)
    else:
        draft = ListingDraft(kind, service, title, description, "-", "cli@example.org", list(category or []))
        try:
            draft.validate()
        except ListingError as exc:
            raise fail(f"{exc} (give a listing id, or --kind, --service, --title and --description)",
                       EXIT_BAD_INPUT) from None
        lang, categories = app.listings.read(title, description, lang, draft.categories)
        subject = Subject(kind, service, title, description, categories, lang)
    found = app.matcher.matches(subject, limit)
    if as_json:
        typer.echo(json.dumps({"matches": [_match_json(m) for m in found]}, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no match yet: alerts and a later crawl may bring one")
    for m in found:
        why = ", ".join(filter(None, [m.service, f"categories {m.shared_categories}" if m.shared_categories else "",
                                      "translated" if m.translated else "", " ".join(m.shared_terms[:5])]))
        typer.echo(f"{m.score:.2f}  {m.kind:<7} {m.lang}  {m.title}\n       {m.url}  ({why})")


def _match_json(m: Match) -> dict[str, object]:
    return {"kind": m.kind, "id": m.id, "title": m.title, "url": m.url, "lang": m.lang, "service": m.service,
            "categories": m.categories, "score": m.score,
            "reasons": {"shared_terms": m.shared_terms, "categories": m.shared_categories, "service": m.service,
                        "translated": m.translated}}
