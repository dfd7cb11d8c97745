"""Translation as users meet it: the dictionary translator out of the box (CC-CEDICT and JMdict),
neural translation once a language package is installed, one cache under both, and documents
that carry their titles and summaries in the other languages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis import Analyser
from config.settings import Settings
from indexer.document import Document, Translation
from tests.argos_fixture import build_package
from tests.helpers import run, write_jsonl
from translation.cache import TranslationCache
from translation.nmt import MAX_SENTENCE_CHARS, ArgosTranslator, PackageError, install_package, split_sentences
from translation.service import Translations, open_translations


@pytest.fixture(scope="module")
def translations(tmp_path_factory: pytest.TempPathFactory) -> Translations:
    """The dictionary as a fresh install has it (the lexicon compiled into the user's cache once)."""
    data = tmp_path_factory.mktemp("data")
    return open_translations(Analyser(), Settings(data_dir=data))


@pytest.mark.parametrize(("text", "source", "target", "expected"), [
    ("沈阳汽车零部件企业寻求日本合资伙伴", "zh", "en", ["shenyang", "auto parts", "joint venture", "partner"]),
    ("自動車部品の販売代理店を募集しています", "ja", "en", ["auto parts", "distributor", "recruitment"]),
    ("Auto parts supplier seeks joint venture partner", "en", "zh", ["合资", "伙伴"]),
    ("Auto parts supplier seeks joint venture partner", "en", "ja", ["部品", "パートナー"]),
    # Chinese and Japanese: shared words as they are written in the other script, others via English.
    ("中小企業の提携先募集", "ja", "zh", ["中小企业", "募集"]),
    ("寻求投资", "zh", "ja", ["出資者募集"]),  # the glossary's phrase for "seeking investment"
    ("投资", "zh", "ja", ["投資"]),
])
def test_the_dictionary_glosses_the_words_a_search_needs(
        translations: Translations, text: str, source: str, target: str, expected: list[str]) -> None:
    result = translations.translate(text, source, target)
    assert result is not None and result.engine == "dictionary"
    for word in expected:
        assert word in result.text, f"{word!r} not in {result.text!r}"


def test_a_query_word_gets_several_translations_best_first(translations: Translations) -> None:
    assert translations.alternatives("joint venture", "en", "zh")[0] == ("合资", 1.0, False)
    assert "投资" in [a.text for a in translations.alternatives("investment", "en", "zh")]
    assert translations.alternatives("合资", "zh", "en")[0].text == "joint venture"
    assert translations.alternatives("代理店", "ja", "en")[0].text == "agent"
    # A word the dictionary lacks whole is translated by its parts, and says so.
    (parts,) = translations.alternatives("汽车零部件企业", "zh", "en")
    assert parts.composed and "auto parts" in parts.text
    assert translations.alternatives("xqzv", "en", "zh") == []  # nothing known, nothing made up


def test_readings_are_weighted_by_the_dictionary_and_weak_ones_dropped(translations: Translations) -> None:
    """A gloss is as sure as its place in its headword's entry: 进口's first gloss is "import"
    (sure), 重视's "attach importance to" is not "importance" at all, so it is no reading of it."""
    imports = {a.text: a.confidence for a in translations.alternatives("import", "en", "zh")}
    assert imports["进口"] == 1.0
    importance = translations.alternatives("importance", "en", "zh")
    assert "重视" not in [a.text for a in importance] and all(a.confidence >= 0.5 for a in importance)
    sureness = [a.confidence for a in translations.alternatives("輸入", "ja", "en")]
    assert sureness == sorted(sureness, reverse=True) and sureness[0] == 1.0


@pytest.mark.parametrize(("word", "source", "target", "wanted", "not_wanted"), [
    ("汽车", "zh", "ja", "自動車", "汽車"),  # "car" in Chinese, "steam train" in Japanese
    ("手纸", "zh", "ja", "トイレットペーパー", "手紙"),  # toilet paper, not a letter
    ("手紙", "ja", "zh", "信", "手纸"),
    ("勉強", "ja", "zh", None, "勉强"),  # studying, not "reluctantly"
    ("募集", "ja", "zh", "募集", "征兵"),  # both dictionaries know it as raising or collecting: taken directly
    ("投資", "ja", "zh", "投资", None),
])
def test_chinese_and_japanese_words_written_alike_are_read_across_only_when_they_mean_the_same(
        translations: Translations, word: str, source: str, target: str, wanted: str | None,
        not_wanted: str | None) -> None:
    found = [a.text for a in translations.alternatives(word, source, target)]
    assert found and (wanted is None or wanted in found), found
    assert not_wanted not in found


def test_a_title_is_rendered_only_when_the_dictionary_knows_all_of_it(translations: Translations) -> None:
    dictionary = translations.dictionary
    assert dictionary.rendering("汽车零部件供应商", "zh", "en") == "auto parts supplier"
    assert dictionary.rendering("CNC机床出口", "zh", "en") is not None  # a code reads the same anywhere
    # A name the dictionary does not know (华晨, 金杯) would come out half glossed: no rendering.
    assert dictionary.rendering("沈阳华晨金杯汽车有限公司", "zh", "en") is None
    assert dictionary.rendering("日文机床施工单位求代理商为cnc机械于辽宁", "zh", "en") is None
    # Both are still translated for search, and marked: searched, not shown.
    named = Document(url="https://a.example.cn/n", title="沈阳华晨金杯汽车有限公司", body="汽车。", lang="zh")
    known = Document(url="https://a.example.cn/k", title="汽车零部件供应商", body="汽车。", lang="zh")
    for doc in (named, known):
        translations.translate_document(doc)
    assert "car" in named.translations["en"].title and not named.translations["en"].readable
    assert known.translations["en"].readable and known.translations["en"].machine
    # Snippets follow the same rule.
    assert translations.translate_text("汽车零部件供应商", "zh", "en") == "auto parts supplier"
    assert translations.translate_text("沈阳华晨金杯汽车有限公司", "zh", "en") is None


@pytest.mark.translated
def test_the_api_shows_a_translated_title_only_when_it_reads_well(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from operations.app import App
    from query_api.app import create_app

    pages = [{"url": "https://a.example.cn/known", "lang": "zh", "title": "汽车零部件供应商", "body": "汽车零部件。",
              "categories": [8], "services": ["agent"]},
             {"url": "https://a.example.cn/named", "lang": "zh", "title": "沈阳华晨金杯汽车有限公司",
              "body": "汽车零部件。", "categories": [8], "services": ["agent"]},
             {"url": "https://a.example.cn/given", "lang": "zh", "title": "汽车零部件合资", "title_en": "Auto parts JV",
              "body": "汽车零部件。"}]
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "p.jsonl", pages))).returncode == 0
    client = TestClient(create_app(App(Settings(data_dir=data))), base_url="http://localhost")
    results = client.get("/api/search", params={"q": "汽车零部件", "ui_lang": "en"}).json()["results"]
    by_url = {r["url"]: r for r in results}
    assert by_url["https://a.example.cn/known"]["title_translated"] == "auto parts supplier"
    assert by_url["https://a.example.cn/known"]["title_machine_translated"] is True
    # A half-glossed name is not shown; the original title is, with the names of its category
    # and services in the reader's language beside it.
    named = by_url["https://a.example.cn/named"]
    assert named["title_translated"] is None and named["title"]["text"] == "沈阳华晨金杯汽车有限公司"
    assert named["categories"] == [{"id": 8, "name": "Automobile and parts"}] and named["services"] == ["agent"]
    assert by_url["https://a.example.cn/given"]["title_translated"] == "Auto parts JV"
    assert by_url["https://a.example.cn/given"]["title_machine_translated"] is False
    stored = client.get("/api/documents/" + named["id"]).json()["translations"]["en"]
    assert stored["machine"] is True and stored["readable"] is False


