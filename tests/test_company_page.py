"""The company page (`/documents/{id}`): what the index knows of the enterprise behind a result,
in zh, ja and en. The pages come through the crawler's own analysis (extraction, the Table 9
profile, classification) from the demo network's enterprise home pages, on two portal sites."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from crawler.demo_network.content import Enterprise, enterprises, html_page
from crawler.pages import FetchedPage, analyse_page
from indexer.document import Document, Translation
from operations.app import App
from query_api.app import create_app
from tests.helpers import doc

SHENYANG = "http://127.0.0.1:23100"
LIAONING = "http://127.0.0.1:23101"
HOSTILE_TITLE = '沈阳恶意有限公司<img src=x onerror=alert(1)>'


def crawled(app: App, url: str, html: str) -> str:
    """Analyse a page as a crawl's worker does and index it; its document id."""
    page = FetchedPage(url, html.encode("utf-8"), "text/html; charset=utf-8", "demo-shenyang", "shenyang", None)
    outcome = analyse_page(page, app.indexer)
    assert outcome.prepared is not None, outcome.skipped
    app.backend.upsert([outcome.prepared])
    return outcome.prepared.document.id


def enterprise_html(e: Enterprise) -> str:
    return html_page(f"{e.name} - {e.products[0]}", e.page(), "zh", "utf-8", published=e.published)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The Shenyang portal's first 40 enterprises, 10 more on the Liaoning site, and a hostile page;
    (client, {name: document id})."""
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=0))
    ids = {}
    for e in enterprises("zh", 40):
        ids[e.name] = crawled(app, f"{SHENYANG}/ent/{e.number}.html", enterprise_html(e))
    for e in enterprises("zh", 10, offset=330):
        ids[e.name] = crawled(app, f"{LIAONING}/projects/{e.number}.html", enterprise_html(e))
    hostile = ('<h1>x</h1><h2>公司简介</h2><p>&lt;script&gt;alert("section")&lt;/script&gt;生产汽车零部件。</p>'
               '<h2>招商代理</h2><p>诚招代理&lt;img src=x onerror=alert(2)&gt;</p>')
    ids["hostile"] = crawled(app, f"{SHENYANG}/ent/hostile.html", html_page(HOSTILE_TITLE, hostile, "zh", "utf-8"))
    app.backend.commit()
    with TestClient(create_app(app), base_url="http://localhost") as client:
        yield client, ids
    app.close()


def test_a_shenyang_enterprise_page_shows_its_table_9_profile_labels_site_words_and_peers(
        site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    first = enterprises("zh", 1)[0]  # category 1 (textiles), service tie_up
    page = client.get(f"/documents/{ids[first.name]}", params={"lang": "zh"})
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert f'<h2 lang="zh">{first.name} - {first.products[0]}</h2>' in html
    # The sections the page carries, named in the reader's language, in Table 9's order.
    shown = re.findall(r"<dt>([^<]+)</dt>", html)
    assert shown == ["公司简介", "联系方式", "产品介绍", "合作事项", "企业新闻"], shown
    assert first.products[1] in html
    # Why it carries its category and its service: the words found, the section that announces it.
    assert re.search(r"<b>纺织服装</b> <span class=meta>\(网页中出现的词语：<span lang=\"zh\">[^<]+</span>", html)
    assert "<b>业务合作</b> <span class=meta>(见于栏目：合作事项" in html
    assert "本网页的语言：中文" in html
    # The site's other pages (41 on the Shenyang portal, the Liaoning ones elsewhere) link to their own pages.
    assert "共 41 个网页" in html
    assert len(re.findall(r'<li><a href="/documents/[0-9a-f]{32}\?lang=zh" lang="zh">', html)) >= 10
    assert 'href="/?lang=zh#sme-q=site%3A127.0.0.1%3A23100"' in html
    # Words that lead to the site, from the word-to-sites list, each linked to its search.
    words = re.findall(r'<li><a href="/\?lang=zh#sme-q=([^"]+)" lang="zh">([^<]+)</a> <span class=meta>\(第 (\d) 名', html)
    assert words and all(int(rank) <= 5 for _, _, rank in words)
    # Similar companies: other enterprises' pages, never this one or a copy of it.
    similar = re.findall(r'<li><a href="/documents/([0-9a-f]{32})\?lang=zh" lang="zh">([^<]+)</a> <span class=meta>'
                         r'([^<]+)</span>', html.split('id="similar"')[1])
    assert similar and ids[first.name] not in {doc_id for doc_id, _, _ in similar}
    assert any("共同类别：纺织服装" in meta for _, _, meta in similar), similar


@pytest.mark.parametrize(("lang", "expected"), [
    ("ja", ["会社概要", "連絡先", "製品紹介", "業務提携", "ニュース", "類似企業", "このサイトにたどり着く言葉"]),
    ("en", ["Basic introduction", "Contact address", "Products", "Collaboration matters", "Company news",
            "Similar companies", "Words that lead to this site"]),
])
def test_the_page_speaks_the_readers_language(site: tuple[TestClient, dict[str, str]], lang: str,
                                              expected: list[str]) -> None:
    client, ids = site
    html = client.get(f"/documents/{ids[enterprises('zh', 1)[0].name]}", params={"lang": lang}).text
    assert f'<html lang="{lang}">' in html
    for text in expected:
        assert text in html, text


def test_crawled_markup_is_shown_as_text_and_links_only_to_http(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    html = client.get(f"/documents/{ids['hostile']}", params={"lang": "en"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;section&quot;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "onerror=alert(2)" in html and "<img src=x onerror=alert(2)>" not in html
    assert "Agents wanted" in html  # its 招商代理 section still names its service


def test_an_unknown_or_malformed_id_is_the_pages_own_not_found(site: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = site
    for doc_id in ("0" * 32, "not-an-id", "%3Cscript%3E"):
        page = client.get(f"/documents/{doc_id}", params={"lang": "ja"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "このページは索引にありません" in page.text and "<script>" not in page.text.split("</head>")[1]


def test_the_api_gives_a_documents_sections(site: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = site
    first = enterprises("zh", 1)[0]
    sections = client.get(f"/api/documents/{ids[first.name]}").json()["sections"]
    assert list(sections) == ["outline", "contact", "products", "collaboration", "news"]
    assert first.products[0] in sections["products"]


def test_the_languages_a_title_reads_well_in_are_named(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path / "data", rate_limit="", search_cache_s=0))
    given = doc("https://brake.example.cn/", title="沈阳刹车片有限公司", body="生产汽车刹车片。", lang="zh",
                title_en="Shenyang Brake Pads Co.", title_ja="瀋陽ブレーキパッド株式会社")
    glossed = Document(url="https://valves.example.cn/", title="铁岭阀门厂", body="生产工业阀门。", lang="zh",
                       translations={"en": Translation("iron ridge valve", engine="dictionary", readable=False)})
    app.indexer.index([given, glossed])
    try:
        with TestClient(create_app(app), base_url="http://localhost") as client:
            html = client.get(f"/documents/{given.id}", params={"lang": "en"}).text
            assert '<h2 lang="zh">沈阳刹车片有限公司</h2><p lang="en">Shenyang Brake Pads Co.</p>' in html
            assert "This page is in Chinese; its title can also be read in English, Japanese" in html
            # A dictionary gloss of part of a title is searched, never shown, and not a language it reads in.
            html = client.get(f"/documents/{glossed.id}", params={"lang": "en"}).text
            assert "This page is in Chinese</p>" in html and "iron ridge valve" not in html
    finally:
        app.close()


@pytest.mark.parametrize("lang", ["zh", "ja", "en"])
def test_the_page_reads_in_order_for_a_screen_reader(site: tuple[TestClient, dict[str, str]], lang: str) -> None:
    """Headings descend one level at a time, every section is named by its heading, every link
    says where it goes, and crawled text says what language it is in."""
    client, ids = site
    root = lxml.html.fromstring(client.get(f"/documents/{ids[enterprises('zh', 1)[0].name]}",
                                           params={"lang": lang}).text)
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    for section in root.iter("section"):
        (named,) = root.xpath("//*[@id=$id]", id=section.get("aria-labelledby"))
        assert named.tag.startswith("h") and named.text_content().strip()
    assert all(a.text_content().strip() for a in root.iter("a"))
    assert all(dd.get("lang") == "zh" for dd in root.iter("dd"))  # the enterprise's sections, as written
