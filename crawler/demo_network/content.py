"""The pages of the demo network, generated deterministically (a fixed seed, no clock).

Five sites stand in for the seed's networks: a Shenyang SME portal of enterprise home pages built
on Table 9's sections (Chinese, part of it GBK), a Liaoning technology-innovation network
(Chinese, UTF-8), a Japanese business-matching site of needs and seeds (Shift_JIS, part EUC-JP),
an English trade organisation with an RSS feed and sitemaps, and a Traditional-Chinese directory
(Big5). Every category of Table 11 and every retrieval service appears in each language, and the
awkward cases of the real web are planted where a crawler meets them.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from html import escape

import opencc

from crawler.demo_network.server import Resource
from indexer.document import SERVICES

SEED = 2001
CATEGORIES = range(1, 12)

PRODUCTS: dict[str, dict[int, tuple[str, ...]]] = {
    "zh": {
        1: ("纯棉针织面料", "男士衬衫", "丝绸服饰", "羊毛纱线"), 2: ("家居用品", "儿童玩具", "不锈钢厨具", "陶瓷餐具"),
        3: ("东北大米", "乳制品", "绿茶饮料", "啤酒"), 4: ("精密铸造件", "冲压件", "注塑加工", "来料加工"),
        5: ("医疗器械", "中药制剂", "诊断试剂", "卫生材料"), 6: ("数控机床", "工业阀门", "轴承", "液压泵"),
        7: ("家用电器", "电子元器件", "LED照明", "电源设备"), 8: ("汽车零部件", "刹车系统", "发动机配件", "汽车座椅"),
        9: ("不锈钢管材", "金属制品", "铝合金型材", "五金件"), 10: ("建筑材料", "新型墙体材料", "防水涂料", "水泥"),
        11: ("计算机软件", "通信设备", "网络交换机", "光纤通信模块"),
    },
    "ja": {
        1: ("綿ニット生地", "婦人服", "織物", "アパレル製品"), 2: ("生活用品", "玩具", "台所用品", "文房具"),
        3: ("菓子", "清涼飲料", "乳製品", "日本茶"), 4: ("精密鋳造品", "プレス加工品", "切削加工", "受託加工"),
        5: ("医療機器", "医薬品", "診断薬", "衛生材料"), 6: ("工作機械", "産業用ポンプ", "ベアリング", "バルブ"),
        7: ("電子部品", "家電製品", "LED照明", "電源装置"), 8: ("自動車部品", "ブレーキ部品", "エンジン部品", "カーシート"),
        9: ("金属製品", "ステンレス鋼管", "アルミ部材", "金物"), 10: ("建築材料", "断熱材", "タイル", "外壁材"),
        11: ("通信機器", "コンピュータ", "ネットワーク機器", "光通信モジュール"),
    },
    "en": {
        1: ("cotton fabric", "knitwear", "apparel", "silk garments"), 2: ("household goods", "toys", "kitchenware",
                                                                          "stationery"),
        3: ("green tea", "dairy products", "fruit juice", "snack food"), 4: ("precision casting", "metal stamping",
                                                                            "contract machining", "forging"),
        5: ("medical devices", "pharmaceuticals", "diagnostic kits", "surgical supplies"),
        6: ("CNC machine tools", "industrial pumps", "bearings", "valves"),
        7: ("electronic components", "home appliances", "LED lighting", "power supplies"),
        8: ("auto parts", "brake systems", "engine components", "car seats"),
        9: ("stainless steel pipes", "metal products", "aluminium profiles", "hardware"),
        10: ("building materials", "insulation panels", "ceramic tiles", "cement"),
        11: ("network switches", "communication equipment", "computers", "fibre-optic modules"),
    },
}

# The section each retrieval service is announced under, and what it says ({p} a product).
NEEDS: dict[str, dict[str, tuple[str, str]]] = {
    "zh": {
        "tie_up": ("合作事项", "寻求与日本企业开展技术合作与合资经营，共同开发{p}市场。"),
        "agent": ("招商代理", "诚招国内外代理商，代理销售我公司{p}，提供样品和技术培训。"),
        "invest": ("对外投资", "计划在日本设厂投资，寻找{p}领域的投资项目。"),
        "capital": ("招商项目", "{p}扩产项目寻求融资，总投资{n}万元，欢迎投资者洽谈。"),
        "purchase": ("求购信息", "长期求购{p}原材料和配套零件，年采购量约{n}吨。"),
        "recruit": ("招聘信息", "诚聘{p}销售工程师{k}名，懂日语者优先。"),
    },
    "ja": {
        "tie_up": ("業務提携", "{p}の共同開発に向けて、中国企業との業務提携を希望します。"),
        "agent": ("代理店募集", "{p}の販売代理店を募集しています。地域は問いません。"),
        "invest": ("投資計画", "中国への進出を計画しており、{p}分野の投資先を探しています。"),
        "capital": ("投資案件", "{p}の増産案件について資金調達を行います。総額{n}万円、出資者募集中です。"),
        "purchase": ("調達", "{p}の部材を継続的に調達したいと考えています。年間{n}トン程度。"),
        "recruit": ("採用情報", "{p}の技術者を{k}名採用します。中国語ができる方を歓迎します。"),
    },
    "en": {
        "tie_up": ("Partnership", "We seek a business tie-up with a Chinese manufacturer to develop {p} together."),
        "agent": ("Distributors wanted", "We are looking for agents and distributors for our {p} in Asia."),
        "invest": ("Investment", "We plan an investment in a joint factory in Liaoning making {p}."),
        "capital": ("Projects seeking investment", "Our {p} expansion project is seeking investment of {n} "
                                                   "million yen; financing partners welcome."),
        "purchase": ("Procurement", "We purchase {p} and related materials, about {n} tonnes a year."),
        "recruit": ("Careers", "We are hiring {k} engineers for {p}; Chinese speakers welcome."),
    },
}

HEADINGS = {
    "zh": {"outline": "公司简介", "products": "产品介绍", "news": "企业新闻", "contact": "联系方式"},
    "ja": {"outline": "会社概要", "products": "製品紹介", "news": "お知らせ", "contact": "お問い合わせ"},
    "en": {"outline": "Company profile", "products": "Products", "news": "Company news", "contact": "Contact"},
}

CITIES = {
    "zh": ("沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "铁岭", "辽阳"),
    "ja": ("東京", "大阪", "名古屋", "福岡", "札幌", "仙台", "広島", "神戸", "京都", "横浜"),
    "en": ("Shenyang", "Dalian", "Osaka", "Nagoya", "Tokyo", "Anshan", "Fukuoka", "Yokohama", "Dandong", "Kobe"),
}
BRANDS = {
    "zh": ("金杯", "华晨", "北方", "东方", "远航", "新松", "盛京", "辽宁", "长白", "恒通", "瑞丰", "宏达", "万通", "天成",
           "鑫源", "博远", "泰和", "永安", "汇丰", "嘉禾"),
    "ja": ("山田", "中央", "北辰", "大和", "光陽", "三星", "東邦", "日進", "新和", "昭栄", "富士", "旭", "丸山", "協和",
           "第一", "平和", "大成", "明光", "太陽", "青葉"),
    "en": ("Northern", "Pacific", "Liaoning", "Eastern", "Harbor", "Summit", "Crown", "Pioneer", "Bridge", "Lotus",
           "Maple", "Atlas", "Orion", "Sterling", "Union", "Vertex", "Golden", "Silver", "Delta", "Apex"),
}
OUTLINE = {
    "zh": ("{c}成立于{y}年，位于{city}经济技术开发区，现有员工{e}人。", "公司主要生产{p1}和{p2}，产品出口日本、韩国和欧美。",
           "公司通过ISO9001质量体系认证，拥有先进的生产线和检测设备。", "年销售额约{n}万元，在东北地区拥有稳定的客户群。",
           "公司重视研发，与东北大学等院校建立了长期合作关系。", "我们坚持质量第一、信誉至上的经营理念。",
           "工厂占地{e}平方米，交通便利，距离大连港约{k}百公里。", "产品广泛应用于{city}及周边地区的制造企业。"),
    "ja": ("{c}は{y}年創業、{city}に本社を置き、従業員は{e}名です。", "主に{p1}と{p2}を製造し、中国と東南アジアに輸出しています。",
           "ISO9001を取得し、品質管理を徹底しています。", "年商は約{n}百万円で、自動車・電機メーカーと取引があります。",
           "大学との共同研究により新製品を開発しています。", "お客様の要望に合わせた多品種少量生産が得意です。",
           "工場は{city}郊外にあり、最新の設備を備えています。", "創業以来、地域の中小企業とともに成長してきました。"),
    "en": ("{c} was founded in {y} in {city} and employs {e} people.",
           "We make {p1} and {p2} for customers in China, Japan and Europe.",
           "Our plant is ISO 9001 certified and runs modern production lines.",
           "Annual sales are about {n} million yen, half of it exported.",
           "We develop new products with local universities and research institutes.",
           "Small batches and custom specifications are our strength.",
           "The factory lies {k} kilometres from the port, with good road links.",
           "We have supplied manufacturers in {city} for many years."),
}
NEWS = {
    "zh": ("{y2}年{m}月，公司参加了中国国际装备制造业博览会。", "{y2}年{m}月，公司新产品通过省级鉴定。",
           "{y2}年{m}月，日本客户来公司考察洽谈合作。"),
    "ja": ("{y2}年{m}月、大連の商談会に出展しました。", "{y2}年{m}月、新工場が稼働しました。",
           "{y2}年{m}月、中国企業の視察団を受け入れました。"),
    "en": ("In {m}/{y2} we exhibited at the Shenyang trade fair.", "In {m}/{y2} our new line went into production.",
           "In {m}/{y2} a delegation from Osaka visited our plant."),
}


@dataclass(frozen=True, slots=True)
class Enterprise:
    lang: str
    number: int
    category: int
    service: str
    name: str
    products: tuple[str, ...]
    published: str  # ISO date

    def page(self, script: Callable[[str], str] = str) -> str:
        """A home page with Table 9 sections; `script` converts the text (to Traditional, say)."""
        rng = random.Random(f"{SEED}-{self.lang}-{self.number}")
        p1, p2 = self.products[0], self.products[1]
        values = {"c": self.name, "y": 1980 + rng.randrange(40), "city": rng.choice(CITIES[self.lang]),
                  "e": 20 + rng.randrange(2000), "n": 100 + rng.randrange(9000), "k": 2 + rng.randrange(8),
                  "p1": p1, "p2": p2, "p": p1, "y2": 2020 + rng.randrange(6), "m": 1 + rng.randrange(12)}
        outline = rng.sample(OUTLINE[self.lang], 4)
        heading, need = NEEDS[self.lang][self.service]
        h = HEADINGS[self.lang]
        sep = "" if self.lang in ("zh", "ja") else " "
        body = [
            f"<h1>{self.name}</h1>",
            f"<h2>{h['outline']}</h2><p>{sep.join(outline).format(**values)}</p>",
            f"<h2>{h['products']}</h2><ul>" + "".join(f"<li>{p}</li>" for p in self.products) + "</ul>",
            f"<h2>{heading}</h2><p>{need.format(**values)}</p>",
            f"<h2>{h['news']}</h2><p>{rng.choice(NEWS[self.lang]).format(**values)}</p>",
            f"<h2>{h['contact']}</h2><p>TEL 0{rng.randrange(10**9, 10**10)}</p>",
        ]
        return script("\n".join(body))


def enterprises(lang: str, count: int, offset: int = 0) -> list[Enterprise]:
    """`count` enterprises cycling through every category and service, so each pair appears."""
    out = []
    brands = BRANDS[lang]
    for i in range(offset, offset + count):
        category = CATEGORIES[i % len(CATEGORIES)]
        service = SERVICES[(i // len(CATEGORIES)) % len(SERVICES)]
        brand = brands[i % len(brands)] + brands[(i // len(brands) + 3 * i) % len(brands)]
        products = PRODUCTS[lang][category]
        rng = random.Random(f"{SEED}-{lang}-{i}-products")
        chosen = tuple(rng.sample(products, 3))
        if lang == "zh":
            name = f"{CITIES['zh'][i % 10]}{brand}{chosen[0]}有限公司"
        elif lang == "ja":
            name = f"株式会社{brand}{['製作所', '工業', '産業', '商事'][i % 4]}"
        else:
            name = f"{brand} {['Industries', 'Manufacturing', 'Trading', 'Works'][i % 4]} Co., Ltd."
        published = f"{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        out.append(Enterprise(lang, i, category, service, name, chosen, published))
    return out


def html_page(title: str, body: str, lang: str, charset: str, meta_charset: bool = True, published: str = "",
              nav: str = "") -> str:
    meta = f'<meta charset="{charset}">' if meta_charset else ""
    date = f'<meta name="date" content="{published}">' if published else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{meta}<title>{escape(title)}</title>{date}</head>\n'
            f"<body><nav>{nav}</nav><main>{body}</main><footer>© demo network</footer></body></html>\n")


def links(items: list[tuple[str, str]]) -> str:
    return "".join(f'<a href="{escape(href)}">{escape(text)}</a> ' for href, text in items)


def encoded(text: str, charset: str) -> bytes:
    return text.encode(charset, errors="xmlcharrefreplace")


@cache
def large_page() -> bytes:
    """Bigger than the crawler's size limit (8 MB by default)."""
    row = "<p>" + "沈阳汽车零部件企业名录，大型页面测试。" * 20 + "</p>\n"
    return ("<html><head><title>Very large page</title></head><body>" + row * 16000 + "</body></html>").encode()