def test_a_language_we_do_not_translate_is_left_as_written(translations: Translations) -> None:
    assert translations.translate("Ищем партнёра в Китае", "ru", "en") is None
    doc = Document(url="https://e.example.ru/p", title="Партнёр для поставок", body="Ищем партнёра.", lang="ru")
    translations.translate_document(doc)
    assert doc.translations == {}


def test_documents_get_chinese_and_english_and_japanese_sources_get_japanese(translations: Translations) -> None:
    chinese = Document(url="https://a.example.cn/1", title="汽车零部件企业寻求合资", body="生产刹车系统。", lang="zh")
    translations.translate_document(chinese)
    assert set(chinese.translations) == {"en"} and "joint venture" in chinese.translations["en"].title
    japanese = Document(url="https://b.example.jp/1", title="代理店募集", body="部品の販売です。", lang="ja")
    translations.translate_document(japanese)
    assert set(japanese.translations) == {"zh", "en"}
    english = Document(url="https://c.example.com/1", title="Agents wanted", body="Parts.", lang="en", group="japan")
    translations.translate_document(english)
    assert set(english.translations) == {"zh", "ja"}
    given = Document(url="https://d.example.cn/1", title="合资", body="合资。", lang="zh",
                     translations={"en": Translation("JV offer", "")})
    translations.translate_document(given)
    assert given.translations["en"].title == "JV offer"  # what the source provides is kept


