# ruff: noqa: E501  (a table of sentences in three languages reads better unwrapped)
"""The labelled matching set behind bench/matching.py, written before the matcher was measured.

Fourteen product families, each with its own service. In each family a need is posted in
Chinese, in Japanese and in English, and an answering offer in each language: every need's
true partners are the three offers of its family (two of them in another language), plus, for
buyers, the crawled pages of the family's makers. The decoys: in each family an offer of the
same product for another service, and a crawled page of an enterprise on the same side as the
needs (a maker that seeks agents too, which answers offers, not needs); across families, every
offer of the same service but another product. The sentences are composed from product phrases
and frames written by hand for each language, so the set is regular but not copied from the
matcher's own vocabulary (the thesaurus and the lexicons were written before it).
"""

from __future__ import annotations

from dataclasses import dataclass

# family: (service of the needs, category, {lang: (product, place)})
FAMILIES: dict[str, tuple[str, int, dict[str, tuple[str, str]]]] = {
    "brake": ("agent", 8, {"zh": ("汽车刹车片", "日本"), "ja": ("ブレーキパッド", "中国"), "en": ("brake pads", "Korea")}),
    "towel": ("agent", 1, {"zh": ("纯棉毛巾", "日本"), "ja": ("今治タオル", "中国"), "en": ("cotton towels", "Europe")}),
    "sake": ("agent", 3, {"zh": ("白酒", "日本"), "ja": ("日本酒", "中国"), "en": ("craft beer", "Asia")}),
    "valve": ("agent", 6, {"zh": ("工业阀门", "日本"), "ja": ("産業用バルブ", "中国"), "en": ("industrial valves", "Vietnam")}),
    "ecg": ("purchase", 5, {"zh": ("心电监护仪", "沈阳"), "ja": ("心電計", "大阪"), "en": ("patient monitors", "Dalian")}),
    "bolt": ("purchase", 9, {"zh": ("不锈钢螺栓", "大连"), "ja": ("ステンレスボルト", "名古屋"), "en": ("stainless steel bolts", "Tianjin")}),
    "pcb": ("purchase", 7, {"zh": ("印刷电路板", "深圳"), "ja": ("プリント基板", "福岡"), "en": ("printed circuit boards", "Shanghai")}),
    "tile": ("purchase", 10, {"zh": ("瓷砖", "沈阳"), "ja": ("タイル", "横浜"), "en": ("ceramic tiles", "Qingdao")}),
    "mould": ("tie_up", 4, {"zh": ("注塑模具", "宁波"), "ja": ("射出成形金型", "東京"), "en": ("injection molds", "Suzhou")}),
    "robot": ("tie_up", 6, {"zh": ("工业机器人", "沈阳"), "ja": ("産業用ロボット", "名古屋"), "en": ("industrial robots", "Dalian")}),
    "software": ("tie_up", 11, {"zh": ("软件外包", "大连"), "ja": ("オフショア開発", "東京"), "en": ("software outsourcing", "Dalian")}),
    "battery": ("capital", 7, {"zh": ("锂电池", "沈阳"), "ja": ("リチウムイオン電池", "仙台"), "en": ("lithium batteries", "Shenyang")}),
    "seafood": ("capital", 3, {"zh": ("冷冻扇贝", "大连"), "ja": ("冷凍ホタテ", "北海道"), "en": ("frozen scallops", "Dalian")}),
    "cnc": ("recruit", 6, {"zh": ("数控机床", "沈阳"), "ja": ("NC工作機械", "岐阜"), "en": ("CNC machine tools", "Shenyang")}),
}
# The service that answers each need (COMPLEMENT in matching/listing.py says the same), and the
# service of each family's wrong-service decoy.
ANSWER = {"agent": "agent", "purchase": "purchase", "tie_up": "tie_up", "capital": "invest", "recruit": "recruit"}
WRONG = {"agent": "recruit", "purchase": "capital", "tie_up": "agent", "capital": "purchase", "recruit": "tie_up"}

