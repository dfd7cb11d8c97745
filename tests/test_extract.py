"""Decoding and extraction of real-web pages: every charset of the seed's networks, declared in
the header, in a meta tag, wrongly, or not at all, decodes with zero mojibake."""

from __future__ import annotations

import pytest

from crawler.extract import NotAPage, decode, extract, mojibake_count

TEXTS = {
    "zh": ("沈阳汽车零部件企业寻求日本合资伙伴",
           "我公司是沈阳的汽车零部件供应商，生产发动机配件、刹车系统和底盘零部件。为提高技术水平，"
           "寻求日本汽车零部件企业合资合作，开展技术转让。朱镕基总理曾视察本厂。欢迎来电洽谈。"),
    "zh-tw": ("瀋陽機械企業尋求臺灣代理商",
              "瀋陽某機械設備公司生產泵、閥門和軸承，產品遠銷歐美。現尋求臺灣地區代理商與經銷商，"
              "提供總代理權，歡迎有意者來電洽談合作事宜。"),
    "ja": ("自動車部品メーカー、中国での販売代理店を募集",
           "当社はブレーキ部品とトランスミッション部品を製造する自動車部品メーカーです。"
           "中国（瀋陽・大連）での販売代理店を募集しています。ご興味のある企業様はお問い合わせください。"),
}
CHARSETS = [("gbk", "zh"), ("gb18030", "zh"), ("utf-8", "zh"), ("big5", "zh-tw"), ("shift_jis", "ja"),
            ("euc-jp", "ja"), ("utf-8", "ja")]


def page(lang: str, meta: str = "") -> str:
    title, body = TEXTS[lang]
    return (f"<html><head>{meta}<title>{title}</title></head><body><div class=nav><a href=/>home</a></div>"
            f"<article><h1>{title}</h1><p>{body}</p><p>{body}</p></article><footer>(c) 2001</footer></body></html>")


@pytest.mark.parametrize(("charset", "lang"), CHARSETS)
@pytest.mark.parametrize("label", ["header", "meta", "none", "wrong-latin1", "wrong-utf8"])
def test_every_charset_decodes_without_mojibake(charset: str, lang: str, label: str) -> None:
    meta = f'<meta charset="{charset}">' if label == "meta" else ""
    body = page(lang, meta).encode(charset)
    content_type = {"header": f"text/html; charset={charset}", "wrong-latin1": "text/html; charset=ISO-8859-1",
                    "wrong-utf8": "text/html; charset=utf-8"}.get(label, "text/html")
    decoded = decode(body, content_type)
    assert TEXTS[lang][0] in decoded.text
    assert mojibake_count(decoded.text) == 0


def test_gb2312_label_on_a_page_with_gbk_characters() -> None:
    body = page("zh", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk")
    assert "朱镕基" in decode(body, "text/html").text  # 镕 is GBK, not GB2312


def test_extraction_keeps_the_article_and_drops_navigation() -> None:
    found = extract("http://a.example.cn/1", page("zh").encode("gbk"), "text/html; charset=gbk")
    assert found.title == TEXTS["zh"][0]
    assert "发动机配件" in found.text and "home" not in found.text and "(c) 2001" not in found.text
    assert found.encoding.lower() in ("gbk", "gb18030")


def test_published_date_and_language_hint() -> None:
    html = page("ja", '<meta name="date" content="2024-03-05">').replace("<html>", '<html lang="ja">')
    found = extract("https://b.example.jp/2", html.encode("shift_jis"), "text/html; charset=shift_jis")
    assert found.published_at is not None and found.published_at.date().isoformat() == "2024-03-05"
    assert found.lang_hint == "ja"


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [("application/pdf", b"%PDF-1.4 ...", "application/pdf"), ("image/png", b"\x89PNG\r\n", "image/png"),
     ("text/html", b"%PDF-1.7 mislabelled", "binary content"), ("application/zip", b"PK\x03\x04", "application/zip")],
)
def test_non_pages_are_refused_with_a_reason(content_type: str, body: bytes, reason: str) -> None:
    with pytest.raises(NotAPage) as info:
        extract("http://a.example.cn/file", body, content_type)
    assert reason in info.value.reason


def test_malformed_html_still_yields_text() -> None:
    broken = "<html><body><p>沈阳合资伙伴<div><b>未闭合的标签<p>汽车零部件供应商寻求合作".encode()
    found = extract("http://a.example.cn/broken", broken, "text/html")
    assert "汽车零部件供应商" in found.text or "沈阳合资伙伴" in found.text