def test_nothing_is_translated_twice(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "cache.sqlite")
    translations = open_translations(Analyser(), Settings(data_dir=tmp_path))
    translations.cache = cache
    first = translations.translate("合资伙伴", "zh", "en")
    assert len(cache) == 1
    calls: list[str] = []
    original = translations.dictionary.translate

    def counting(text: str, source: str, target: str) -> str:
        calls.append(text)
        return original(text, source, target)

    translations.dictionary.translate = counting  # type: ignore[method-assign]
    again = translations.translate("合资伙伴", "zh", "en")
    assert again == first and calls == [] and len(cache) == 1
    translations.translate("代理商", "zh", "en")
    assert calls == ["代理商"] and len(cache) == 2
    cache.close()
    reopened = TranslationCache(tmp_path / "cache.sqlite")  # it persists
    assert len(reopened) == 2


def test_long_texts_are_cut_into_sentences_the_model_can_take() -> None:
    text = "这是一个很长的句子" * 200 + "。第二句。"
    pieces = split_sentences(text)
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert "".join(pieces) == text


# -- neural translation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny packages built offline: en->zh, ja->en (for the pivot) and en->zh again, newer."""
    where = tmp_path_factory.mktemp("argos")
    return {"en_zh": build_package(where / "a", "en", "zh"), "ja_en": build_package(where / "b", "ja", "en"),
            "en_zh_2": build_package(where / "c", "en", "zh", version="2.0", seed=11)}


def test_an_installed_package_translates_its_pair_and_the_pivot_through_english(
        packages: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    installed = run(data, "translation", "install", str(packages["en_zh"]))
    assert installed.returncode == 0, installed.stderr
    assert "installed en -> zh (version 1.0)" in installed.stdout
    translated = run(data, "translate", "We seek a joint venture partner.", "--to", "zh", "--from", "en")
    assert translated.returncode == 0, translated.stderr
    assert "(en -> zh, nmt)" in translated.stderr and translated.stdout.strip()
    # Without ja->en, Japanese goes to Chinese by dictionary; with it, through English by NMT.
    assert "ja->zh   dictionary" in run(data, "translation", "list").stdout
    assert run(data, "translation", "install", str(packages["ja_en"])).returncode == 0
    listing = run(data, "translation", "list").stdout
    assert "ja->zh   nmt" in listing and "zh->en   dictionary" in listing
    assert "(ja -> zh, nmt)" in run(data, "translate", "代理店を募集します", "--to", "zh").stderr
    # `stats` says which engine translates each pair.
    stats = json.loads(run(data, "stats", "--json").stdout)
    assert stats["translation"]["en->zh"] == "nmt" and stats["translation"]["zh->en"] == "dictionary"


def test_a_translation_is_cached_so_the_model_runs_once(packages: dict[str, Path], tmp_path: Path) -> None:
    installed = install_package(packages["en_zh"], tmp_path / "packages")
    analyser = Analyser()
    translations = open_translations(analyser, Settings(data_dir=tmp_path))
    translations.nmt = ArgosTranslator(tmp_path / "packages")
    first = translations.translate("Bearings and valves for export.", "en", "zh")
    assert first is not None and first.engine == "nmt"
    shutil.rmtree(installed.path / "model")  # the model is gone, but the cache remembers
    again = translations.translate("Bearings and valves for export.", "en", "zh")
    assert again == first


def test_a_corrupt_package_is_refused_and_the_installed_one_kept(packages: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "translation", "install", str(packages["en_zh"])).returncode == 0
    before = run(data, "translate", "Machine tools.", "--to", "zh", "--from", "en").stdout

    not_a_zip = tmp_path / "broken.argosmodel"
    not_a_zip.write_bytes(b"this is not a zip file")
    refused = run(data, "translation", "install", str(not_a_zip))
    assert refused.returncode == 1 and "is not a readable .argosmodel archive" in refused.stderr
    assert "the installed packages are unchanged" in refused.stderr

    import zipfile

    damaged = tmp_path / "translate-en_zh-3.0.argosmodel"
    with zipfile.ZipFile(packages["en_zh_2"]) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, b"\x00garbage" * 10 if item.filename.endswith("model.bin") else body)
    refused = run(data, "translation", "install", str(damaged))
    assert refused.returncode == 1 and "the models do not load" in refused.stderr
    after = run(data, "translate", "Machine tools.", "--to", "zh", "--from", "en")
    assert "(en -> zh, nmt)" in after.stderr and after.stdout == before

    upgraded = run(data, "translation", "install", str(packages["en_zh_2"]))  # a good newer one replaces it
    assert upgraded.returncode == 0 and "version 2.0" in upgraded.stdout