@cache
def compression_bomb() -> bytes:
    """About 100 KB on the wire, 100 MB once decompressed: the size limit must hold after gzip too."""
    return gzip.compress(b" " * 100_000_000, compresslevel=9)


# Sites ---------------------------------------------------------------------------------------------------------


def shenyang_portal(origin: str) -> dict[str, Resource]:
    """Shenyang SME portal: enterprise home pages per category; a third of them in GBK, declared
    in the header, in a meta tag only, wrongly (ISO-8859-1), or not at all."""
    site: dict[str, Resource] = {}
    companies = enterprises("zh", 330)
    site["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain")
    nav = links([("/", "首页"), ("/admin/", "管理后台"), ("/about.html", "关于我们"), ("/news/old-1.html", "旧新闻")])
    category_names = ("纺织服装", "日用品、轻工产品", "食品、饮料", "加工产品", "医药用品", "机械产品", "电子、电器产品",
                      "汽车及零部件", "金属制品", "建筑材料", "计算机、通信设备")
    home = "<h1>沈阳市中小企业信息网</h1><p>沈阳中小企业的商务合作、代理、投资、融资、采购与招聘信息。</p>" + links(
        [(f"/category/{c}.html", category_names[c - 1]) for c in CATEGORIES] + [("/print/index.html", "打印版")])
    site["/"] = Resource(encoded(html_page("沈阳市中小企业信息网", home, "zh", "utf-8", nav=nav), "utf-8"))
    site["/about.html"] = Resource(encoded(html_page("关于我们", "<p>沈阳市中小企业信息网由沈阳市中小企业服务中心主办，"
                                                          "为中小企业提供信息检索和商务匹配服务。</p>", "zh", "utf-8",
                                                     nav=nav), "utf-8"))
    site["/admin/"] = Resource(encoded(html_page("管理后台", "<p>仅限管理员。</p>", "zh", "utf-8"), "utf-8"))
    site["/news/old-1.html"] = Resource(status=301, location="/news/2024-merger.html")
    site["/news/2024-merger.html"] = Resource(encoded(html_page(
        "沈阳两家机械企业合并", "<p>沈阳两家数控机床企业宣布合并，合并后将寻求日本技术合作伙伴，共同开拓海外市场。</p>"
        "<p>新公司计划招聘工程师一百名。</p>", "zh", "utf-8", published="2024-05-20"), "utf-8"))
    for c in CATEGORIES:
        members = [e for e in companies if e.category == c]
        listing = f"<h1>{category_names[c - 1]}</h1>" + links([(_ent_path(e), e.name) for e in members]) + links(
            [("/ent/missing-9999.html", "已关闭的企业")])
        site[f"/category/{c}.html"] = Resource(encoded(html_page(category_names[c - 1], listing, "zh", "utf-8",
                                                                 nav=nav), "utf-8"))
    for e in companies:
        charset, declared = _shenyang_charset(e.number)
        page = html_page(f"{e.name} - {e.products[0]}", e.page(), "zh", charset, meta_charset=declared != "none",
                         published=e.published, nav=nav)
        header = {"header": f"text/html; charset={charset}", "wrong": "text/html; charset=iso-8859-1"}.get(
            declared, "text/html")
        if declared == "wrong":
            page = page.replace(f'<meta charset="{charset}">', "")
        site[_ent_path(e)] = Resource(encoded(page, charset), content_type=header)
        if e.number % 30 == 0:  # a printer-friendly copy: exactly the same page under another URL
            site[_print_path(e)] = Resource(encoded(page, charset), content_type=header)
    printable = [e for e in companies if e.number % 30 == 0]
    site["/print/index.html"] = Resource(encoded(html_page("打印版", links(
        [(_print_path(e), e.name) for e in printable]), "zh", "utf-8"), "utf-8"))
    return site


