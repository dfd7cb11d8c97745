"""The portal's listing pages: post a need through a form in Chinese, see its Japanese and English
partners on its page, tell an owner you are interested, withdraw with the owner token; every
value shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from operations.app import App
from query_api.app import create_app
from tests.helpers import doc

OFFERS = [
    {"kind": "offer", "service": "agent", "title": "ブレーキパッドの販売代理店になります", "company": "東京商事",
     "description": "自動車のブレーキパッドを扱う販売代理店です。中国メーカーの製品を日本で販売します。",
     "contact_email": "info@tokyo.example.jp"},
    {"kind": "offer", "service": "agent", "title": "Distributor of brake pads in Osaka", "company": "Osaka Trading",
     "description": "We distribute brake pads and auto parts and want to represent Chinese makers.",
     "contact_email": "hello@osaka.example.com"},
]
NEED = {"kind": "need", "service": "agent", "title": "寻找日本刹车片代理商<script>alert(1)</script>",
        "company": "沈阳刹车片有限公司", "description": "我公司生产汽车刹车片，寻找日本的代理商和经销商。",
        "contact_email": "sales@brake.example.cn", "category": "8"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=0))
    with TestClient(create_app(app), base_url="http://localhost") as opened:
        for offer in OFFERS:
            assert opened.post("/api/listings", json=offer).status_code == 201
        yield opened
    app.close()


@pytest.mark.translated
def test_a_need_posted_through_the_chinese_form_shows_its_japanese_and_english_partners(client: TestClient) -> None:
    form = client.get("/listings/new", params={"lang": "zh"})
    assert form.status_code == 200 and "发布需求或供给" in form.text and "script-src 'self'" in form.headers[
        "content-security-policy"]
    posted = client.post("/listings/new?lang=zh", data=NEED)
    assert posted.status_code == 201 and "只显示这一次" in posted.text
    token = re.search(r'<pre id="owner-token">([^<]+)</pre>', posted.text).group(1)  # type: ignore[union-attr]
    link = re.search(r'href="(/listings/[0-9a-f]{16})\?lang=zh"', posted.text).group(1)  # type: ignore[union-attr]
    page = client.get(link, params={"lang": "zh"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page  # text, never markup
    partners = re.findall(r'<li class="match"><span lang="(\w+)"><a href="([^"]+)"', page)
    assert {lang for lang, _ in partners} == {"ja", "en"} and "其他语言" in page
    # Interest through the form: with no mail server it waits in the outbox, and the page says so.
    told = client.post(f"{link}/interest?lang=zh", data={"message": "我们想合作", "contact_email": "x@example.jp"})
    assert told.status_code == 200 and "您的留言将很快发送" in told.text
    refused = client.post(f"{link}/interest?lang=zh", data={"message": "hi", "contact_email": "nope"})
    assert refused.status_code == 422 and "请检查：邮箱：不是有效的邮箱地址" in refused.text
    alerted = client.post(f"{link}/alert?lang=zh", data={"email": "watch@example.cn"})
    assert alerted.status_code == 200 and "请查收邮件" in alerted.text
    assert client.post(f"{link}/withdraw?lang=zh", data={"token": "wrong"}).status_code == 403
    assert client.post(f"{link}/withdraw?lang=zh", data={"token": token}).status_code == 200
    assert client.get(link, params={"lang": "zh"}).status_code == 404


def test_a_bad_form_is_shown_again_with_what_to_fix(client: TestClient) -> None:
    answer = client.post("/listings/new?lang=en", data={**NEED, "contact_email": "not an address"})
    assert answer.status_code == 422 and "Please check: E-mail: not an e-mail address" in answer.text
    empty = client.post("/listings/new?lang=ja", data={**NEED, "title": "  "})
    assert empty.status_code == 422 and "確認してください：タイトル：入力してください" in empty.text
    assert 'role="alert"' in answer.text


def test_a_crawled_page_among_the_matches_links_to_its_company_page(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=0))
    page = doc("https://brake.example.cn/agents.html", title="沈阳刹车片生产企业诚招日本代理商",
               body="我公司生产汽车刹车片，诚招日本代理商，代理销售我公司刹车片。", lang="zh", services=["agent"],
               categories=[8])
    app.indexer.index([page])
    offer = {"kind": "offer", "service": "agent", "title": "大阪刹车片代理商，可代理中国刹车片", "company": "大阪商事",
             "description": "我们是日本大阪的汽车刹车片代理商，希望代理销售中国制造的刹车片。",
             "contact_email": "info@osaka.example.jp", "category": "8"}
    try:
        with TestClient(create_app(app), base_url="http://localhost") as client:
            posted = client.post("/listings/new?lang=zh", data=offer)
            link = re.search(r'href="(/listings/[0-9a-f]{16})\?lang=zh"', posted.text).group(1)  # type: ignore[union-attr]
            shown = client.get(link, params={"lang": "zh"}).text
            assert f'<a href="/documents/{page.id}?lang=zh">企业档案</a>' in shown
            assert client.get(f"/documents/{page.id}", params={"lang": "zh"}).status_code == 200
    finally:
        app.close()