def test_a_package_with_unsafe_paths_is_refused(tmp_path: Path) -> None:
    import zipfile

    evil = tmp_path / "evil.argosmodel"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../escape.txt", "x")
    with pytest.raises(PackageError, match="unsafe path"):
        install_package(evil, tmp_path / "packages")
    assert not (tmp_path / "escape.txt").exists()


# -- index time --------------------------------------------------------------------------------


@pytest.mark.translated
def test_imported_documents_are_found_by_words_of_the_other_languages(tmp_path: Path) -> None:
    data = tmp_path / "data"
    listings = write_jsonl(tmp_path / "l.jsonl", [
        {"url": "https://a.example.cn/jv", "title": "沈阳汽车零部件企业寻求日本合资伙伴", "body": "生产刹车系统。"},
        {"url": "https://b.example.jp/ag", "title": "自動車部品の販売代理店を募集", "body": "ブレーキ部品です。"},
        {"url": "https://e.example.ru/p", "title": "Партнёр для поставок", "body": "Ищем партнёра в Китае."}])
    imported = run(data, "import", str(listings))
    assert imported.returncode == 0, imported.stderr
    found = json.loads(run(data, "search", "joint venture", "--json").stdout)["results"]
    assert [r["url"] for r in found] == ["https://a.example.cn/jv"]  # an English query, a Chinese page
    found = json.loads(run(data, "search", "agent recruitment", "--json").stdout)["results"]
    assert [r["url"] for r in found] == ["https://b.example.jp/ag"]
    stats = json.loads(run(data, "stats", "--json").stdout)
    assert stats["untranslated_langs"] == {"ru": 1} and stats["translation"]["zh->en"] == "dictionary"
    assert "not translated (searched as written): ru: 1" in run(data, "stats").stdout


# -- query time --------------------------------------------------------------------------------

PRODUCT_PAGES = [
    {"url": "https://a.example.cn/auto", "title": "沈阳汽车零部件企业寻求合作", "body": "生产发动机配件。"},
    {"url": "https://b.example.jp/auto", "title": "自動車部品メーカーの紹介", "body": "エンジン部品を製造しています。"},
    {"url": "https://c.example.com/auto", "title": "Auto parts maker in Osaka", "body": "We make engine parts."},
    {"url": "https://d.example.com/tea", "title": "Green tea exporter", "body": "Tea from Shizuoka, since 1952."},
]