NEED = {
    "agent": {"zh": ("{p}生产企业寻找{place}代理商", "我公司是{p}生产厂家，质量稳定，现寻找{place}市场的代理商和经销商，共同开拓销售渠道。"),
              "ja": ("{p}メーカーが{place}の販売代理店を募集", "当社は{p}を製造しています。{place}で当社製品を販売していただける代理店・販売店を募集します。"),
              "en": ("{P} maker seeks distributors in {place}", "We manufacture {p} and are looking for agents and distributors to sell our products in {place}.")},
    "purchase": {"zh": ("采购{p}，寻找供应商", "{place}企业需要长期采购{p}，每月数量稳定，寻求可靠的生产厂家供货。"),
                 "ja": ("{p}の仕入先を探しています", "{place}の企業です。{p}を継続的に調達したいので、製造元を探しています。"),
                 "en": ("Buying {p}: suppliers wanted", "A company in {place} wants to buy {p} regularly and seeks reliable manufacturers to supply them.")},
    "tie_up": {"zh": ("{p}企业寻求合作伙伴", "{place}的{p}企业希望与外国企业开展技术合作或合资，共同开发市场。"),
               "ja": ("{p}の業務提携先を募集", "{place}の{p}企業です。技術提携や合弁を組める海外のパートナーを探しています。"),
               "en": ("{P} company seeks a partner", "Our {p} company in {place} seeks a foreign partner for a technical tie-up or a joint venture.")},
    "capital": {"zh": ("{p}项目寻求投资", "{place}的{p}企业计划扩大产能，寻求投资者入股，融资金额五千万元。"),
                "ja": ("{p}事業への出資者を募集", "{place}で{p}を生産する企業です。設備増強のため出資者と資金を募集しています。"),
                "en": ("{P} producer seeks investors", "A {p} producer in {place} seeks investors and capital to expand its production.")},
    "recruit": {"zh": ("{p}企业招聘工程师", "{place}的{p}制造企业招聘机械工程师和维修技术人员，待遇优厚。"),
                "ja": ("{p}メーカーが技術者を募集", "{place}の{p}メーカーです。機械設計とメンテナンスの技術者を採用します。"),
                "en": ("{P} maker is hiring engineers", "A {p} manufacturer in {place} is hiring mechanical and service engineers.")},
}
OFFER = {
    "agent": {"zh": ("{place}贸易公司愿做{p}代理", "我们是{place}的贸易公司，有成熟的销售网络，希望代理销售{p}。"),
              "ja": ("{p}の販売代理店になります", "{place}の商社です。{p}を扱う販売網があり、海外メーカーの代理店を引き受けます。"),
              "en": ("Distributor for {p} in {place}", "Our trading company in {place} distributes {p} and wants to represent foreign makers as their agent.")},
    "purchase": {"zh": ("{p}生产厂家供货", "我厂专业生产{p}，产能充足，可长期稳定供货，欢迎采购商询价。"),
                 "ja": ("{p}を製造・供給します", "{p}の製造メーカーです。安定した品質で長期供給が可能です。お見積りはお気軽に。"),
                 "en": ("Manufacturer of {p} for supply", "We manufacture {p} with stable quality and can supply buyers on long-term contracts.")},
    "tie_up": {"zh": ("愿与{p}企业合作", "我公司在{p}领域有技术积累，愿意与外国企业技术合作或共同投资合资。"),
               "ja": ("{p}分野の提携に応じます", "{p}の技術を持つ企業です。海外企業との技術提携や合弁に応じます。"),
               "en": ("Open to {p} partnerships", "We have {p} technology and welcome technical tie-ups and joint ventures with foreign companies.")},
    "invest": {"zh": ("投资{p}企业", "我们是投资公司，关注{p}行业，愿意投资有发展潜力的企业。"),
               "ja": ("{p}企業に投資します", "投資会社です。{p}の分野で成長する企業への出資を検討しています。"),
               "en": ("Investing in {p} producers", "Our fund invests in growing {p} producers and takes minority stakes.")},
    "recruit": {"zh": ("资深工程师求职{p}行业", "本人有十年{p}设计和维修经验，寻找工程师职位。"),
                "ja": ("{p}の技術者として就職希望", "{p}の設計と保守で十年の経験があります。技術者の職を探しています。"),
                "en": ("Engineer seeks a job with a {p} maker", "I have ten years of experience designing and servicing {p} and am looking for an engineering job.")},
}
# A crawled page of the family: a maker on the needs' side (seeking agents, partners, capital,
# staff), or, for buyers, a maker of the product (a true partner).
PAGE = {"zh": ("{p}制造企业简介", "本公司主要生产{p}，产品出口多个国家。"),
        "ja": ("{p}メーカーの会社案内", "当社は{p}を製造し、海外にも輸出しています。"),
        "en": ("About our {p} factory", "We make {p} and export them to many countries.")}
PAGE_SERVICE = {"agent": ["agent"], "purchase": [], "tie_up": ["agent"], "capital": ["capital"], "recruit": ["recruit"]}


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    family: str
    lang: str
    title: str
    description: str
    kind: str  # need, offer or page
    service: str  # for pages: what the page announces ("" for none)
    category: int


def _fill(frame: tuple[str, str], product: str, place: str) -> tuple[str, str]:
    return tuple(part.format(p=product, P=product[:1].upper() + product[1:], place=place)  # type: ignore[return-value]
                 for part in frame)


def items() -> list[Item]:
    out: list[Item] = []
    for family, (service, category, words) in FAMILIES.items():
        for lang, (product, place) in words.items():
            title, text = _fill(NEED[service][lang], product, place)
            out.append(Item(f"{family}-need-{lang}", family, lang, title, text, "need", service, category))
            title, text = _fill(OFFER[ANSWER[service]][lang], product, place)
            out.append(Item(f"{family}-offer-{lang}", family, lang, title, text, "offer", ANSWER[service], category))
        # Two decoys of the same product for the wrong service, one page per language.
        wrong = WRONG[service]
        for lang in ("ja", "en") if service != "tie_up" else ("zh", "en"):
            product, place = words[lang]
            title, text = _fill(OFFER[wrong][lang] if wrong in OFFER else NEED[wrong][lang], product, place)
            out.append(Item(f"{family}-decoy-{lang}", family, lang, title, text,
                            "offer" if wrong in OFFER else "need", wrong, category))
        for lang, (product, place) in words.items():
            title, text = _fill(PAGE[lang], product, place)
            announced = PAGE_SERVICE[service]
            out.append(Item(f"{family}-page-{lang}", family, lang, title, text, "page",
                            announced[0] if announced else "", category))
    return out


def partners(need: Item, every: list[Item]) -> set[str]:
    """A need's true partners: its family's offers of the answering service, and for a buyer its
    family's maker pages."""
    found = {i.key for i in every if i.family == need.family and i.kind == "offer" and i.service == ANSWER[need.service]}
    if need.service == "purchase":
        found |= {i.key for i in every if i.family == need.family and i.kind == "page"}
    return found
