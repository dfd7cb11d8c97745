"""What the API returns, as pydantic models: the OpenAPI schema, its examples and the contract the
widget and integrations rely on. Every text that came from a crawled page is plain text."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from categories import category as category_info
from categories import service as service_info
from indexer.document import Document
from indexer.service import SearchResponse

# The interface languages (analysis.languages.INTERFACE_LANGUAGES) as a type for the API's schema;
# tests/test_languages.py keeps the two equal.
UiLang = Literal["zh", "en", "ja"]


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API returns."""

    type: str = "about:blank"
    title: str = Field(examples=["Bad query"])
    status: int = Field(examples=[400])
    detail: str = Field(examples=["a parenthesis opened here is never closed (at character 1)"])
    request_id: str | None = Field(None, description="quote it when reporting a problem")


Span = Annotated[list[int], Field(min_length=2, max_length=2)]


class CategoryOut(BaseModel):
    id: int
    name: str


class SnippetOut(BaseModel):
    text: str = Field(description="plain text, never HTML: render it as text")
    highlights: list[Span] = Field(description="[start, end) offsets in Unicode code points")


class ResultOut(BaseModel):
    id: str
    url: str
    title: SnippetOut
    title_translated: str | None = Field(
        None, description="the title in ui_lang, when the page is in another and a translation reads well; "
                          "otherwise show the original title with the category and service names")
    title_machine_translated: bool = Field(False, description="title_translated was made by a machine: say so")
    snippet: SnippetOut
    snippet_translated: str | None = Field(
        None, description="the snippet in snippet_lang, as plain text, a machine translation; none when it "
                          "would not read well")
    site: str
    source: str
    group: str
    lang: str
    company: str
    categories: list[CategoryOut]
    services: list[str]
    published_at: str | None
    score: float | None


class FacetOut(BaseModel):
    value: str
    count: int
    name: str | None = Field(None, description="the category's or service's name in ui_lang")


class SearchOut(BaseModel):
    total: int = Field(examples=[42])
    took_ms: float
    page: int
    size: int
    results: list[ResultOut]
    facets: dict[str, list[FacetOut]] = Field(description="the facets asked for (category, service, lang, group "
                                              "and site unless `facets` says otherwise), with counts")
    query: dict[str, object] = Field(description="how the query was read: its words, segmentation and translations")
    did_you_mean: str | None = Field(None, description="a close query that finds something, when this one does not")
    service_hint: str | None = Field(None, description="the one retrieval service the query's words ask for "
                                     "(代理商: agent), when no service filter is set: offer it as a filter")
    relaxed: bool = Field(False, description="no page held all the words of this plain query, so these are pages "
                          "holding most of them (query.dropped_words were left out); relax=false asks for all")
    notes: list[str] = Field(default_factory=list, description="what the reader should know about this search")


class SuggestionOut(BaseModel):
    text: str
    kind: str = Field(description="title, company or term")


class SuggestOut(BaseModel):
    q: str
    suggestions: list[SuggestionOut]


class SiteOut(BaseModel):
    site: str
    documents: int = Field(description="documents of the site containing the term")
    sample_url: str
    sample_title: str


class TermSitesOut(BaseModel):
    term: str
    sites: list[SiteOut]


class LabelOut(BaseModel):
    id: int | str
    names: dict[str, str] = Field(description="in zh, en and ja")
    documents: int = Field(description="documents in the index with this label now")


class TranslationOut(BaseModel):
    title: str
    summary: str
    machine: bool = Field(description="made by a machine translator, not given by the source")
    readable: bool = Field(description="covers the title as a whole; false for a partial dictionary gloss, "
                                       "which is searched but not shown as the title")


class DocumentOut(BaseModel):
    id: str
    url: str
    title: str
    summary: str
    body: str = Field(description="the extracted text, plain")
    site: str
    source: str
    group: str
    lang: str
    company: str
    contact: str
    categories: list[CategoryOut]
    services: list[str]
    published_at: str | None
    fetched_at: str | None
    translations: dict[str, TranslationOut]
    sections: dict[str, str] = Field(default_factory=dict, description="the Table 9 sections the page carries "
                                     "(outline, products, agents, ...: GET /documents/{id} names them), as plain text")


