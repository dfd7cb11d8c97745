# ruff: noqa: E501  (the page texts in three languages read better unwrapped)
"""The portal's listing pages, in zh, ja and en: post a need or an offer (`/listings/new`), see a
listing with its matches and tell its owner you are interested (`/listings/{id}`), withdraw it
with the owner token, and ask to be told of new matches.

Server-rendered forms, no script: every value is escaped here, and a listing's own text and its
matches' titles (crawled, untrusted) reach the browser only as escaped text, their links only
when they are http(s).
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures' dependencies.

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse

from categories import CATEGORIES, SERVICE_LIST
from matching import AlertError, Listing, ListingDraft, ListingError, OwnerTokenError
from matching.matcher import Subject
from operations.app import App
from query_api.deps import app_of
from query_api.pages import COLON, LANGUAGE_NAMES, PAGE_HEADERS, external_link, frame, reader_lang

TEXT = {
    "en": {"new": "Post a need or an offer", "kind": "I post", "need": "a need", "offer": "an offer",
           "service": "Service", "title": "Title", "description": "Description", "company": "Company",
           "email": "Contact e-mail (never shown; interest is relayed to it)", "submit": "Post",
           "posted": "Your listing is posted", "token": "Owner token: keep it now, it is shown only once. "
           "It changes, renews or withdraws the listing.", "view": "See the listing and its matches",
           "matches": "Matches", "none": "No match yet. Ask to be told when one appears:",
           "translated": "in another language", "interest": "Tell the owner you are interested",
           "message": "Your message", "your_email": "Your e-mail (sent only to the owner)", "send": "Send",
           "sent": "Your message is on its way to the owner.", "queued": "Your message will be sent shortly.",
           "alert": "E-mail me new matches", "alert_sent": "Check your mailbox: confirm the alert with the link we sent.",
           "withdraw": "Withdraw with the owner token", "withdrawn": "The listing is withdrawn.",
           "missing": "No such listing: it was withdrawn, has expired, or the link is wrong.", "error": "Please check",
           "back": "Back", "owner_token": "Owner token", "listing": "listing", "page": "page",
           "profile": "Company profile", "email_short": "E-mail", "token_wrong": "This owner token is not the listing's."},
    "zh": {"new": "发布需求或供给", "kind": "我要发布", "need": "需求", "offer": "供给",
           "service": "服务", "title": "标题", "description": "说明", "company": "企业名称",
           "email": "联系邮箱（不公开；意向信息将转发到此邮箱）", "submit": "发布",
           "posted": "已发布", "token": "管理令牌：请立即保存，只显示这一次。修改、续期或撤回时需要它。",
           "view": "查看该信息及其匹配", "matches": "匹配结果", "none": "暂无匹配。有新匹配时通知我：",
           "translated": "其他语言", "interest": "向发布者表达意向", "message": "留言",
           "your_email": "您的邮箱（只发给发布者）", "send": "发送", "sent": "您的留言已发送给发布者。",
           "queued": "您的留言将很快发送。", "alert": "有新匹配时邮件通知我", "alert_sent": "请查收邮件，点击链接确认提醒。",
           "withdraw": "用管理令牌撤回", "withdrawn": "已撤回。", "missing": "没有这条信息：已撤回、已过期或链接有误。",
           "error": "请检查", "back": "返回", "owner_token": "管理令牌", "listing": "供需信息", "page": "网页",
           "profile": "企业档案", "email_short": "邮箱", "token_wrong": "管理令牌不正确。"},
    "ja": {"new": "ニーズ・シーズを掲載する", "kind": "掲載するもの", "need": "ニーズ", "offer": "シーズ（提供）",
           "service": "サービス", "title": "タイトル", "description": "説明", "company": "企業名",
           "email": "連絡先メール（公開されません。関心の連絡が転送されます）", "submit": "掲載する",
           "posted": "掲載しました", "token": "管理トークン：今すぐ保存してください。一度しか表示されません。"
           "変更・更新・取り下げに使います。", "view": "掲載内容とマッチングを見る", "matches": "マッチング",
           "none": "まだマッチングはありません。新しいマッチングを通知します：", "translated": "他の言語",
           "interest": "掲載者に関心を伝える", "message": "メッセージ", "your_email": "あなたのメール（掲載者にのみ送られます）",
           "send": "送信", "sent": "メッセージを掲載者に送りました。", "queued": "メッセージはまもなく送信されます。",
           "alert": "新しいマッチングをメールで受け取る", "alert_sent": "確認メールのリンクを開いてアラートを有効にしてください。",
           "withdraw": "管理トークンで取り下げる", "withdrawn": "取り下げました。",
           "missing": "この掲載はありません。取り下げ・期限切れ、またはリンクの誤りです。", "error": "確認してください",
           "back": "戻る", "owner_token": "管理トークン", "listing": "掲載情報", "page": "ウェブページ",
           "profile": "企業情報", "email_short": "メール", "token_wrong": "管理トークンがこの掲載のものではありません。"},
}
# Why a form was refused, in the reader's language (ListingError.reason, AlertError.reason).
REASONS = {
    "en": {"required": "{label}: please fill it in", "too_long": "{label}: {length} characters; at most {limit}",
           "not_email": "{label}: not an e-mail address", "length_range": "{label}: 1 to {limit} characters",
           "duplicate_title": "{label}: this address has already posted a listing with this title",
           "too_many_listings": "{label}: an address may post {limit} listings a day; try again tomorrow",
           "too_many_messages": "{label}: an address may send {limit} messages a day; try again tomorrow"},
    "zh": {"required": "{label}：请填写", "too_long": "{label}：{length} 个字符，最多 {limit} 个",
           "not_email": "{label}：不是有效的邮箱地址", "length_range": "{label}：须为 1 到 {limit} 个字符",
           "duplicate_title": "{label}：该邮箱已发布过同一标题的信息",
           "too_many_listings": "{label}：每个邮箱每天最多发布 {limit} 条信息，请明天再试",
           "too_many_messages": "{label}：每个邮箱每天最多发送 {limit} 条留言，请明天再试"},
    "ja": {"required": "{label}：入力してください", "too_long": "{label}：{length} 文字です。{limit} 文字までです",
           "not_email": "{label}：メールアドレスではありません", "length_range": "{label}：1〜{limit} 文字で入力してください",
           "duplicate_title": "{label}：このアドレスは同じタイトルの掲載をすでにしています",
           "too_many_listings": "{label}：1つのアドレスで1日に掲載できるのは {limit} 件までです。明日もう一度お試しください",
           "too_many_messages": "{label}：1つのアドレスで1日に送れるのは {limit} 通までです。明日もう一度お試しください"},
}
FIELD_LABELS = {"title": "title", "description": "description", "company": "company", "contact_email": "email_short",
                "email": "email_short", "message": "message"}


def refusal(exc: ListingError | AlertError, lang: str) -> str:
    """A refused form's reason in `lang`; the English message where no form could cause it."""
    label = FIELD_LABELS.get(exc.field if isinstance(exc, ListingError) else "email")
    template = REASONS[lang].get(exc.reason)
    if template is None or label is None:
        return str(exc)
    params = exc.params if isinstance(exc, ListingError) else {}
    return template.format(label=TEXT[lang][label], **params)


