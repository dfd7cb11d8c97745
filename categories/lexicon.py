"""Multilingual lexicons behind the first classifier.

Each entry lists terms that, in trade listings and SME pages, mark a product category or a
retrieval service. Chinese terms are in Simplified script (text is converted before matching),
Japanese in the forms Japanese pages use, English in plain words (matched on stems, so "part"
also matches "parts"). Sources: the seed's Table 9 (home-page fields: agents, investment,
stocking requirement, employment), Table 11's category names, and the HS chapter headings
of the corresponding goods. A later issue measures the classifier and may replace this.
"""

from __future__ import annotations

CATEGORY_TERMS: dict[int, dict[str, tuple[str, ...]]] = {
    1: {
        "zh": ("纺织", "服装", "面料", "纱线", "针织", "棉布", "成衣", "服饰", "衬衫", "丝绸", "毛纺", "印染"),
        "ja": ("繊維", "紡績", "衣料", "アパレル", "縫製", "生地", "ニット", "衣類", "婦人服", "織物"),
        "en": ("textile", "garment", "apparel", "clothing", "fabric", "yarn", "knitwear", "spinning",
               "weaving", "cotton", "silk"),
    },
    2: {
        "zh": ("日用品", "日用", "轻工", "家居用品", "玩具", "文具", "化妆品", "洗涤", "厨具", "餐具", "箱包", "鞋"),
        "ja": ("日用品", "雑貨", "生活用品", "軽工業", "玩具", "文房具", "化粧品", "台所用品", "食器"),
        "en": ("household goods", "daily necessities", "light industry", "toy", "stationery", "cosmetic",
               "kitchenware", "tableware", "houseware", "consumer goods"),
    },
    3: {
        "zh": ("食品", "饮料", "酒", "茶叶", "粮油", "乳制品", "肉类", "水产", "调味", "农产品", "果汁", "啤酒"),
        "ja": ("食品", "飲料", "酒", "茶", "乳製品", "水産", "調味料", "農産物", "菓子", "清涼飲料"),
        "en": ("food", "beverage", "drink", "tea", "dairy", "seafood", "snack", "brewery", "juice", "beer",
               "agricultural produce"),
    },
    4: {
        "zh": ("加工", "来料加工", "来样加工", "委托加工", "外协", "代工", "贴牌", "铸造", "锻造", "冲压", "注塑", "机加工"),
        "ja": ("加工", "受託加工", "委託加工", "鋳造", "鍛造", "プレス加工", "射出成形", "切削加工", "試作"),
        "en": ("processing", "processed goods", "contract manufacturing", "subcontract", "casting", "forging",
               "stamping", "injection molding", "machining", "oem", "odm"),
    },
    5: {
        "zh": ("医药", "药品", "医疗", "医疗器械", "制药", "中药", "保健品", "诊断", "卫生材料"),
        "ja": ("医薬", "医薬品", "医療", "医療機器", "製薬", "漢方", "衛生材料", "診断"),
        "en": ("medical", "pharmaceutical", "medicine", "drug", "healthcare", "diagnostic", "hospital supplies",
               "surgical"),
    },
    6: {
        "zh": ("机械", "机床", "设备", "泵", "阀门", "轴承", "减速机", "压缩机", "液压", "数控", "工程机械", "农机"),
        "ja": ("機械", "工作機械", "設備", "ポンプ", "バルブ", "ベアリング", "油圧", "産業機械", "ロボット"),
        "en": ("machinery", "machine tool", "equipment", "pump", "valve", "bearing", "compressor", "hydraulic",
               "cnc", "gearbox", "industrial robot"),
    },
    7: {
        "zh": ("电子", "电器", "家电", "电机", "电缆", "电线", "变压器", "开关", "照明", "led", "半导体", "电路板"),
        "ja": ("電子", "電気", "家電", "電機", "ケーブル", "変圧器", "照明", "半導体", "電子部品", "基板"),
        "en": ("electronic", "electric", "electrical", "appliance", "motor", "cable", "transformer", "lighting",
               "semiconductor", "circuit board", "pcb", "led"),
    },
    8: {
        "zh": ("汽车", "零部件", "汽车零部件", "整车", "发动机", "变速箱", "轮胎", "车身", "刹车", "汽配", "底盘"),
        "ja": ("自動車", "自動車部品", "カー用品", "エンジン", "トランスミッション", "タイヤ", "ブレーキ", "車体"),
        "en": ("automobile", "automotive", "auto part", "car", "vehicle", "car engine", "engine part", "transmission", "tire", "tyre",
               "brake", "chassis"),
    },
    9: {
        "zh": ("金属", "钢材", "钢铁", "铝", "铜", "不锈钢", "五金", "紧固件", "钢管", "合金", "有色金属"),
        "ja": ("金属", "鉄鋼", "鋼材", "アルミ", "銅", "ステンレス", "金物", "ねじ", "合金", "非鉄金属"),
        "en": ("metal", "steel", "aluminium", "aluminum", "copper", "stainless", "hardware", "fastener", "alloy",
               "wire rod", "metalwork"),
    },
    10: {
        "zh": ("建材", "建筑材料", "水泥", "玻璃", "陶瓷", "瓷砖", "涂料", "防水材料", "保温材料", "石材", "木材"),
        "ja": ("建材", "建築材料", "セメント", "ガラス", "タイル", "塗料", "断熱材", "防水", "石材", "木材"),
        "en": ("building material", "construction material", "cement", "glass", "ceramic tile", "tile", "paint",
               "insulation", "timber", "plywood"),
    },
    11: {
        "zh": ("计算机", "电脑", "软件", "通信", "通讯", "网络设备", "服务器", "手机", "路由器", "光纤", "信息技术"),
        "ja": ("コンピュータ", "パソコン", "ソフトウェア", "通信", "通信機器", "ネットワーク", "サーバー", "携帯電話"),
        "en": ("computer", "software", "telecommunication", "communication equipment", "network", "server",
               "router", "mobile phone", "fiber optic", "it services"),
    },
}