class SourceBase(BaseModel):
    """What the public catalog and the operator API both say about a source."""

    id: str
    names: dict[str, str]
    group: str
    kind: str
    start_urls: list[str]
    enabled: bool
    documents: int = Field(description="documents of this source in the index")


class SourceOut(SourceBase):
    schedule: str = Field(description="how often the catalog asks for it to be crawled")
    last_crawled_at: str | None = Field(None, description="end of the last successful crawl")
    last_run_status: str | None = None


class QueryCount(BaseModel):
    query: str = Field(description="lower-cased, whitespace collapsed")
    searches: int


class DayCount(BaseModel):
    day: str = Field(examples=["2026-12-03"])
    searches: int


class AnalyticsOut(BaseModel):
    days: int
    searches: int
    zero_hit_searches: int
    median_took_ms: float | None
    top_queries: list[QueryCount]
    zero_hit_queries: list[QueryCount]
    per_day: list[DayCount]


def category_list(ids: list[int], lang: str) -> list[CategoryOut]:
    return [CategoryOut(id=c, name=category_info(c).name(lang)) for c in ids]


def search_payload(response: SearchResponse, ui_lang: str) -> dict[str, Any]:
    """The search answer as plain JSON types, shaped as SearchOut: building the models and having
    FastAPI validate and serialise them again cost 0.7 ms a search (profiled at 100,000 documents), so the
    API serialises this with orjson; tests/test_api.py checks it against SearchOut."""
    results = []
    for hit in response.hits:
        d = hit.document
        translated = d.translations.get(ui_lang) if d.lang != ui_lang else None
        if translated is not None and not (translated.title and translated.readable):
            translated = None
        results.append({
            "id": d.id, "url": d.url,
            "title": {"text": hit.title.text, "highlights": [list(h) for h in hit.title.highlights]},
            "title_translated": translated.title if translated else None,
            "title_machine_translated": translated.machine if translated else False,
            "snippet": {"text": hit.snippet.text, "highlights": [list(h) for h in hit.snippet.highlights]},
            "snippet_translated": hit.translated_snippet,
            "site": d.site, "source": d.source, "group": d.group, "lang": d.lang, "company": d.company,
            "categories": [{"id": c, "name": category_info(c).name(ui_lang)} for c in d.categories],
            "services": list(d.services), "published_at": d.published_at.isoformat() if d.published_at else None,
            "score": hit.score,
        })
    facets = {name: [{"value": v, "count": c, "name": label_name(name, v, ui_lang)} for v, c in values]
              for name, values in response.facets.items()}
    return {"total": response.total, "took_ms": response.took_ms, "page": response.page, "size": response.size,
            "results": results, "facets": facets, "query": response.query.describe(),
            "did_you_mean": response.did_you_mean, "service_hint": response.service_hint,
            "relaxed": response.query.relaxed, "notes": list(response.notes)}


def search_output(response: SearchResponse, ui_lang: str) -> SearchOut:
    return SearchOut.model_validate(search_payload(response, ui_lang))


def label_name(facet: str, value: str, lang: str) -> str | None:
    try:
        if facet == "category":
            return category_info(int(value)).name(lang)
        if facet == "service":
            return service_info(value).name(lang)
    except (KeyError, ValueError):
        return None
    return None


def document_output(d: Document, lang: str) -> DocumentOut:
    return DocumentOut(
        id=d.id, url=d.url, title=d.title, summary=d.summary, body=d.body, site=d.site, source=d.source,
        group=d.group, lang=d.lang, company=d.company, contact=d.contact,
        categories=category_list(d.categories, lang), services=d.services,
        published_at=d.published_at.isoformat() if d.published_at else None,
        fetched_at=d.fetched_at.isoformat() if d.fetched_at else None,
        translations={k: TranslationOut(title=t.title, summary=t.summary, machine=t.machine,
                                                  readable=t.readable) for k, t in d.translations.items()},
        sections=dict(d.sections),
    )