@pytest.mark.translated
def test_searches_are_cross_lingual_by_default_and_can_be_turned_off(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", PRODUCT_PAGES))).returncode == 0
    autos = {"https://a.example.cn/auto", "https://b.example.jp/auto", "https://c.example.com/auto"}
    for query in ("汽车零部件", "自動車部品", "auto parts"):
        found = json.loads(run(data, "search", query, "--json").stdout)["results"]
        assert {r["url"] for r in found} == autos, query
    # Without query translation, other languages are still found through the translated titles
    # they were indexed with, but the page in the query's language comes first.
    alone = json.loads(run(data, "search", "汽车零部件", "--json", "--no-translate").stdout)["results"]
    assert alone[0]["url"] == "https://a.example.cn/auto"
    assert "auto parts (en)" in run(data, "search", "汽车零部件").stdout.splitlines()[1]


@pytest.mark.translated
def test_the_api_shows_how_a_query_was_translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from operations.app import App
    from query_api.app import create_app

    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", PRODUCT_PAGES))).returncode == 0
    app = App(Settings(data_dir=data))
    client = TestClient(create_app(app), base_url="http://localhost")
    body = client.get("/api/search", params={"q": "自動車部品"}).json()
    assert {r["url"] for r in body["results"]} >= {"https://c.example.com/auto", "https://a.example.cn/auto"}
    readings = body["query"]["plan"]["readings"]
    assert {"lang": "en", "words": ["auto", "part"], "translated_from": "ja", "weight": 0.25, "as_phrase": True} in readings
    assert any(n.startswith("自動車部品 also searched as") and "auto parts (en)" in n for n in body["query"]["notes"])
    off = client.get("/api/search", params={"q": "自動車部品", "translate": "false"}).json()
    assert [r["url"] for r in off["results"]] == ["https://b.example.jp/auto"]
    # A reader can have each snippet in their language too; one already in it is not repeated.
    read = client.get("/api/search", params={"q": "自動車部品", "snippet_lang": "en"}).json()["results"]
    by_url = {r["url"]: r for r in read}
    assert "engine parts" in by_url["https://b.example.jp/auto"]["snippet_translated"]
    assert by_url["https://c.example.com/auto"]["snippet_translated"] is None
    assert client.get("/api/search", params={"q": "x", "snippet_lang": "ko"}).status_code == 422
    # A number or a single character is searched as it is.
    assert client.get("/api/search", params={"q": "1952"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "茶"}).status_code == 200


def test_a_package_can_come_from_the_argos_package_index(packages: dict[str, Path], tmp_path: Path) -> None:
    """The index is Argos Translate's format (a JSON list of packages with download links),
    served here on loopback in place of the public one."""
    from crawler.demo_network.server import Resource, SiteServer

    resources = {"/packages/en_zh-1.0.argosmodel": Resource(packages["en_zh"].read_bytes(), "application/zip"),
                 "/packages/en_zh-2.0.argosmodel": Resource(packages["en_zh_2"].read_bytes(), "application/zip")}
    with SiteServer(resources) as server:
        index = [{"type": "translate", "from_code": "en", "to_code": "zh", "package_version": version,
                  "argos_version": "1.9", "links": [f"{server.url}/packages/en_zh-{version}.argosmodel"]}
                 for version in ("1.0", "2.0")]
        index.append({"type": "translate", "from_code": "en", "to_code": "ja", "package_version": "1.0",
                      "links": ["file:///etc/passwd"]})
        resources["/index.json"] = Resource(json.dumps(index).encode(), "application/json")
        env = {"SMESEARCH_TRANSLATION_INDEX_URL": f"{server.url}/index.json"}
        installed = run(tmp_path / "data", "translation", "install", "--from-index", "en:zh", env=env)
        assert installed.returncode == 0, installed.stderr
        assert "installed en -> zh (version 2.0)" in installed.stdout  # the newest the index lists
        missing = run(tmp_path / "data", "translation", "install", "--from-index", "ko:zh", env=env)
        assert missing.returncode == 1 and "lists no ko->zh package (it has en->ja, en->zh)" in missing.stderr
        unsafe = run(tmp_path / "data", "translation", "install", "--from-index", "en:ja", env=env)
        assert unsafe.returncode == 1 and "not a web address" in unsafe.stderr
    gone = run(tmp_path / "data", "translation", "install", "--from-index", "en:zh", env=env)  # the server is down
    assert gone.returncode == 1 and "cannot be read" in gone.stderr and "Traceback" not in gone.stderr
    assert "en->zh   nmt" in run(tmp_path / "data", "translation", "list").stdout  # still installed


def test_the_lexicon_is_compiled_once_and_replaces_older_versions(tmp_path: Path) -> None:
    from translation.lexicon import LEXICON_VERSION, Lexicon

    (tmp_path / "lexicon-v0.sqlite").write_bytes(b"an older lexicon")
    lexicon = Lexicon(tmp_path / f"lexicon-v{LEXICON_VERSION}.sqlite")
    assert not (tmp_path / f"lexicon-v{LEXICON_VERSION}.sqlite").exists()  # nothing until first used
    assert lexicon.glosses("合资", "zh", "en")[0].text == "joint venture"
    assert sorted(p.name for p in tmp_path.glob("lexicon-*")) == [f"lexicon-v{LEXICON_VERSION}.sqlite"]


@pytest.mark.translated
def test_a_gloss_is_not_stemmed_into_an_unrelated_word(tmp_path: Path) -> None:
    """重视 glosses as "attach importance to", and Snowball stems importance to "import": every
    page that 重视s something answered a search for 輸入 (imports). Now only imports do."""
    from operations.app import App

    pages = [{"url": "https://a.example.cn/rd", "lang": "zh", "title": "公司重视研发",
              "body": "公司重视研发，与大学建立了长期合作关系。"},
             {"url": "https://a.example.cn/rice", "lang": "zh", "title": "大米企业寻求日本进口商",
              "body": "辽宁大米加工企业寻求日本进口商。"},
             {"url": "https://c.example.com/mugs", "lang": "en", "title": "Ceramic mugs",
              "body": "We look for importers and gift shops."}]
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "p.jsonl", pages))).returncode == 0
    app = App(Settings(data_dir=data))
    try:
        rd = next(d for d in app.backend.all_documents() if d.url.endswith("/rd"))
        assert "importance" in rd.translations["en"].summary  # the gloss is there, as written
        found = {hit.document.url for hit in app.search.search("輸入", size=10).hits}
        assert found == {"https://a.example.cn/rice", "https://c.example.com/mugs"}
    finally:
        app.close()
