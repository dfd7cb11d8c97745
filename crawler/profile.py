"""Structured enterprise information: the home-page fields of the seed's Table 9.

The 2001 network's home-page builder gave every SME page the same sections (company outline,
products, services, dealing, business collaboration, purchasing, employment, company news),
and many SME sites still follow that shape. Where a page has headings naming those sections,
the text under each is kept by section, and the sections that announce a need (agents wanted,
investment sought, goods to purchase, staff to hire) say which retrieval services the page
belongs to, more surely than words anywhere on the page would.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import opencc

from categories import profile_section

# Section id (categories.PROFILE_SECTIONS, which names each and gives the service it announces) →
# the heading words that name it in zh, ja and en.
SECTIONS: dict[str, tuple[str, ...]] = {
    "outline": ("公司简介", "企业简介", "公司概况", "基本介绍", "会社概要", "企業概要", "会社案内", "company outline",
                "basic introduction", "about us", "company profile"),
    "greeting": ("总经理致辞", "董事长致辞", "致辞", "社長挨拶", "ごあいさつ", "代表挨拶", "greeting"),
    "commendation": ("荣誉资质", "获奖", "荣誉", "表彰", "受賞", "award", "commendation"),
    "business_report": ("经营业绩", "业绩", "業績", "business report"),
    "quality": ("质量认证", "质量保证", "品質認証", "品質保証", "quality certification", "quality assurance"),
    "contact": ("联系方式", "联系我们", "お問い合わせ", "連絡先", "所在地", "contact"),
    "products": ("产品介绍", "产品目录", "产品展示", "产品", "製品紹介", "製品一覧", "製品情報", "商品", "products"),
    "services": ("服务项目", "服务介绍", "サービス", "services"),
    "dealing": ("付款方式", "付款条件", "主要客户", "交易条件", "售后服务", "样品", "取引条件", "主要取引先", "payment",
                "customers", "after-sales", "sample shipment", "dealing"),
    "collaboration": ("合作事项", "合作项目", "寻求合作", "技术合作", "業務提携", "提携", "collaboration", "tie-up",
                      "partnership"),
    "agents": ("招商代理", "代理商招募", "诚招代理", "代理", "代理店募集", "代理店", "agents", "distributors wanted"),
    "projects": ("招商项目", "融资项目", "项目介绍", "投資案件", "projects seeking investment", "projects"),
    "investment": ("对外投资", "投资意向", "投資計画", "investment"),
    "purchasing": ("采购需求", "求购信息", "求购", "采购", "調達", "購買", "仕入", "purchasing", "stocking requirement",
                   "procurement"),
    "employment": ("招聘信息", "人才招聘", "招聘", "採用情報", "求人", "採用", "employment", "recruitment", "careers",
                   "jobs"),
    "news": ("企业新闻", "公司新闻", "新闻动态", "ニュース", "お知らせ", "company news", "news"),
}
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "dt", "th"]
_MAX_HEADING_CHARS = 40  # a heading longer than this is a sentence, not a section name


@dataclass(slots=True)
class EnterpriseProfile:
    sections: dict[str, str] = field(default_factory=dict)  # section id → its text

    @property
    def services(self) -> list[str]:
        found = [profile_section(s).service for s in self.sections if self.sections[s].strip()]
        return list(dict.fromkeys(s for s in found if s))


@functools.cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def section_of(heading: str) -> str | None:
    """The Table 9 section a heading names, if any (the most specific word wins). A Traditional
    heading (公司簡介, the demo's Big5 directory) is read in Simplified too; the Japanese one as written."""
    text = re.sub(r"\s+", " ", heading).strip().lower()
    if not text or len(text) > _MAX_HEADING_CHARS:
        return None
    readings = dict.fromkeys([text, _to_simplified().convert(text)])
    best: tuple[int, str] | None = None
    for section, words in SECTIONS.items():
        for word in words:
            if any(word in reading for reading in readings) and (best is None or len(word) > best[0]):
                best = (len(word), section)
    return best[1] if best else None


def enterprise_profile(html: str) -> EnterpriseProfile:
    """Group the page's text under the Table 9 headings it carries; empty when it carries none."""
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return EnterpriseProfile()
    # A page's footer and navigation are no section's text (the last section would swallow them).
    for bad in root.xpath("//script|//style|//noscript|//footer|//nav"):
        bad.drop_tree()
    current: str | None = None
    heading_depth = 0  # inside a heading, its own words are the heading, not section text
    parts: dict[str, list[str]] = {}

    def keep(text: str | None) -> None:
        if current is not None and heading_depth == 0 and text and text.strip():
            parts.setdefault(current, []).append(text.strip())

    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        if event == "start":
            if element.tag in _HEADINGS:
                if heading_depth == 0:
                    current = section_of(element.text_content())
                heading_depth += 1
            keep(element.text)
        else:
            if element.tag in _HEADINGS:
                heading_depth -= 1
            keep(element.tail)
    return EnterpriseProfile({k: " ".join(v) for k, v in parts.items()})