def _print_path(e: Enterprise) -> str:
    return _ent_path(e).replace("/ent/", "/print/ent/")


def _ent_path(e: Enterprise) -> str:
    return f"/gbk/ent/{e.number}.html" if e.number % 3 == 0 else f"/ent/{e.number}.html"


def _shenyang_charset(number: int) -> tuple[str, str]:
    """(charset, how it is declared): GBK for every third page, declared four ways in turn."""
    if number % 3:
        return "utf-8", "header"
    return ("gbk", "gb2312", "gb18030", "gbk")[number // 3 % 4], ("header", "meta", "wrong", "none")[number // 3 % 4]


def liaoning_tech(origin: str) -> dict[str, Resource]:
    """Liaoning technology-innovation network: projects and news (UTF-8), with a calendar that
    never ends, a redirect loop, a slow page and broken links."""
    site: dict[str, Resource] = {}
    companies = enterprises("zh", 200, offset=330)
    site["/robots.txt"] = Resource(b"User-agent: *\nAllow: /\n", content_type="text/plain")
    nav = links([("/", "首页"), ("/events/calendar-2026-11.html", "活动日历"), ("/loop/a.html", "专题"),
                 ("/slow.html", "数据报告"), ("/broken-link.html", "下载中心")])
    pages = [companies[i:i + 20] for i in range(0, len(companies), 20)]
    home = "<h1>辽宁省科技创新网</h1><p>发布辽宁省企业技术创新、成果转化与投融资项目。</p>" + links(
        [(f"/projects/page-{n + 1}.html", f"项目列表第{n + 1}页") for n in range(len(pages))])
    site["/"] = Resource(encoded(html_page("辽宁省科技创新网", home, "zh", "utf-8", nav=nav), "utf-8"))
    for n, group in enumerate(pages):
        listing = links([(f"/projects/{e.number}.html", e.name) for e in group])
        site[f"/projects/page-{n + 1}.html"] = Resource(encoded(html_page(f"项目列表第{n + 1}页", listing, "zh",
                                                                          "utf-8", nav=nav), "utf-8"))
    for e in companies:
        site[f"/projects/{e.number}.html"] = Resource(encoded(html_page(
            f"{e.name}：{e.products[0]}项目", e.page(), "zh", "utf-8", published=e.published, nav=nav), "utf-8"))
    site["/loop/a.html"] = Resource(status=302, location="/loop/b.html")
    site["/loop/b.html"] = Resource(status=302, location="/loop/a.html")
    site["/slow.html"] = Resource(encoded(html_page("辽宁省中小企业数据报告", "<p>辽宁省中小企业技术创新数据报告，"
                                                                      "全省科技型中小企业数量持续增长。</p>", "zh", "utf-8"),
                                          "utf-8"), delay=1.5)
    trap = calendar_trap()
    trap.update(site)
    return trap


def calendar_trap() -> dict[str, Resource]:
    """An events calendar whose every month links to the next and the previous: endless."""

    class Calendar(dict[str, Resource]):
        def get(self, path: str, default: Resource | None = None) -> Resource | None:  # type: ignore[override]
            if path.startswith("/events/calendar-") and path.endswith(".html"):
                stamp = path.removeprefix("/events/calendar-").removesuffix(".html")
                try:
                    year, month = (int(x) for x in stamp.split("-"))
                except ValueError:
                    return default
                prev_m = f"{year - (month == 1)}-{12 if month == 1 else month - 1:02d}"
                next_m = f"{year + (month == 12)}-{1 if month == 12 else month + 1:02d}"
                body = f"<h1>{year}年{month}月活动日历</h1><p>本月暂无活动。</p>" + links(
                    [(f"/events/calendar-{prev_m}.html", "上个月"), (f"/events/calendar-{next_m}.html", "下个月")])
                return Resource(encoded(html_page(f"{year}年{month}月活动日历", body, "zh", "utf-8"), "utf-8"))
            return super().get(path, default)

    return Calendar()


def japan_matching(origin: str) -> dict[str, Resource]:
    """Japanese business-matching site: needs and seeds in Shift_JIS, a tenth of them in EUC-JP."""
    site: dict[str, Resource] = {}
    companies = enterprises("ja", 250)
    site["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    nav = links([("/", "トップ"), ("/members/login.html", "会員ログイン")])
    kinds = {"needs": "ニーズ", "seeds": "シーズ"}
    lists: dict[str, list[Enterprise]] = {"needs": [], "seeds": []}
    for e in companies:
        lists["needs" if e.service in ("agent", "capital", "purchase", "recruit") else "seeds"].append(e)
    home = "<h1>ビジネスマッチング・ナビ</h1><p>中小企業のニーズとシーズを結ぶ商談マッチングサイトです。</p>" + links(
        [(f"/{k}/index.html", v) for k, v in kinds.items()])
    site["/"] = Resource(encoded(html_page("ビジネスマッチング・ナビ", home, "ja", "shift_jis", nav=nav), "shift_jis"),
                         content_type="text/html; charset=Shift_JIS")
    site["/members/login.html"] = Resource(encoded(html_page("会員ログイン", "<p>会員専用ページ</p>", "ja", "utf-8"),
                                                   "utf-8"))
    for kind, members in lists.items():
        site[f"/{kind}/index.html"] = Resource(encoded(html_page(kinds[kind], links(
            [(f"/{kind}/{e.number}.html", e.name) for e in members]), "ja", "shift_jis", nav=nav), "shift_jis"),
            content_type="text/html; charset=Shift_JIS")
        for e in members:
            charset = "euc-jp" if e.number % 10 == 0 else "shift_jis"
            page = html_page(f"{kinds[kind]}：{e.name}（{e.products[0]}）", e.page(), "ja", charset,
                             published=e.published, nav=nav)
            site[f"/{kind}/{e.number}.html"] = Resource(encoded(page, charset), content_type="text/html")
    return site


def trade_organisation(origin: str) -> dict[str, Resource]:
    """English trade organisation: member profiles listed in sitemaps (announced in robots.txt),
    news in an RSS feed, and the pages that test a crawler's manners and a portal's safety."""
    site: dict[str, Resource] = {}
    companies = enterprises("en", 220)
    site["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /members-only/\nCrawl-delay: 0.01\n"
                                   b"Sitemap: /sitemap-index.xml\n", content_type="text/plain")
    nav = links([("/", "Home"), ("/news/", "News"), ("/members-only/directory.html", "Member directory")])
    home = ("<h1>Asia SME Trade Association</h1><p>Business matching between Chinese, Japanese and other Asian "
            "small and medium enterprises.</p>") + links([(f"/members/{e.number}.html", e.name) for e in companies[:20]])
    site["/"] = Resource(encoded(html_page("Asia SME Trade Association", home, "en", "utf-8", nav=nav), "utf-8"))
    for e in companies:
        site[f"/members/{e.number}.html"] = Resource(encoded(html_page(
            f"{e.name}: {e.products[0]}", e.page(), "en", "utf-8", published=e.published, nav=nav), "utf-8"))
    news = enterprises("en", 40, offset=500)
    items = []
    for e in news:
        path = f"/news/{e.number}.html"
        text = (f"<h1>{e.name} announces {e.products[0]}</h1><p>{e.name} introduced new {e.products[0]} and "
                f"{e.products[1]} at the Dalian trade fair.</p><p>{NEEDS['en'][e.service][1].format(p=e.products[0], n=30, k=3)}</p>")
        site[path] = Resource(encoded(html_page(f"{e.name} announces {e.products[0]}", text, "en", "utf-8",
                                                published=e.published, nav=nav), "utf-8"))
        items.append(f"<item><title>{escape(e.name)}</title><link>{path}</link>"
                     f"<pubDate>{_rfc822(e.published)}</pubDate></item>")
    site["/news/feed.xml"] = Resource(
        ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>ASTA news</title>'
         + "".join(items) + "</channel></rss>").encode(), content_type="application/rss+xml")
    site["/news/"] = Resource(encoded(html_page("News", links([(f"/news/{e.number}.html", e.name) for e in news]),
                                                "en", "utf-8", nav=nav), "utf-8"))
    members = "".join(f"<url><loc>{origin}/members/{e.number}.html</loc><lastmod>{e.published}</lastmod>"
                      "<changefreq>monthly</changefreq></url>" for e in companies)
    extras = "".join(f"<url><loc>{origin}{p}</loc></url>" for p in (
        "/inject.html", "/large.html", "/bomb.html", "/brochure.pdf", "/download?id=7", "/members-only/directory.html",
        "/members/0-copy.html", "/moved.html"))
    site["/sitemap-members.xml"] = Resource(_urlset(members + extras), content_type="application/xml")
    site["/sitemap-news.xml"] = Resource(_urlset("".join(f"<url><loc>{origin}/news/{e.number}.html</loc></url>" for e in news)),
                                         content_type="application/xml")
    site["/sitemap-index.xml"] = Resource(
        ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         f"<sitemap><loc>{origin}/sitemap-members.xml</loc></sitemap>"
         f"<sitemap><loc>{origin}/sitemap-news.xml</loc></sitemap></sitemapindex>").encode(),
        content_type="application/xml")
    site["/inject.html"] = Resource(encoded(html_page(
        "Auto parts <script>alert('title')</script>",
        "<h1>Brake systems supplier <img src=x onerror=\"alert('img')\"></h1>"
        "<p>We export brake systems and auto parts.<script>alert('body')</script> "
        "<a href=\"javascript:alert('link')\">Click for the catalogue</a> "
        "<span onmouseover=\"alert('hover')\">Distributors wanted in Japan.</span></p>"
        "<p>&lt;script&gt;alert('escaped')&lt;/script&gt; is how the page writes a tag as text.</p>",
        "en", "utf-8"), "utf-8"))
    site["/large.html"] = Resource(large_page)
    site["/bomb.html"] = Resource(compression_bomb, headers={"Content-Encoding": "gzip"})
    site["/brochure.pdf"] = Resource(b"%PDF-1.4\n% demo brochure\n", content_type="application/pdf")
    site["/download?id=7"] = Resource(b"PK\x03\x04 demo archive", content_type="application/zip")
    site["/members-only/directory.html"] = Resource(encoded(html_page("Directory", "<p>Members only.</p>", "en",
                                                                      "utf-8"), "utf-8"))
    # A near duplicate: member 0's profile with another footer date, under another URL.
    copy = site["/members/0.html"].body.replace(b"</main>", b"<p>Page printed 2026-01-05.</p></main>")  # type: ignore[union-attr]
    site["/members/0-copy.html"] = Resource(copy)
    site["/moved.html"] = Resource(status=301, location="/members/1.html")
    return site


