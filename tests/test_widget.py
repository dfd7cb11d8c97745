"""The <sme-search> widget in headless Chromium, embedded in a third-party page on another origin:
searching in Chinese, Japanese and English, filtering, paging, the keyboard alone, input methods,
style isolation, and the demo network's injection page, which must trigger nothing.

The index is a real crawl: the demo network's trade site's injection page and the bundled sample
listings, with translation on as users have it. Screenshots of the main states are kept in
test-artifacts/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings
from crawler.demo_network.network import DemoNetwork
from operations.app import App
from tests.browser import api_server, chromium, cors_env, screenshot, static_site
from tests.helpers import free_port, run

HOST_PAGE = """<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><title>A third-party portal</title>
<style>
  /* A hostile host: none of this may reach inside the widget. */
  input { display: none !important; }
  * { color: rgb(255, 0, 0) !important; font-family: "Comic Sans MS", cursive !important; }
  mark { background: rgb(0, 128, 0); }
</style>
</head>
<body>
<h1>Osaka industrial park</h1>
<p class="title" id="host-title">Our own title, styled by us</p>
<script src="{api}/widget.js"></script>
<sme-search id="finder" api="{api}" page-size="3"></sme-search>
</body>
</html>
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A crawl of the injection page and the sample listings, into a fresh data directory."""
    work = tmp_path_factory.mktemp("widget")
    with DemoNetwork(0) as network:
        trade = network.servers["trade"].url
        (work / "trade-site.txt").write_text(trade.removeprefix("http://"))  # host:port, the site's name
        listings = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))
        catalog = {"sources": [
            {"id": "demo-inject", "name": {"zh": "注入测试", "en": "Injection page", "ja": "注入テスト"},
             "group": "other", "kind": "site", "start_urls": [f"{trade}/inject.html"],
             "include": [f"^{re.escape(trade)}/inject"], "max_depth": 0, "allow_private": True,
             "politeness": {"delay": 0, "autothrottle": False}},
            {"id": "demo-listings", "name": {"zh": "样例", "en": "Sample listings", "ja": "サンプル"},
             "group": "other", "kind": "jsonl", "start_urls": [str(listings)]},
        ]}
        (work / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
        crawled = run(work / "data", "--catalog", str(work / "catalog.yaml"), "crawl", "--all")
        assert crawled.returncode == 0, crawled.stderr
    yield work / "data"


@pytest.fixture(scope="module")
def site(index: Path) -> Iterator[tuple[str, str]]:
    """(API base, third-party page URL): the API and the host page on two origins."""
    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    with api_server(index, free_port(), cors_env(host_origin)) as api:
        root = index.parent / "host"
        root.mkdir(exist_ok=True)
        (root / "index.html").write_text(HOST_PAGE.replace("{api}", api), encoding="utf-8")
        with static_site(root, host_port) as host:
            yield api, f"{host}/index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as opened:
        yield opened


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP")
    opened = context.new_page()
    opened.dialogs = []  # type: ignore[attr-defined]
    opened.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    opened.errors = []  # type: ignore[attr-defined]
    opened.on("pageerror", lambda e: opened.errors.append(str(e)))  # type: ignore[attr-defined]
    yield opened
    assert opened.errors == []  # type: ignore[attr-defined]
    context.close()


def search_box(page: Any) -> Any:
    return page.locator("sme-search input[role=combobox]")


def search(page: Any, text: str) -> None:
    box = search_box(page)
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("() => { const w = document.querySelector('sme-search');"
                           " return w && !w.hasAttribute('aria-busy') && w.shadowRoot.querySelector('.status')"
                           ".textContent.match(/\\d/); }")


def results(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("sme-search li.result .title").all_inner_texts()]


def result_links(page: Any) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator("sme-search li.result .title a").all()]


def status(page: Any) -> str:
    return str(page.locator("sme-search .status").first.inner_text())


def test_the_widget_searches_in_three_languages_from_a_foreign_page(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    # The host says lang="ja": the widget speaks Japanese unless told otherwise.
    assert page.get_by_role("button", name="検索", exact=True).is_visible()
    search(page, "自動車部品")
    assert "件" in status(page)
    assert any("自動車部品" in t for t in results(page))
    screenshot(page, "search-ja")
    for lang, query, button, found in (("zh", "汽车零部件", "检索", "条结果"), ("en", "auto parts", "Search", "results")):
        page.evaluate(f"document.querySelector('sme-search').setAttribute('lang', '{lang}')")
        assert page.get_by_role("button", name=button, exact=True).is_visible()
        search(page, query)
        assert found in status(page)
        assert results(page), (lang, query)
        screenshot(page, f"search-{lang}")
    # Cross-lingual: the Chinese query also found the Japanese and English listings.
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'zh')")
    search(page, "汽车零部件")
    langs = page.locator("sme-search .facets button").all_inner_texts()
    assert any("日文" in b for b in langs) and any("英文" in b for b in langs)


def test_a_plain_query_without_a_page_holding_every_word_is_relaxed_and_can_be_made_strict(
        page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    search(page, "自動車部品 代理店 zzqx")  # no page says zzqx
    help_text = page.locator("sme-search .help").inner_text()
    assert "ほとんどの言葉を含む結果" in help_text and results(page)
    assert page.get_by_role("button", name="絞り込み： 代理店探し").is_visible()  # 代理店 asks for agents
    page.get_by_role("button", name="すべての言葉で検索").click()
    page.wait_for_function("() => document.querySelector('sme-search').shadowRoot.querySelector('.help')"
                           ".textContent.includes('一致する情報はありません')")
    assert results(page) == []


def test_a_search_can_be_watched_by_e_mail_from_the_widget(page: Any, site: tuple[str, str], index: Path) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    search(page, "brake")
    page.get_by_label("E-mail me new results of this search").fill("watcher@example.org")
    page.get_by_role("button", name="Alert me").click()
    page.wait_for_function("() => document.querySelector('sme-search').shadowRoot.querySelector('.alert [role=status]')"
                           ".textContent.length > 0")
    assert "Check your mailbox" in page.locator("sme-search .alert [role=status]").inner_text()
    app = App(Settings(data_dir=index))
    try:
        (alert,) = [a for a in app.alerts.all() if a.email == "watcher@example.org"]
        assert alert.query == "brake" and not alert.confirmed  # double opt-in: waits for the link
    finally:
        app.close()


def test_host_styles_do_not_reach_in_and_ours_do_not_leak_out(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    box = search_box(page)
    assert box.is_visible()  # the host hides every <input>; ours is in the shadow root
    search(page, "auto parts")
    colour = page.locator("sme-search .snippet").first.evaluate("e => getComputedStyle(e).color")
    assert colour != "rgb(255, 0, 0)"
    mark = page.locator("sme-search mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert mark != "rgb(0, 128, 0)"
    # The host's own .title is not bold from our .title rule.
    assert page.locator("#host-title").evaluate("e => getComputedStyle(e).fontWeight") == "400"


def test_category_menu_and_service_tabs_filter_the_results(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    search(page, "parts OR 部品 OR 零部件 OR 合作 OR partner")
    everything = int(re.sub(r"\D", "", status(page)))
    page.get_by_label("Category").select_option("8")
    page.wait_for_function("() => location.hash.includes('sme-cat=8') || location.hash.includes('finder-cat=8')")
    page.wait_for_function("() => !document.querySelector('sme-search').hasAttribute('aria-busy')")
    in_autos = int(re.sub(r"\D", "", status(page)))
    assert 0 < in_autos < everything
    assert all("Automobile and parts" in m for m in page.locator("sme-search li.result .meta").all_inner_texts())
    tabs = page.get_by_role("tab").all_inner_texts()
    assert any(text.startswith("Agents(") for text in tabs), tabs
    page.get_by_role("tab", name=re.compile("^Agents")).click()
    page.wait_for_function("() => location.hash.includes('svc=agent')")
    page.wait_for_function("() => !document.querySelector('sme-search').hasAttribute('aria-busy')")
    agents = int(re.sub(r"\D", "", status(page)))
    assert 0 < agents <= in_autos
    assert page.get_by_role("tab", name=re.compile("^Agents")).get_attribute("aria-selected") == "true"
    # The tabs keep their counts once one is chosen (counted without that choice), and the
    # chosen one's count is the number of results.
    page.wait_for_function("tabs => JSON.stringify(Array.from(document.querySelector('sme-search').shadowRoot"
                           ".querySelectorAll('[role=tab]'), (tab) => tab.innerText)) === JSON.stringify(tabs)", arg=tabs)
    assert page.get_by_role("tab", name=re.compile("^Agents")).inner_text().endswith(f"({agents})")
    # Each result names its services in the reader's language, so a title left in its own
    # language still says what it offers; a title shown translated says a machine made it.
    agent_name = re.sub(r"\s*\(\d[\d,]*\)$", "", page.get_by_role("tab", name=re.compile("^Agents")).inner_text())
    assert all(agent_name in m for m in page.locator("sme-search li.result .meta").all_inner_texts())
    # Its original title follows on a line of its own, marked with its language.
    translated = page.locator("sme-search li.result .original", has_text="Original title: ").locator(
        "span[lang]").count()
    assert translated > 0 and page.locator("sme-search li.result .title .machine").count() == translated
    assert "(machine translation)" in page.locator("sme-search li.result .title .machine").first.inner_text()
    screenshot(page, "filtered")


def test_paging_and_deep_links_restore_the_same_results(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    search(page, "parts OR 部品 OR 零部件 OR 合作 OR partner")
    first = result_links(page)
    page.get_by_role("button", name="Next page").click()
    page.wait_for_function("() => location.hash.includes('page=2')")
    page.wait_for_function("() => !document.querySelector('sme-search').hasAttribute('aria-busy')")
    second = result_links(page)
    assert second and set(second).isdisjoint(first)
    assert "Page 2 of" in page.locator("sme-search nav").inner_text()
    # Focus moved to the results, so a screen reader user hears the new page.
    assert page.evaluate("document.querySelector('sme-search').shadowRoot.activeElement.tagName") == "H2"
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_function("() => document.querySelector('sme-search')?.shadowRoot?.querySelectorAll('li.result')"
                            ".length > 0")
    assert result_links(other) == second
    other.close()
    page.go_back()
    page.wait_for_function("() => !location.hash.includes('page=2')")
    page.wait_for_function("() => !document.querySelector('sme-search').hasAttribute('aria-busy')")
    assert result_links(page) == first


def test_everything_works_with_the_keyboard_alone(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    page.keyboard.press("Tab")  # the first focusable thing on the host page is the widget's search box
    box = search_box(page)
    assert box.evaluate("e => e.getRootNode().activeElement === e")
    page.keyboard.type("Auto", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"sme-search #{active}").get_attribute("aria-selected") == "true"
    chosen = page.locator(f"sme-search #{active}").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('sme-search').hasAttribute('aria-busy')"
                           " && location.hash.includes('q=')")
    assert box.input_value() == chosen and box.get_attribute("aria-expanded") == "false"
    # Tab on to the service tabs; the arrows move between them and select.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.querySelector('sme-search').shadowRoot.activeElement?.getAttribute('role')") == "tab":
            break
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.querySelector('sme-search').shadowRoot.activeElement.dataset.service")
    assert focused == "tie_up"
    page.wait_for_function("() => location.hash.includes('svc=tie_up')")
    page.keyboard.press("Escape")
    screenshot(page, "keyboard")


def test_while_an_input_method_composes_enter_and_the_arrows_belong_to_it(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    box = search_box(page)
    box.fill("自動")
    page.get_by_role("listbox").wait_for()
    before = page.evaluate("location.hash")
    # Composition as Chromium's IME reports it: compositionstart, then keys marked isComposing.
    box.dispatch_event("compositionstart", {"data": ""})
    for key in ("ArrowDown", "ArrowDown", "Enter"):
        box.evaluate(f"e => e.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', isComposing: true, "
                     "keyCode: 229, bubbles: true, cancelable: true}))")
    assert box.get_attribute("aria-activedescendant") is None  # the selection did not move
    assert page.evaluate("location.hash") == before  # and nothing was searched
    box.dispatch_event("compositionend", {"data": "自動車"})
    # A real IME commit through Chromium's own input pipeline ends in suggestions, not a search.
    cdp = page.context.new_cdp_session(page)
    box.fill("")
    box.focus()
    cdp.send("Input.imeSetComposition", {"text": "じどうしゃ", "selectionStart": 5, "selectionEnd": 5})
    cdp.send("Input.insertText", {"text": "自動車部品"})
    page.get_by_role("listbox").wait_for()
    assert page.evaluate("location.hash") == before
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") is not None  # composition over: the arrows are ours again


def test_the_injection_page_runs_nothing_in_the_host_page(page: Any, site: tuple[str, str], index: Path) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    trade_site = (index.parent / "trade-site.txt").read_text()
    search(page, f'"brake systems" site:{trade_site}')  # the trap page, wherever other pages rank
    hit = page.locator("sme-search li.result", has_text="Brake systems").first
    hit.wait_for()
    hit.hover()
    page.locator("sme-search li.result .snippet").first.hover()
    link = hit.locator("a").first
    assert re.match(r"^http://127\.0\.0\.1:\d+/inject\.html$", link.get_attribute("href") or "")
    shadow = "document.querySelector('sme-search').shadowRoot"
    assert page.evaluate(f"{shadow}.querySelectorAll('script, img, iframe, object, embed, [onerror], [onmouseover]')"
                         ".length") == 0
    assert page.evaluate(f"Array.from({shadow}.querySelectorAll('a')).every(a => /^https?:/.test(a.href))")
    page.wait_for_timeout(500)
    assert page.dialogs == []  # type: ignore[attr-defined]
    screenshot(page, "injection")


def test_the_portal_and_embed_pages_run_on_the_widget(page: Any, site: tuple[str, str]) -> None:
    api, _ = site
    page.goto(f"{api}/?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh"
    search(page, "汽车零部件")
    assert results(page)
    screenshot(page, "portal-zh")
    page.goto(f"{api}/embed?lang=en")
    assert f'<script src="{api}/widget.js" defer></script>' in page.locator("pre").first.inner_text()
    search(page, "auto parts")
    assert results(page)
    screenshot(page, "embed")


MEASURE_FORM = """() => {
  const root = document.querySelector('sme-search').shadowRoot;
  const input = root.querySelector('input[type=search]'), select = root.querySelector('select');
  const style = getComputedStyle(input), text = document.createElement('canvas').getContext('2d');
  text.font = style.font;
  return { room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
           placeholder: text.measureText(input.placeholder).width, input: input.offsetWidth, select: select.offsetWidth };
}"""


@pytest.mark.parametrize("width", [1280, 800, 380])
def test_the_search_box_shows_its_whole_placeholder_beside_the_menus(page: Any, site: tuple[str, str],
                                                                    width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for lang in ("en", "zh", "ja"):
        page.goto(f"{site[0]}/?lang={lang}")
        page.wait_for_function("() => document.querySelector('sme-search').shadowRoot"
                               ".querySelectorAll('select option').length > 10")  # the menu's names are in
        search(page, "parts OR 部品 OR 零部件 OR partner")  # and its counts, which widen it
        form = page.evaluate(MEASURE_FORM)
        # A quarter to spare: other machines' fonts set the same placeholder wider than Debian's.
        assert form["placeholder"] * 1.25 <= form["room"] and form["input"] >= form["select"], (lang, form)


def test_high_contrast_mode_keeps_the_selection_visible(page: Any, site: tuple[str, str]) -> None:
    page.emulate_media(forced_colors="active")
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'en')")
    search(page, "auto parts")
    selected = page.get_by_role("tab", name="All")
    assert selected.evaluate("e => getComputedStyle(e).forcedColorAdjust") == "none"
    assert selected.evaluate("e => getComputedStyle(e).backgroundColor") != \
        page.get_by_role("tab", name=re.compile("^Agents")).evaluate("e => getComputedStyle(e).backgroundColor")
    screenshot(page, "forced-colors")


def test_a_bad_query_or_address_is_explained_in_the_widgets_language(page: Any, site: tuple[str, str]) -> None:
    page.goto(site[1])
    page.evaluate("document.querySelector('sme-search').setAttribute('lang', 'zh')")
    search(page, "brake")
    page.get_by_label("有新结果时邮件通知我").fill("watcher@localhost")  # the browser takes it, the API does not
    page.get_by_role("button", name="提醒我").click()
    page.locator("sme-search .alert [role=status]", has_text="请检查邮箱地址。").wait_for()
    box = search_box(page)
    box.fill('"汽车零部件')
    box.press("Enter")
    error = page.locator("sme-search .status.error")
    error.wait_for()
    assert error.inner_text() == "检索失败： 这个引号没有闭合（第 1 个字符处）"