SERVICE_TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "tie_up": {
        "zh": ("合作", "业务合作", "合资", "合作伙伴", "技术合作", "技术转让", "战略合作", "寻求合作", "联营"),
        "ja": ("提携", "業務提携", "技術提携", "合弁", "パートナー", "協業", "技術移転", "ビジネスマッチング"),
        "en": ("partner", "partnership", "joint venture", "tie-up", "tie up", "cooperation", "collaboration",
               "technology transfer", "alliance", "business matching"),
    },
    "agent": {
        "zh": ("代理", "代理商", "经销商", "总代理", "独家代理", "分销", "招商加盟", "代理权"),
        "ja": ("代理店", "販売代理", "代理", "販売店", "ディストリビューター", "総代理店"),
        "en": ("agent", "agency", "distributor", "dealer", "reseller", "representative", "distribution"),
    },
    "invest": {
        "zh": ("投资", "对外投资", "投资项目", "入股", "并购", "收购", "设厂", "投资机会"),
        "ja": ("投資", "出資", "進出", "買収", "現地法人", "投資案件"),
        "en": ("invest", "investment", "investor", "acquisition", "equity stake", "set up a factory",
               "investment opportunity"),
    },
    "capital": {
        "zh": ("融资", "引进资金", "招商引资", "资金", "引资", "贷款", "风险投资", "股权融资", "寻求投资"),
        "ja": ("資金調達", "資本", "融資", "増資", "出資者募集", "ベンチャーキャピタル"),
        "en": ("financing", "funding", "raise capital", "capital introduction", "venture capital", "loan",
               "seeking investment", "investor wanted"),
    },
    "purchase": {
        "zh": ("采购", "求购", "采购需求", "招标", "收购", "订购", "供应商"),
        "ja": ("調達", "購買", "購入", "仕入", "買い付け", "入札", "サプライヤー"),
        "en": ("purchase", "purchasing", "procurement", "buy", "buyer", "sourcing", "tender", "supplier wanted",
               "request for quotation"),
    },
    "recruit": {
        "zh": ("招聘", "诚聘", "招工", "招聘信息", "职位", "求职", "岗位", "人才"),
        "ja": ("求人", "採用", "社員募集", "スタッフ募集", "正社員", "中途採用", "新卒", "人材"),
        "en": ("recruit", "recruitment", "hiring", "job", "vacancy", "career", "employment", "we are hiring"),
    },
}