def taiwan_directory(origin: str) -> dict[str, Resource]:
    """Traditional-Chinese enterprise directory in Big5."""
    site: dict[str, Resource] = {}
    to_traditional = opencc.OpenCC("s2t").convert
    companies = enterprises("zh", 110, offset=900)
    site["/robots.txt"] = Resource(b"User-agent: *\nAllow: /\n", content_type="text/plain")
    home = "<h1>臺灣中小企業名錄</h1><p>臺灣與東北亞中小企業的合作、代理、投資與採購資訊。</p>" + links(
        [(f"/company/{e.number}.html", to_traditional(e.name)) for e in companies])
    site["/"] = Resource(encoded(html_page("臺灣中小企業名錄", home, "zh-TW", "big5"), "big5"),
                         content_type="text/html; charset=big5")
    for e in companies:
        name = to_traditional(e.name)
        page = html_page(f"{name} - {to_traditional(e.products[0])}", e.page(to_traditional), "zh-TW", "big5",
                         published=e.published)
        site[f"/company/{e.number}.html"] = Resource(encoded(page, "big5"), content_type="text/html; charset=big5")
    return site


SITES: dict[str, Callable[[str], dict[str, Resource]]] = {
    "shenyang": shenyang_portal,
    "liaoning": liaoning_tech,
    "japan": japan_matching,
    "trade": trade_organisation,
    "taiwan": taiwan_directory,
}


def _urlset(urls: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + urls + "</urlset>").encode()


def _rfc822(day: str) -> str:
    return format_datetime(datetime.fromisoformat(day + "T09:00:00+00:00"))