AppDep = Annotated[App, Depends(app_of)]
ListingId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
router = APIRouter(include_in_schema=False)


def _page(lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(frame(lang, title, body, "/"), status_code=status, headers=PAGE_HEADERS)


def _field(label: str, control: str) -> str:
    return f"<p><label>{escape(label)}<br>{control}</label></p>"


def _new_form(lang: str, error: str = "") -> str:
    t = TEXT[lang]
    services = "".join(f'<option value="{s.id}">{escape(s.name(lang))}</option>' for s in SERVICE_LIST)
    categories = "".join(f'<option value="{c.id}">{c.id} {escape(c.name(lang))}</option>' for c in CATEGORIES)
    alert = f'<p role="alert">{escape(t["error"])}{COLON[lang]}{escape(error)}</p>' if error else ""
    return f"""<h2>{escape(t["new"])}</h2>{alert}
<form method="post" action="/listings/new?lang={lang}">
<fieldset><legend>{escape(t["kind"])}</legend>
<label><input type="radio" name="kind" value="need" checked> {escape(t["need"])}</label>
<label><input type="radio" name="kind" value="offer"> {escape(t["offer"])}</label></fieldset>
{_field(t["service"], f'<select name="service">{services}</select>')}
{_field(t["title"], '<input name="title" required maxlength="200" size="60">')}
{_field(t["description"], '<textarea name="description" required maxlength="5000" rows="6" cols="60"></textarea>')}
{_field(t["company"], '<input name="company" required maxlength="200" size="40">')}
{_field("", f'<select name="category"><option value="0">–</option>{categories}</select>')}
{_field(t["email"], '<input name="contact_email" type="email" required maxlength="254" size="40">')}
<p><button type="submit">{escape(t["submit"])}</button></p></form>"""


@router.get("/listings/new", response_class=HTMLResponse)
def new_listing(request: Request, lang: str | None = None) -> HTMLResponse:
    page_lang = reader_lang(request, lang)
    return _page(page_lang, TEXT[page_lang]["new"], _new_form(page_lang))


@router.post("/listings/new", response_class=HTMLResponse)
def post_listing(request: Request, app: AppDep, kind: Annotated[str, Form()], service: Annotated[str, Form()],
                 title: Annotated[str, Form()], description: Annotated[str, Form()], company: Annotated[str, Form()],
                 contact_email: Annotated[str, Form()], category: Annotated[int, Form()] = 0,
                 lang: str | None = None) -> HTMLResponse:
    page_lang = reader_lang(request, lang)
    t = TEXT[page_lang]
    draft = ListingDraft(kind, service, title, description, company, contact_email, [category] if category else [])
    try:
        listing, token = app.listings.post(draft)
    except ListingError as exc:
        return _page(page_lang, t["new"], _new_form(page_lang, refusal(exc, page_lang)), 422)
    body = f"""<h2>{escape(t["posted"])}</h2>
<p>{escape(t["token"])}</p><pre id="owner-token">{escape(token)}</pre>
<p><a href="/listings/{listing.id}?lang={page_lang}">{escape(t["view"])}</a></p>"""
    return _page(page_lang, t["posted"], body, 201)


def _listing_body(app: App, listing: Listing, lang: str, notice: str = "") -> str:
    t = TEXT[lang]
    service = next(s for s in SERVICE_LIST if s.id == listing.service)
    categories = ", ".join(c.name(lang) for c in CATEGORIES if c.id in listing.categories)
    subject = Subject.of(listing)
    items = []
    for m in app.matcher.matches(subject, 10):
        name = external_link(m.url, m.title)
        extra = f' · {escape(t["translated"])}' if m.translated else ""
        if m.kind == "page":  # a crawled page: what the index knows of its enterprise
            extra += f' · <a href="/documents/{escape(m.id)}?lang={lang}">{escape(t["profile"])}</a>'
        items.append(f'<li class="match"><span lang="{escape(m.lang)}">{name}</span><br><small>{escape(t[m.kind])} · '
                     f'{escape(LANGUAGE_NAMES[lang].get(m.lang, m.lang))}{extra} · {m.score:.2f}</small></li>')
    matches = (f'<ol class="matches">{"".join(items)}</ol>' if items else f"<p>{escape(t['none'])}</p>")
    notice_html = f'<p role="status">{escape(notice)}</p>' if notice else ""
    return f"""{notice_html}<article lang="{escape(listing.lang)}"><h2>{escape(listing.title)}</h2>
<p><span lang="{escape(listing.lang)}">{escape(listing.company)}</span> · {escape(t[listing.kind])} · {escape(service.name(lang))} · {escape(categories)}</p>
<p class="description">{escape(listing.description)}</p></article>
<section aria-labelledby="matches"><h2 id="matches">{escape(t["matches"])}</h2>{matches}</section>
<section aria-labelledby="interest"><h2 id="interest">{escape(t["interest"])}</h2>
<form method="post" action="/listings/{listing.id}/interest?lang={lang}">
{_field(t["message"], '<textarea name="message" required maxlength="2000" rows="4" cols="60"></textarea>')}
{_field(t["your_email"], '<input name="contact_email" type="email" required maxlength="254" size="40">')}
<p><button type="submit">{escape(t["send"])}</button></p></form></section>
<section aria-labelledby="alert"><h2 id="alert">{escape(t["alert"])}</h2>
<form method="post" action="/listings/{listing.id}/alert?lang={lang}">
{_field(t["your_email"], '<input name="email" type="email" required maxlength="254" size="40">')}
<p><button type="submit">{escape(t["alert"])}</button></p></form></section>
<section aria-labelledby="withdraw"><h2 id="withdraw">{escape(t["withdraw"])}</h2>
<form method="post" action="/listings/{listing.id}/withdraw?lang={lang}">
{_field(t["owner_token"], '<input name="token" required maxlength="200" size="50" autocomplete="off">')}
<p><button type="submit">{escape(t["withdraw"])}</button></p></form></section>"""


def _missing(lang: str) -> HTMLResponse:
    return _page(lang, TEXT[lang]["missing"], f"<p>{escape(TEXT[lang]['missing'])}</p>", 404)


@router.get("/listings/{listing_id}", response_class=HTMLResponse)
def listing_page(request: Request, listing_id: ListingId, app: AppDep, lang: str | None = None) -> HTMLResponse:
    page_lang = reader_lang(request, lang)
    listing = app.listings.get(listing_id)
    if listing is None:
        return _missing(page_lang)
    return _page(page_lang, listing.title, _listing_body(app, listing, page_lang))


@router.post("/listings/{listing_id}/interest", response_class=HTMLResponse)
def interest_form(request: Request, listing_id: ListingId, app: AppDep, message: Annotated[str, Form()],
                  contact_email: Annotated[str, Form()], lang: str | None = None) -> HTMLResponse:
    page_lang, listing = reader_lang(request, lang), app.listings.get(listing_id)
    if listing is None:
        return _missing(page_lang)
    t = TEXT[page_lang]
    try:
        report = app.listings.express_interest(listing_id, message, contact_email)
    except ListingError as exc:
        return _page(page_lang, listing.title, _listing_body(app, listing, page_lang, f"{t['error']}{COLON[page_lang]}{refusal(exc, page_lang)}"), 422)
    notice = t["sent"] if report.sent and not report.error else t["queued"]
    return _page(page_lang, listing.title, _listing_body(app, listing, page_lang, notice))


@router.post("/listings/{listing_id}/alert", response_class=HTMLResponse)
def alert_form(request: Request, listing_id: ListingId, app: AppDep, email: Annotated[str, Form()],
               lang: str | None = None) -> HTMLResponse:
    page_lang, listing = reader_lang(request, lang), app.listings.get(listing_id)
    if listing is None:
        return _missing(page_lang)
    t = TEXT[page_lang]
    try:
        app.alerts.create(listing_id=listing_id, email=email, lang=page_lang)
    except AlertError as exc:
        return _page(page_lang, listing.title, _listing_body(app, listing, page_lang, f"{t['error']}{COLON[page_lang]}{refusal(exc, page_lang)}"), 422)
    return _page(page_lang, listing.title, _listing_body(app, listing, page_lang, t["alert_sent"]))


@router.post("/listings/{listing_id}/withdraw", response_class=HTMLResponse)
def withdraw_form(request: Request, listing_id: ListingId, app: AppDep, token: Annotated[str, Form()],
                  lang: str | None = None) -> HTMLResponse:
    page_lang = reader_lang(request, lang)
    t = TEXT[page_lang]
    try:
        app.listings.withdraw(listing_id, token)
    except KeyError:
        return _missing(page_lang)
    except OwnerTokenError:
        listing = app.listings.get(listing_id)
        if listing is None:
            return _missing(page_lang)
        return _page(page_lang, listing.title, _listing_body(app, listing, page_lang, t["token_wrong"]), 403)
    return _page(page_lang, t["withdrawn"], f"<p role=status>{escape(t['withdrawn'])}</p>")
