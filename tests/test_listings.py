"""Listings and matching as an enterprise meets them through the API: post a need or an offer,
keep the owner token, change, renew or withdraw it; see the complementary listings and pages
in the other languages, best first, each with its reasons; bad input refused naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from tests.helpers import free_port, run, write_jsonl

PAGES = [  # crawled enterprise pages: one announces that it wants agents (Table 9), one does not
    {"url": "https://maker.example.jp/agents", "lang": "ja", "title": "ブレーキパッドの販売代理店を募集",
     "body": "自動車用ブレーキパッドのメーカーです。中国での販売代理店を募集しています。", "services": ["agent"],
     "categories": [8]},
    {"url": "https://mill.example.cn/about", "lang": "zh", "title": "纺织厂简介", "body": "生产棉纱和面料。",
     "categories": [1]},
]


def listing(**fields: Any) -> dict[str, Any]:
    base = {"kind": "need", "service": "agent", "title": "寻找日本刹车片代理商", "company": "沈阳刹车片有限公司",
            "description": "我公司生产汽车刹车片，寻找日本的代理商和经销商。", "contact_email": "sales@brake.example.cn"}
    return base | fields


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "pages.jsonl", PAGES))).returncode == 0
    opened = App(Settings(data_dir=data, rate_limit="", search_cache_s=0))  # see each change at once
    yield opened
    opened.close()


@pytest.fixture
def client(app: App) -> TestClient:
    return TestClient(create_app(app), base_url="http://localhost")


def post(client: TestClient, **fields: Any) -> dict[str, Any]:
    answer = client.post("/api/listings", json=listing(**fields))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_posted_listing_is_classified_shown_without_its_address_and_found_by_search(client: TestClient) -> None:
    created = post(client)
    assert created["lang"] == "zh" and 8 in created["categories"] and len(created["owner_token"]) >= 40
    shown = client.get(f"/api/listings/{created['id']}").json()
    assert shown["title"] == "寻找日本刹车片代理商" and "contact_email" not in shown
    assert "sales@brake.example.cn" not in client.get(f"/api/listings/{created['id']}").text
    found = client.get("/api/search", params={"q": "刹车片 代理商", "group": "listing"}).json()["results"]
    assert [r["url"].rsplit("/", 1)[1] for r in found] == [created["id"]]
    # Markup is kept as text, never interpreted.
    marked = post(client, title="<script>alert(1)</script> 代理商募集", contact_email="x@brake.example.cn")
    assert client.get(f"/api/listings/{marked['id']}").json()["title"].startswith("<script>")


@pytest.mark.parametrize(("fields", "status", "names"), [
    ({"title": "x" * 201}, 422, "title"),
    ({"contact_email": "not an address"}, 422, "contact_email"),
    ({"country": "China"}, 422, "country"),
    ({"categories": [12]}, 422, "categories"),
    ({"service": "lunch"}, 422, "service"),
    ({"expires_in_days": 400}, 422, "expires_in_days"),
])
def test_bad_fields_are_refused_naming_the_field(client: TestClient, fields: dict[str, Any], status: int,
                                                   names: str) -> None:
    answer = client.post("/api/listings", json=listing(**fields))
    assert answer.status_code == status and names in answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_same_listing_twice_and_too_many_from_one_address_are_refused(client: TestClient) -> None:
    post(client)
    again = client.post("/api/listings", json=listing())
    assert again.status_code == 422 and "already posted" in again.json()["detail"]
    for n in range(9):
        post(client, title=f"寻找代理商 {n}")
    flood = client.post("/api/listings", json=listing(title="one too many"))
    assert flood.status_code == 429 and "a day" in flood.json()["detail"]


def test_only_the_owner_token_changes_renews_or_withdraws_a_listing(client: TestClient) -> None:
    created = post(client)
    path = f"/api/listings/{created['id']}"
    assert client.patch(path, json={"title": "新标题"}).status_code == 401
    wrong = client.patch(path, json={"title": "新标题"}, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 403
    owner = {"Authorization": f"Bearer {created['owner_token']}"}
    changed = client.patch(path, json={"title": "寻找日本离合器代理商"}, headers=owner)
    assert changed.status_code == 200 and changed.json()["title"] == "寻找日本离合器代理商"
    assert client.get("/api/search", params={"q": "离合器", "group": "listing"}).json()["total"] == 1
    assert client.patch(path, json={"country": "Japan"}, headers=owner).status_code == 422
    renewed = client.post(f"{path}/renew", json={"days": 200}, headers=owner).json()
    assert datetime.fromisoformat(renewed["expires_at"]) > datetime.now(UTC) + timedelta(days=199)
    assert client.delete(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.delete(path, headers=owner).status_code == 204
    assert client.get(path).status_code == 404
    assert client.get("/api/search", params={"q": "离合器", "group": "listing"}).json()["total"] == 0


def test_expired_and_hidden_listings_leave_search_and_matching(app: App, client: TestClient) -> None:
    created = post(client)
    app.listings.expire(datetime.now(UTC) + timedelta(days=91))
    assert client.get(f"/api/listings/{created['id']}").status_code == 200  # still before its own expiry
    later = datetime.now(UTC) + timedelta(days=91)
    assert app.listings.get(created["id"], later) is None
    # An operator hides a listing; it leaves search until shown again.
    key = {"Authorization": f"Bearer {app.operators.add('moderator', 'admin')}"}
    reader = {"Authorization": f"Bearer {app.operators.add('viewer', 'read')}"}
    hidden = client.post(f"/api/admin/listings/{created['id']}/hidden", json={"hidden": True}, headers=key)
    assert hidden.status_code == 200
    assert client.get(f"/api/listings/{created['id']}").status_code == 404
    assert client.get("/api/search", params={"q": "刹车片", "group": "listing"}).json()["total"] == 0
    assert client.post(f"/api/admin/listings/{created['id']}/hidden", json={"hidden": False},
                       headers=reader).status_code == 403
    assert [row["id"] for row in client.get("/api/admin/listings", headers=reader).json()] == [created["id"]]
    # Past its expiry and the grace period, a listing is deleted.
    assert app.listings.expire(datetime.now(UTC) + timedelta(days=200)) == 1
    assert app.listings.store.get(created["id"]) is None


@pytest.mark.translated
def test_a_need_meets_complementary_offers_and_pages_across_languages(client: TestClient) -> None:
    need = post(client)  # a Chinese maker seeks agents in Japan
    offer_ja = post(client, kind="offer", title="ブレーキ部品の代理店になります", company="東京商事",
                    description="自動車のブレーキパッドを扱う販売代理店です。中国メーカーの製品を日本で販売します。",
                    contact_email="info@tokyo.example.jp")
    offer_en = post(client, kind="offer", title="Distributor of brake pads in Osaka", company="Osaka Trading",
                    description="We distribute brake pads and auto parts and want to represent Chinese makers.",
                    contact_email="hello@osaka.example.com")
    other_need = post(client, title="寻找刹车片日本代理商", company="大连制动器厂",
                      description="大连的刹车片工厂寻找日本代理商。", contact_email="a@dalian.example.cn")
    capital = post(client, kind="need", service="capital", title="刹车片工厂寻求投资", company="沈阳刹车片厂",
                   description="刹车片工厂寻求日本投资者。", contact_email="b@brake2.example.cn")
    found = client.get(f"/api/listings/{need['id']}/matches").json()["matches"]
    ids = [m["id"] for m in found]
    assert {offer_ja["id"], offer_en["id"]} <= set(ids)
    assert need["id"] not in ids and other_need["id"] not in ids  # not itself, not a need of the same side
    assert capital["id"] not in ids  # another service
    assert "https://maker.example.jp/agents" not in [m["url"] for m in found]  # a maker seeking agents too
    first = next(m for m in found if m["id"] == offer_ja["id"])
    assert first["kind"] == "listing" and first["reasons"]["translated"] is True
    assert first["reasons"]["service"] == "agent" and 8 in first["reasons"]["categories"]
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)
    # An offer to act as agent meets the crawled page of a maker that wants agents.
    as_agent = client.get(f"/api/listings/{offer_ja['id']}/matches").json()["matches"]
    assert any(m["kind"] == "page" and m["url"] == "https://maker.example.jp/agents" for m in as_agent)
    assert need["id"] in [m["id"] for m in as_agent]
    # An investor meets the enterprise seeking capital, through POST /api/match, nothing stored.
    investor = client.post("/api/match", json={"kind": "offer", "service": "invest", "title": "Investor in auto parts",
                                               "description": "We invest in brake pad and auto parts factories.",
                                               "company": "Kansai Capital"}).json()["matches"]
    assert [m["id"] for m in investor] == [capital["id"]]
    assert client.get("/api/admin/listings").status_code == 401


def test_the_cli_posts_lists_shows_matches_and_withdraws(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = run(data, "listings", "add", "--kind", "offer", "--service", "agent", "--title",
                "Distributor of brake pads in Osaka", "--description", "We distribute brake pads in Japan.",
                "--company", "Osaka Trading", "--email", "hello@osaka.example.com", "--country", "JP")
    assert added.returncode == 0, added.stderr
    listing_id, token = added.stdout.split()
    assert "keep the owner token now" in added.stderr
    assert listing_id in run(data, "listings", "list").stdout
    shown = json.loads(run(data, "listings", "show", listing_id).stdout)
    assert shown["country"] == "JP" and "contact_email" not in shown
    matched = run(data, "match", "--kind", "need", "--service", "agent", "--title", "Seeking agents for brake pads",
                  "--description", "A brake pad maker seeks distributors in Japan.", "--json")
    assert [m["id"] for m in json.loads(matched.stdout)["matches"]] == [listing_id]
    assert "no match yet" in run(data, "match", listing_id).stdout  # an offer to act as agent: no maker seeks one yet
    bad = run(data, "listings", "add", "--kind", "offer", "--service", "agent", "--title", "x", "--description", "y",
              "--company", "z", "--email", "nope")
    assert bad.returncode == 1 and "contact_email" in bad.stderr
    assert run(data, "listings", "withdraw", listing_id, "--token", "wrong").returncode == 1
    assert run(data, "listings", "withdraw", listing_id, "--token", token).returncode == 0
    assert run(data, "listings", "show", listing_id).returncode == 1


class Inbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
        from email import message_from_bytes, policy

        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def test_interest_is_relayed_by_mail_and_waits_while_the_mail_server_is_down(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    data = tmp_path / "data"
    app = App(Settings(data_dir=data, rate_limit="", search_cache_s=0, smtp_url=f"smtp://127.0.0.1:{port}",
                       mail_from="portal@example.org"))
    client = TestClient(create_app(app), base_url="http://localhost")
    try:
        need = post(client)
        interest = {"message": "We sell brake pads in Osaka. <b>Call us</b>", "contact_email": "buyer@osaka.example.jp"}
        # The mail server is down: the message waits in the outbox, and the sender is told so.
        waiting = client.post(f"/api/listings/{need['id']}/interest", json=interest)
        assert waiting.status_code == 202 and waiting.json() == {"relayed": False}
        assert app.listings.outbox.waiting() == 1
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            # Not due yet (it waits a minute after a failure); then sent once, and only once.
            assert app.listings.outbox.send_due().sent == 0
            later = datetime.now(UTC) + timedelta(minutes=2)
            assert app.listings.outbox.send_due(later).sent == 1 and app.listings.outbox.send_due(later).sent == 0
            sent = client.post(f"/api/listings/{need['id']}/interest", json=interest | {"message": "Second note"})
            assert sent.json() == {"relayed": True}
        finally:
            controller.stop()
        assert len(inbox.messages) == 2
        recipients, message = inbox.messages[0]
        assert recipients == ["sales@brake.example.cn"] and message["Reply-To"] == "buyer@osaka.example.jp"
        assert message["From"] == "portal@example.org" and "寻找日本刹车片代理商" in message["Subject"]
        body = message.get_content()
        assert "<b>Call us</b>" in body and f"/listings/{need['id']}" in body  # plain text, kept as written
        assert "sales@brake.example.cn" not in body
        bad = client.post(f"/api/listings/{need['id']}/interest", json=interest | {"contact_email": "nope"})
        assert bad.status_code == 422 and "contact_email" in bad.text
        assert client.post("/api/listings/0123456789abcdef/interest", json=interest).status_code == 404
        for n in range(18):  # 20 a day from one address; the server is down again, so they wait
            again = client.post(f"/api/listings/{need['id']}/interest", json=interest | {"message": f"{n}"})
            assert again.status_code == 202
        flood = client.post(f"/api/listings/{need['id']}/interest", json=interest)
        assert flood.status_code == 429 and "a day" in flood.json()["detail"]
    finally:
        app.close()


def test_an_alert_mail_reaches_the_mail_server_after_a_crawl_adds_a_matching_page(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys
    from email.message import EmailMessage
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    import yaml
    from aiosmtpd.controller import Controller

    from crawler.demo_network.server import Resource, SiteServer
    from matching import AlertError

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    data = tmp_path / "data"
    settings = Settings(data_dir=data, rate_limit="", search_cache_s=0, smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    app = App(settings)
    client = TestClient(create_app(app), base_url="http://localhost")
    page = ("<html><head><meta charset='utf-8'><title>自動車部品の販売代理店を募集</title></head><body><main>"
            "<h1>自動車部品の販売代理店を募集</h1><p>ブレーキ部品メーカーです。中国で販売代理店を募集しています。</p>"
            "</main></body></html>").encode()
    try:
        offer = post(client, kind="offer", title="ブレーキ部品の販売代理店になります", company="大連商事",
                     description="自動車部品の販売網があります。ブレーキ部品メーカーの代理店を引き受けます。",
                     contact_email="agent@dalian.example.jp")
        made = client.post("/api/alerts", json={"listing_id": offer["id"], "email": "agent@dalian.example.jp",
                                                "lang": "ja"})
        assert made.status_code == 201 and made.json()["confirmation"] == "sent"
        # Double opt-in: nothing but the confirmation is sent before the link is opened.
        (_, confirmation), = inbox.messages
        assert confirmation["Subject"] == "アラートの確認"
        link = re.search(r"http\S+/confirm\?token=\S+", confirmation.get_content())
        assert link is not None
        assert client.get(link.group().replace("http://127.0.0.1:8000", "")).status_code == 200
        assert client.get(f"/api/alerts/{made.json()['id']}/confirm", params={"token": "wrong"}).status_code == 404

        with SiteServer({"/": Resource(page)}) as site:
            catalog = tmp_path / "catalog.yaml"
            catalog.write_text(yaml.safe_dump({"sources": [{
                "id": "maker", "name": {"zh": "厂", "en": "Maker", "ja": "メーカー"}, "group": "japan", "kind": "site",
                "start_urls": [f"{site.url}/"], "allow_private": True,
                "politeness": {"delay": 0, "autothrottle": False}}]}, allow_unicode=True), encoding="utf-8")
            env = {**settings.child_environment(), "SMESEARCH_CATALOG": str(catalog), "SMESEARCH_CRAWL_WORKERS": "0"}
            for _ in range(2):  # the second crawl finds nothing new: no second digest
                crawled = subprocess.run([sys.executable, "-m", "smesearch", "crawl", "maker"], env=env,
                                         capture_output=True, text=True, timeout=180)
                assert crawled.returncode == 0, crawled.stderr
        digests = [m for _, m in inbox.messages[1:]]
        assert len(digests) == 1 and "alerts: 1 digests" not in crawled.stdout
        body = digests[0].get_content()
        assert digests[0]["Subject"] == "新しいマッチング 1 件" and site.url in body and "/unsubscribe?token=" in body
        unsubscribe = re.search(r"http\S+/unsubscribe\?token=\S+", body)
        assert unsubscribe is not None
        assert client.get(unsubscribe.group().replace("http://127.0.0.1:8000", "")).status_code == 200
        assert app.alerts.all() == []

        # Webhooks: a private address is refused unless the operator allows it, and then gets the
        # new results of a search as JSON.
        refused = client.post("/api/alerts", json={"query": "代理店", "webhook_url": "http://127.0.0.1:9/hook"})
        assert refused.status_code == 422 and "public addresses" in refused.json()["detail"]
        received: list[dict[str, Any]] = []

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        Thread(target=hook.serve_forever, daemon=True).start()
        allowed = App(settings.model_copy(update={"alert_webhook_allow_private": True}))
        try:
            url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
            allowed.alerts.create(query="代理店", webhook_url=url, filters={"langs": ["ja"]})
            assert allowed.alerts.send_digests().alerts == 1
            hooked = {m["url"] for m in received[0]["matches"]}
            assert hooked == {f"{site.url}/", f"http://127.0.0.1:8000/listings/{offer['id']}"}  # page and listing
            assert allowed.alerts.send_digests().alerts == 0  # at most one digest a day, and never a match twice
            with pytest.raises(AlertError, match="either listing_id or query"):
                allowed.alerts.create(email="x@example.org")
        finally:
            allowed.close()
            hook.shutdown()
        assert isinstance(confirmation, EmailMessage)
    finally:
        smtp.stop()
        app.close()


def test_a_listing_in_a_language_we_do_not_translate_is_accepted_and_matched_in_it_alone(client: TestClient) -> None:
    russian = {"title": "Ищем дистрибьютора тормозных колодок", "company": "Тормоз ООО",
               "description": "Мы производим тормозные колодки и ищем дистрибьюторов в Японии.",
               "contact_email": "sales@tormoz.example.ru"}
    need = post(client, **russian)
    assert need["lang"] == "ru" and need["notes"] == [
        "the listing is in ru, which is not translated here: it is matched only with listings and pages in the "
        "same language"]
    offer = post(client, kind="offer", title="Дистрибьютор тормозных колодок в Японии", company="Япония Трейд",
                 description="Мы продаём тормозные колодки в Японии и ищем производителей.",
                 contact_email="trade@japan.example.ru")
    found = client.get(f"/api/listings/{need['id']}/matches").json()
    assert [m["id"] for m in found["matches"]] == [offer["id"]] and found["notes"]


def test_each_client_may_post_only_so_much_a_day_whatever_the_addresses(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", posting_rate_limit="3/day"))
    client = TestClient(create_app(app), base_url="http://localhost")
    try:
        for n in range(3):
            post(client, title=f"寻找代理商 {n}", contact_email=f"a{n}@example.cn")
        refused = client.post("/api/listings", json=listing(title="第四条", contact_email="z@example.cn"))
        assert refused.status_code == 429 and "3 per 1 day" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) > 0
        assert client.get("/api/search", params={"q": "代理商"}).status_code == 200  # reading is not posting
        assert client.post("/listings/new", data={"kind": "need"}).status_code == 429  # nor are the forms a way round
    finally:
        app.close()
