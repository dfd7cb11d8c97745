"""Table 11's retrieval categories, section 3.1 (3)'s six retrieval services and Table 9's home-page
sections, named in zh, en and ja."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    en: str
    zh: str
    ja: str

    def name(self, lang: str) -> str:
        return {"zh": self.zh, "ja": self.ja}.get(lang, self.en)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    en: str
    zh: str
    ja: str
    # The seed's wording: "Retrieval for the enterprise seeking business tie-up", ...
    seed: str
    about_zh: str  # the same, as the Chinese and Japanese portals explain it
    about_ja: str

    def name(self, lang: str) -> str:
        return {"zh": self.zh, "ja": self.ja}.get(lang, self.en)

    def about(self, lang: str) -> str:
        """Whom the service is for, in the reader's language (English: the seed's own words)."""
        return {"zh": self.about_zh, "ja": self.about_ja}.get(lang, self.seed)


NOT_SPECIFIED = Category(0, "Not specified", "不限类别", "カテゴリ指定なし")

CATEGORIES: tuple[Category, ...] = (
    Category(1, "Spinning and clothing", "纺织服装", "紡績・衣料品"),
    Category(2, "Daily necessities, light industry products", "日用品、轻工产品", "日用品・軽工業品"),
    Category(3, "Foods, drinks", "食品、饮料", "食品・飲料"),
    Category(4, "Processed goods", "加工产品", "加工品"),
    Category(5, "Medical supplies", "医药用品", "医療用品"),
    Category(6, "Mechanical products", "机械产品", "機械製品"),
    Category(7, "Electronics, electric products", "电子、电器产品", "電子・電気製品"),
    Category(8, "Automobile and parts", "汽车及零部件", "自動車・部品"),
    Category(9, "Metal goods", "金属制品", "金属製品"),
    Category(10, "Building materials", "建筑材料", "建築材料"),
    Category(11, "Computer, communication equipment", "计算机、通信设备", "コンピュータ・通信機器"),
)

SERVICE_LIST: tuple[Service, ...] = (
    Service("tie_up", "Business tie-up", "业务合作", "業務提携",
            "Retrieval for the enterprise seeking business tie-up",
            "为寻求业务合作的企业提供检索", "業務提携先を探す企業のための検索"),
    Service("agent", "Agents", "寻找代理", "代理店探し", "Retrieval for the enterprise searching agent",
            "为寻找代理商的企业提供检索", "代理店を探す企業のための検索"),
    Service("invest", "Investment", "对外投资", "投資", "Retrieval for the enterprise seeking to invest",
            "为寻求投资项目的企业提供检索", "投資先を探す企業のための検索"),
    Service("capital", "Capital introduction", "引进资金", "資本導入",
            "Retrieval for the enterprise having the necessity of capital introducing",
            "为需要引进资金的企业提供检索", "資本の導入を必要とする企業のための検索"),
    Service("purchase", "Purchasing", "采购", "調達・購買", "Retrieval for the enterprise searching to purchase goods",
            "为寻找采购货源的企业提供检索", "商品の調達先を探す企業のための検索"),
    Service("recruit", "Recruitment", "招聘", "求人", "Retrieval for the people searching recruit information",
            "为寻找招聘信息的人士提供检索", "求人情報を探す人のための検索"),
)

SERVICES = tuple(s.id for s in SERVICE_LIST)  # the ids, in Table 11's order


@dataclass(frozen=True, slots=True)
class ProfileSection:
    """One input item of the 2001 home-page builder (Table 9) that an enterprise page may carry."""

    id: str
    en: str
    zh: str
    ja: str
    service: str | None = None  # the retrieval service a page with this section offers itself to

    def name(self, lang: str) -> str:
        return {"zh": self.zh, "ja": self.ja}.get(lang, self.en)


# In Table 9's order: the outline of the company, products, services, dealing, business
# collaboration, purchasing, employment; company news last, as the builder's pages put it.
PROFILE_SECTIONS: tuple[ProfileSection, ...] = (
    ProfileSection("outline", "Basic introduction", "公司简介", "会社概要"),
    ProfileSection("greeting", "Greeting from the president", "总经理致辞", "代表挨拶"),
    ProfileSection("commendation", "Official commendation", "荣誉资质", "受賞・表彰"),
    ProfileSection("business_report", "Business report", "经营业绩", "業績"),
    ProfileSection("quality", "Quality certification", "质量认证", "品質認証"),
    ProfileSection("contact", "Contact address", "联系方式", "連絡先"),
    ProfileSection("products", "Products", "产品介绍", "製品紹介"),
    ProfileSection("services", "Services", "服务项目", "サービス"),
    ProfileSection("dealing", "Dealing", "交易条件", "取引条件"),
    ProfileSection("collaboration", "Collaboration matters", "合作事项", "業務提携", "tie_up"),
    ProfileSection("agents", "Agents wanted", "招商代理", "代理店募集", "agent"),
    ProfileSection("projects", "Projects seeking investment", "招商项目", "投資案件", "capital"),
    ProfileSection("investment", "Investment", "对外投资", "投資計画", "invest"),
    ProfileSection("purchasing", "Stocking requirement", "采购需求", "調達", "purchase"),
    ProfileSection("employment", "Employment", "招聘信息", "採用情報", "recruit"),
    ProfileSection("news", "Company news", "企业新闻", "ニュース"),
)
PROFILE_SECTION_IDS = tuple(s.id for s in PROFILE_SECTIONS)


def profile_section(section_id: str) -> ProfileSection:
    for s in PROFILE_SECTIONS:
        if s.id == section_id:
            return s
    raise KeyError(f"no section {section_id!r}; sections are {', '.join(PROFILE_SECTION_IDS)}")


def category(category_id: int) -> Category:
    if category_id == 0:
        return NOT_SPECIFIED
    for c in CATEGORIES:
        if c.id == category_id:
            return c
    raise KeyError(f"no category {category_id}; categories are 0-11")


def service(service_id: str) -> Service:
    for s in SERVICE_LIST:
        if s.id == service_id:
            return s
    raise KeyError(f"no service {service_id!r}; services are {', '.join(SERVICES)}")
