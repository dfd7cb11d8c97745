"""Table 9 home-page sections: text grouped under its heading, and the services a section announces."""

from __future__ import annotations

import pytest

from crawler.profile import enterprise_profile, section_of

ZH_PAGE = """<html><body><div id=nav><a href=/>首页</a></div>
<h2>公司简介</h2><p>沈阳金杯汽车零部件有限公司成立于1995年。</p><p>员工三百人。</p>
<h2>产品介绍</h2><ul><li>刹车片</li><li>底盘零部件</li></ul>
<h2>诚招代理</h2><p>在日本招募代理商，提供独家代理权。</p>
<h2>采购需求</h2><p>求购 <b>铝合金</b> 型材，年需求500吨。</p>
<h3>人才招聘</h3><p>招聘机械工程师2名。</p>
<h2>联系方式</h2><p>电话：024-12345678</p><footer>版权所有 © 2026 <nav><a href=/>首页</a></nav></footer>
<script>var x = "招聘";</script></body></html>"""

JA_PAGE = """<html><body><h2>会社概要</h2><p>名古屋の自動車部品メーカーです。</p>
<h2>業務提携</h2><p>中国企業との技術提携を希望します。</p><h2>投資計画</h2><p>瀋陽に工場を建設予定。</p>
<h2>採用情報</h2><p></p></body></html>"""

EN_PAGE = """<html><body><h1>Company Outline</h1><p>We make auto parts.</p>
<h2>Projects seeking investment</h2><p>A new brake line needs RMB 20 million.</p>
<h2>Stocking requirement</h2><p>We purchase steel coils.</p></body></html>"""


def test_chinese_page_sections_and_services() -> None:
    profile = enterprise_profile(ZH_PAGE)
    assert profile.sections["outline"] == "沈阳金杯汽车零部件有限公司成立于1995年。 员工三百人。"
    assert profile.sections["products"] == "刹车片 底盘零部件"
    assert profile.sections["purchasing"] == "求购 铝合金 型材，年需求500吨。"
    assert profile.sections["contact"] == "电话：024-12345678"
    assert profile.services == ["agent", "purchase", "recruit"]
    assert "首页" not in " ".join(profile.sections.values())  # before the first section heading
    assert 'var x' not in " ".join(profile.sections.values())


def test_japanese_and_english_pages() -> None:
    ja = enterprise_profile(JA_PAGE)
    assert ja.services == ["tie_up", "invest"]  # an empty 採用情報 section announces nothing
    en = enterprise_profile(EN_PAGE)
    assert en.services == ["capital", "purchase"]
    assert en.sections["outline"] == "We make auto parts."


@pytest.mark.parametrize(
    ("heading", "section"),
    [("诚招代理", "agents"), ("代理店募集", "agents"), ("产品介绍", "products"), ("Company News", "news"),
     ("招商项目", "projects"), ("公司簡介", "outline"), ("產品介紹", "products"), ("聯繫方式", "contact"),
     ("製品紹介", "products"), ("今日天气", None), ("关于我们公司近期参加的各类展会和活动的详细报道以及今后的发展规划和产品介绍的说明文字", None)],
)
def test_headings_name_sections(heading: str, section: str | None) -> None:
    assert section_of(heading) == section


def test_pages_without_table_9_headings_or_with_bad_markup() -> None:
    assert enterprise_profile("<html><body><h1>Hello</h1><p>text</p></body></html>").sections == {}
    assert enterprise_profile("").sections == {}
    assert enterprise_profile("<h2>招聘信息<p>招聘工程师").services == ["recruit"]
