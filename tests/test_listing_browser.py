"""The listing pages in a real browser (Chromium): a need posted through the Chinese form, with
the keyboard alone, shows its Japanese and English partners; nothing it carries runs as script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from matching import ListingDraft
from operations.app import App
from tests.browser import api_server, chromium, screenshot
from tests.helpers import free_port


@pytest.mark.translated
def test_a_need_posted_in_chinese_through_the_portal_shows_its_partners(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    app = App(Settings(data_dir=data, port=port))
    try:
        app.listings.post_many([
            ListingDraft("offer", "agent", "ブレーキパッドの販売代理店になります",
                         "自動車のブレーキパッドを扱う販売代理店です。中国メーカーの製品を日本で販売します。", "東京商事",
                         "info@tokyo.example.jp"),
            ListingDraft("offer", "agent", "Distributor of brake pads in Osaka",
                         "We distribute brake pads and auto parts and want to represent Chinese makers.",
                         "Osaka Trading", "hello@osaka.example.com")])
    finally:
        app.close()
    with api_server(data, port, {"SMESEARCH_RATE_LIMIT": ""}) as base, chromium() as browser:
        page: Any = browser.new_page(locale="zh-CN")
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/listings/new?lang=zh")
        page.get_by_label("需求").check()
        page.get_by_label("服务").select_option("agent")
        page.get_by_label("标题").fill("寻找日本刹车片代理商<img src=x onerror=alert(1)>")
        page.get_by_label("说明").fill("我公司生产汽车刹车片，寻找日本的代理商和经销商。")
        page.get_by_label("企业名称").fill("沈阳刹车片有限公司")
        page.get_by_label("联系邮箱（不公开；意向信息将转发到此邮箱）").fill("sales@brake.example.cn")
        page.get_by_label("联系邮箱（不公开；意向信息将转发到此邮箱）").press("Enter")  # the keyboard submits the form
        page.wait_for_selector("#owner-token")
        assert len(page.locator("#owner-token").inner_text()) >= 40
        page.get_by_role("link", name="查看该信息及其匹配").click()
        page.wait_for_selector("ol.matches")
        langs = {m.get_attribute("lang") for m in page.locator("li.match > span[lang]").all()}
        assert langs == {"ja", "en"}
        assert "<img src=x onerror=alert(1)>" in page.get_by_role("heading", level=2).first.inner_text()
        screenshot(page, "listing-matches")
        assert dialogs == [] and errors == []
