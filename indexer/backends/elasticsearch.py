"""The Elasticsearch backend: the same contract as the embedded engine, on a cluster.

Analysis stays ours (ARCHITECTURE.md): every text field holds our tokens, joined by spaces, in a
field with Elasticsearch's whitespace analyser, so a query matches exactly the tokens the
embedded engine would match. Documents live in a versioned index (`smesearch-docs-v1`) behind
an alias (`smesearch-docs`, `SMESEARCH_ES_INDEX`), which is what searches and writes name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis import ANALYSED_LANGS
from config import Settings
from indexer.backends.base import (
    EXACT_BOOST,
    BackendError,
    BackendHit,
    BackendQuery,
    BackendResult,
    IndexedDocument,
    IndexStats,
    SearchFilters,
    SiteCount,
    Suggestion,
    UpsertCounts,
    exact_fields,
    filter_terms,
    word_fields,
)
from indexer.document import Document, document_id
from indexer.pipeline import FIELD_SEPARATOR
from indexer.query.plan import (
    PREFERRED_BONUS,
    AllOf,
    AnyOf,
    Everything,
    NoneOf,
    PhraseMatch,
    Plan,
    SiteMatch,
    TermMatch,
)

SUGGEST_SEPARATOR = "\x1f"
BULK_ATTEMPTS = 5  # a busy cluster (429) gets 0.5 + 1 + 2 + 4 s to catch up
BULK_BACKOFF_S = 0.5
# Imports stay fast with rare refreshes; a crawl run's commit() refreshes when the run ends.
REFRESH_INTERVAL = "30s"
_KEYWORDS = ("id", "source", "site", "lang", "group", "category", "service", "suggest")

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        **{name: {"type": "keyword"} for name in _KEYWORDS},
        "date": {"type": "date"},
        "content_hash": {"type": "keyword", "index": False},
        # Phrases run on the exact streams only, so only they pay for positions.
        **{name: {"type": "text", "analyzer": "whitespace", "index_options": "freqs", "norms": True}
           for name in ("title", "body", "extra")},
        # A phrase runs over pairs of adjacent tokens indexed as single terms, as in the embedded engine.
        **{name: {"type": "text", "analyzer": "whitespace", "index_phrases": True}
           for name in ("title_exact", "body_exact")},
        "doc": {"type": "object", "enabled": False},  # the document as stored, returned by searches
    },
}


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "smesearch-docs", *, api_key: str | None = None,
                 basic_auth: tuple[str, str] | None = None, ca_certs: str | None = None,
                 shards: int = 1, replicas: int = 1, request_timeout: float = 30.0) -> None:
        try:
            from elasticsearch import Elasticsearch
        except ImportError:
            raise BackendError("the Elasticsearch backend needs the elasticsearch client: "
                               "pip install 'sme-market-search[es]'") from None
        self.url, self.alias = url, alias
        self._credentials = ("the API key" if api_key else f"the user {basic_auth[0]!r} and its password"
                             if basic_auth else "a request without credentials")
        self.shards, self.replicas = shards, replicas
        if ca_certs and not Path(ca_certs).is_file():
            raise BackendError(f"the CA file {ca_certs} (SMESEARCH_ES_CA_FILE) does not exist")
        tls: dict[str, Any] = {"ca_certs": ca_certs} if ca_certs else {}
        self.client = Elasticsearch(url, api_key=api_key, basic_auth=basic_auth, request_timeout=request_timeout,
                                    retry_on_timeout=True, max_retries=3, **tls)
        self._ensure_index()

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchBackend:
        auth = (settings.es_username, settings.es_password or "") if settings.es_username else None
        return cls(settings.es_url, settings.es_index, api_key=settings.es_api_key, basic_auth=auth,
                   ca_certs=settings.es_ca_file, shards=settings.es_shards, replicas=settings.es_replicas)

    @property
    def location(self) -> str:
        return f"the alias {self.alias} on {self.url}"

    @property
    def needs_reindex(self) -> bool:
        """Each versioned index is created whole from the template; no layout is ever left behind."""
        return False

    def all_documents(self) -> Iterator[Document]:
        """Every stored document, in no particular order."""
        from elasticsearch.helpers import scan

        stored = scan(self.client, index=self.alias, query={"query": {"match_all": {}}}, _source=["doc"], size=500)
        return (Document.from_stored(hit["_source"]["doc"]) for hit in stored)

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call, turning the client's errors into a BackendError a person can act on."""
        from elasticsearch import ApiError, AuthenticationException, AuthorizationException, SSLError, TransportError

        try:
            return fn(*args, **kwargs)
        except AuthenticationException:
            raise BackendError(f"Elasticsearch at {self.url} did not accept {self._credentials} while trying to "
                               f"{what} (401): check SMESEARCH_ES_API_KEY, or SMESEARCH_ES_USERNAME and "
                               "SMESEARCH_ES_PASSWORD") from None
        except AuthorizationException as exc:
            reason = exc.body.get("error", {}).get("reason", exc.message) if isinstance(exc.body, dict) else exc.message
            raise BackendError(f"Elasticsearch at {self.url} does not allow {self._credentials} to {what} (403): "
                               f"smesearch needs the cluster privilege manage_index_templates and all index "
                               f"privileges on {self.alias}*. The cluster said: {reason}") from None
        except SSLError as exc:
            raise BackendError(f"Elasticsearch at {self.url} answered with a certificate we could not verify "
                               f"({exc.message}): set SMESEARCH_ES_CA_FILE to the CA that signed it") from None
        except ApiError as exc:
            raise BackendError(f"Elasticsearch could not {what}: {exc.message} ({exc.meta.status})") from exc
        except TransportError as exc:
            raise BackendError(f"Elasticsearch at {self.url} is unreachable ({exc.message}) while trying to "
                               f"{what}; is the cluster up and SMESEARCH_ES_URL right?") from exc

    def _ensure_index(self) -> None:
        if self._call("check the index", self.client.indices.exists_alias, name=self.alias):
            return
        self._put_template()
        self._call("create the index", self.client.indices.create, index=f"{self.alias}-v1",
                   aliases={self.alias: {"is_write_index": True}})

    def _put_template(self) -> None:
        """Every versioned index behind our alias takes its mappings and settings from one index
        template, written whenever we are about to create an index, so that the next version gets
        this code's mappings. Its priority is above the built-in templates' (100-200)."""
        self._call("write the index template", self.client.indices.put_index_template, name=self.alias,
                   index_patterns=[f"{self.alias}-v*"], priority=500,
                   template={"mappings": MAPPINGS, "settings": {
                       "number_of_shards": self.shards, "number_of_replicas": self.replicas,
                       "refresh_interval": REFRESH_INTERVAL}},
                   meta={"description": "smesearch documents; see indexer/backends/elasticsearch.py"})

    def drop(self) -> None:
        """Delete every index behind the alias, and their template."""
        indices = self._call("list the indices", self.client.indices.get_alias, name=self.alias)
        for index in indices:
            self._call("delete an index", self.client.indices.delete, index=index)
        self._call("delete the index template", self.client.options(ignore_status=404).indices.delete_index_template,
                   name=self.alias)

    # -- writes --------------------------------------------------------------------------------

    def known_hashes(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        found = self._call("read content hashes", self.client.mget, index=self.alias, ids=ids,
                           source=["content_hash"])
        return {d["_id"]: d["_source"]["content_hash"] for d in found["docs"] if d.get("found")}

    def upsert(self, documents: list[IndexedDocument]) -> UpsertCounts:
        if not documents:
            return UpsertCounts()
        known = self.known_hashes([d.document.id for d in documents])
        added = updated = unchanged = 0
        operations: list[dict[str, Any]] = []
        for item in documents:
            doc = item.document
            previous = known.get(doc.id)
            if previous == doc.content_hash:
                unchanged += 1
                continue
            added, updated = (added + 1, updated) if previous is None else (added, updated + 1)
            operations += [{"index": {"_index": self.alias, "_id": doc.id}}, self._source(item)]
        if operations:
            self._bulk(operations, "index documents")
        return UpsertCounts(added, updated, unchanged)

    def _bulk(self, operations: list[dict[str, Any]], what: str) -> None:
        """Send index operations; items the cluster turns away as too busy (429) are sent again
        after a wait that doubles (back-pressure), any other refusal is an error naming why."""
        wait = BULK_BACKOFF_S
        for attempt in range(BULK_ATTEMPTS):
            result = self._call(what, self.client.bulk, operations=operations, refresh=False)
            if not result.get("errors"):
                return
            items = result["items"]
            failed = [n for n, item in enumerate(items) if "error" in item["index"]]
            refused = [items[n]["index"] for n in failed if items[n]["index"].get("status") != 429]
            if refused or attempt == BULK_ATTEMPTS - 1:
                error = (refused or [items[failed[0]]["index"]])[0]["error"]
                hint = ""
                if "parsing" in str(error.get("type")) or "mapper" in str(error.get("type")):
                    hint = (f" (a mapping conflict: the index behind {self.alias} was not made by smesearch or by "
                            "this version; point SMESEARCH_ES_INDEX elsewhere, or run smesearch reindex)")
                raise BackendError(f"Elasticsearch refused documents: {error.get('type')}: {error.get('reason')}"
                                   + hint)
            operations = [op for n in failed for op in operations[2 * n:2 * n + 2]]
            time.sleep(wait)
            wait *= 2

    def _source(self, item: IndexedDocument) -> dict[str, Any]:
        doc = item.document
        return {
            "id": doc.id, "source": doc.source, "site": doc.site, "lang": doc.lang, "group": doc.group,
            "category": [str(c) for c in doc.categories], "service": list(doc.services),
            "date": doc.published_at.astimezone(UTC).isoformat() if doc.published_at else None,
            "content_hash": doc.content_hash,
            "title": item.title, "body": item.body, "extra": item.extra,
            # Java counts U+001F as whitespace, so our field separator would vanish: use a visible one.
            "title_exact": item.title_exact, "body_exact": item.body_exact.replace(FIELD_SEPARATOR, "\u241f"),
            "suggest": [SUGGEST_SEPARATOR.join(s) for s in dict.fromkeys(item.suggestions)],
            "doc": doc.to_dict(),
        }

    def commit(self) -> None:
        """Make what was written searchable now, and note when (the stats' last commit)."""
        self._call("refresh the index", self.client.indices.refresh, index=self.alias)
        self._call("record the commit", self.client.indices.put_mapping, index=self.alias,
                   meta={"last_commit": datetime.now(UTC).isoformat()})

    def delete_url(self, url: str) -> bool:
        result = self._call("delete a document", self.client.options(ignore_status=404).delete, index=self.alias,
                            id=document_id(url), refresh=True)
        return bool(result.get("result") == "deleted")

    def delete_source(self, source: str) -> int:
        """Found by a scroll and deleted in bulk, rather than by delete-by-query, which lives in the
        reindex module that not every distribution carries (Elastic's integ-test one does not)."""
        from elasticsearch.helpers import scan

        ids = self._call("find a source's documents", lambda: [
            h["_id"] for h in scan(self.client, index=self.alias, query={"query": {"term": {"source": source}}},
                                   _source=False, size=1000)])
        for start in range(0, len(ids), 1000):
            operations = [{"delete": {"_index": self.alias, "_id": i}} for i in ids[start:start + 1000]]
            self._call("delete a source", self.client.bulk, operations=operations)
        self._call("refresh the index", self.client.indices.refresh, index=self.alias)
        return len(ids)

    def reindex(self, prepare: Callable[[Iterable[Document]], Iterable[IndexedDocument]], batch_size: int = 500,
                progress: Callable[[int], None] | None = None) -> tuple[str, int]:
        """Build the next versioned index from the stored documents (analysed again by `prepare`,
        so a new dictionary or analyser takes effect), then move the alias to it in one atomic
        step and drop the old index. Searches answer from the old index until the swap and from
        the new one after it. Returns the new index's name and its document count.

        Writes made while it runs go to the old index and are lost with it: run it between crawls.
        """
        old, new = self._versions()
        self._put_template()
        # Replicas and refreshes wait until the copy is complete: copying once is cheaper.
        self._call("create the new index", self.client.indices.create, index=new,
                   settings={"refresh_interval": "-1", "number_of_replicas": 0})
        count = 0
        operations: list[dict[str, Any]] = []

        def flush() -> None:
            if operations:
                self._bulk(operations, f"fill the new index {new}")
                operations.clear()

        for item in prepare(self.all_documents()):
            operations.extend([{"index": {"_index": new, "_id": item.document.id}}, self._source(item)])
            count += 1
            if len(operations) >= 2 * batch_size:
                flush()
                if progress is not None:
                    progress(count)
        flush()
        self._call("settle the new index", self.client.indices.put_settings, index=new,
                   settings={"refresh_interval": REFRESH_INTERVAL, "number_of_replicas": self.replicas})
        self._call("refresh the new index", self.client.indices.refresh, index=new)
        self._move_alias(old, new)
        self.commit()
        return new, count

    # -- snapshots ---------------------------------------------------------------------------

    def snapshot(self, repository: str, name: str) -> dict[str, Any]:
        """Snapshot the indices behind the alias into a registered repository (README: Backup),
        waiting until it is complete; what `restore_snapshot` needs to find it again."""
        indices = sorted(self._call("list the indices", self.client.indices.get_alias, name=self.alias))
        self._call(f"take a snapshot in the repository {repository!r}", self.client.snapshot.create,
                   repository=repository, snapshot=name, indices=",".join(indices), include_global_state=False,
                   wait_for_completion=True)
        return {"repository": repository, "snapshot": name, "indices": indices, "alias": self.alias}

    def restore_snapshot(self, repository: str, name: str) -> str:
        """Restore a snapshot's index as the next version behind the alias, then move the alias to
        it in one step (searches answer from the old index until then). Returns the new index."""
        taken = self._call(f"read the snapshot {name!r}", self.client.snapshot.get, repository=repository,
                           snapshot=name)
        index = taken["snapshots"][0]["indices"][0]
        old, new = self._versions()
        self._call(f"restore the snapshot {name!r}", self.client.snapshot.restore, repository=repository,
                   snapshot=name, indices=index, rename_pattern=".+", rename_replacement=new, include_aliases=False,
                   include_global_state=False, wait_for_completion=True)
        self._move_alias(old, new)
        return new

    def _versions(self) -> tuple[list[str], str]:
        """The indices behind the alias now, and the name of the next version."""
        old = sorted(self._call("list the indices", self.client.indices.get_alias, name=self.alias))
        versions = [int(m.group(1)) for i in old if (m := re.search(r"-v(\d+)$", i))]
        return old, f"{self.alias}-v{max(versions, default=0) + 1}"

    def _move_alias(self, old: list[str], new: str) -> None:
        """Point the alias at `new` in one atomic step, then drop the indices it left."""
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        self._call("move the alias", self.client.indices.update_aliases, actions=actions)
        for index in old:
            self._call("drop the old index", self.client.indices.delete, index=index)

    # -- reads ---------------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        found = self._call("read a document", self.client.options(ignore_status=404).get, index=self.alias,
                           id=doc_id, source=["doc"])
        return Document.from_stored(found["_source"]["doc"]) if found.get("found") else None

    def search(self, query: BackendQuery) -> BackendResult:
        body: dict[str, Any] = {
            "query": self._with_filters(self._compile(query.plan), query.filters),
            "from": query.offset, "size": query.limit, "track_total_hits": True, "_source": ["doc"],
        }
        if query.sort == "date":
            body["sort"] = [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        if query.facets:
            body["aggs"] = {name: {"terms": {"field": name, "size": 50 if name == "site" else 20}}
                            for name in query.facets}
        result = self._call("search", self.client.search, index=self.alias, **body)
        hits = [BackendHit(Document.from_stored(h["_source"]["doc"]),
                           float(h["_score"]) if query.sort == "relevance" and h.get("_score") is not None else None)
                for h in result["hits"]["hits"]]
        facets = {name: [(b["key"], int(b["doc_count"])) for b in result["aggregations"][name]["buckets"]]
                  for name in query.facets}
        return BackendResult(int(result["hits"]["total"]["value"]), hits, facets)

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        if not prefix:
            return []
        # Lucene RegExp: a backslash makes a symbol literal (but turns some letters into classes).
        pattern = "".join(c if c.isalnum() else "\\" + c for c in prefix) + ".*"
        result = self._call("suggest", self.client.search, index=self.alias, size=0,
                            query={"prefix": {"suggest": prefix}},
                            aggs={"s": {"terms": {"field": "suggest", "include": pattern, "size": limit * 3}}})
        candidates = []
        for bucket in result["aggregations"]["s"]["buckets"]:
            _, kind, text = bucket["key"].split(SUGGEST_SEPARATOR, 2)
            candidates.append((-int(bucket["doc_count"]), len(text), text, kind))
        out: list[Suggestion] = []
        seen: set[str] = set()
        for weight, _, text, kind in sorted(candidates):
            if text not in seen:
                seen.add(text)
                out.append(Suggestion(text, kind, -weight))  # type: ignore[arg-type]
            if len(out) == limit:
                break
        return out

    def term_sites(self, plan: Plan, limit: int = 10) -> list[SiteCount]:
        result = self._call("count sites", self.client.search, index=self.alias, size=0, query=self._compile(plan),
                            aggs={"site": {"terms": {"field": "site", "size": limit},
                                           "aggs": {"sample": {"top_hits": {"size": 1, "_source": ["doc"]}}}}})
        out = []
        for bucket in result["aggregations"]["site"]["buckets"]:
            top = bucket["sample"]["hits"]["hits"]
            sample = top[0]["_source"]["doc"] if top else {}
            out.append(SiteCount(bucket["key"], int(bucket["doc_count"]), sample.get("url", ""),
                                 sample.get("title", "")))
        return out

    def stats(self) -> IndexStats:
        aggs = {name: {"terms": {"field": name, "size": 1000}} for name in ("lang", "source", "group")}
        result = self._call("count documents", self.client.search, index=self.alias, size=0, track_total_hits=True,
                            aggs=aggs)
        counts = {name: {b["key"]: int(b["doc_count"]) for b in result["aggregations"][name]["buckets"]}
                  for name in ("lang", "source", "group")}
        sizes = self._call("measure the index", self.client.indices.stats, index=self.alias, metric="store")
        mapping = self._call("read the index metadata", self.client.indices.get_mapping, index=self.alias)
        meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        return IndexStats(
            backend=self.name, documents=int(result["hits"]["total"]["value"]),
            by_lang=counts["lang"], by_source=counts["source"], by_group=counts["group"],
            unanalysed_langs={k: v for k, v in counts["lang"].items() if k not in ANALYSED_LANGS},
            size_bytes=int(sizes["_all"]["total"]["store"]["size_in_bytes"]),
            location=f"{self.url} ({self.alias})",
            last_commit=datetime.fromisoformat(meta["last_commit"]) if meta.get("last_commit") else None,
        )

    def generation(self) -> str:
        return ""  # asking the cluster would cost a round trip per search

    def check(self) -> int:
        result = self._call("count documents", self.client.count, index=self.alias)
        return int(result["count"])

    def close(self) -> None:
        self.client.close()

    # -- query compilation (the embedded engine's, in Elasticsearch's query language) ---------

    def _compile(self, plan: Plan) -> dict[str, Any]:
        if isinstance(plan, TermMatch):
            fields, exact = word_fields(plan.scope), exact_fields(plan.scope)
            readings: list[dict[str, Any]] = []
            def in_sequence(tokens: tuple[str, ...], weight: float) -> dict[str, Any]:
                return {"bool": {"should": [_sequence(f, tokens, b) for f, b in exact], "boost": weight}}

            for variant in plan.variants:
                if variant.phrase:  # only as its exact sequence
                    readings.append(in_sequence(variant.exact, variant.weight))
                    continue
                per_word = [{"bool": {"should": [_term(f, w, b) for f, b in fields]}} for w in variant.words]
                readings.append({"bool": {"must": per_word, "boost": variant.weight}})
                if variant.exact:
                    readings.append(in_sequence(variant.exact, EXACT_BOOST * variant.weight))
            return {"bool": {"should": readings, "minimum_should_match": 1}}
        if isinstance(plan, PhraseMatch):
            exact = exact_fields(plan.scope)
            return {"bool": {"should": [_sequence(f, seq, b) for seq in plan.sequences for f, b in exact],
                             "minimum_should_match": 1}}
        if isinstance(plan, SiteMatch):
            return {"term": {"site": plan.host}}
        if isinstance(plan, Everything):
            return {"match_all": {}}
        if isinstance(plan, NoneOf):
            return {"bool": {"must": [{"match_all": {}}], "must_not": [self._compile(plan.child)]}}
        if isinstance(plan, AllOf):
            must = [self._compile(c) for c in plan.children if not isinstance(c, NoneOf)]
            must_not = [self._compile(c.child) for c in plan.children if isinstance(c, NoneOf)]
            return {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not}}
        if isinstance(plan, AnyOf):
            should = [self._compile(c) for c in plan.children]
            if plan.preferred > plan.minimum_should_match:
                most = {"bool": {"should": should, "minimum_should_match": plan.preferred}}
                should = [*should, {"constant_score": {"filter": most, "boost": PREFERRED_BONUS}}]
            return {"bool": {"should": should, "minimum_should_match": max(plan.minimum_should_match, 1)}}
        raise TypeError(f"unknown plan node {plan!r}")

    def _with_filters(self, query: dict[str, Any], filters: SearchFilters) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = []
        for field, values in filter_terms(filters):
            clauses.append({"terms": {field: values}})
        if filters.date_from or filters.date_to:
            bounds = {}
            if filters.date_from:
                bounds["gte"] = filters.date_from.isoformat()
            if filters.date_to:
                bounds["lte"] = filters.date_to.isoformat()
            clauses.append({"range": {"date": bounds}})
        return {"bool": {"must": [query], "filter": clauses}} if clauses else query


def _term(field: str, token: str, boost: float) -> dict[str, Any]:
    return {"term": {field: {"value": token, "boost": boost}}}


def _sequence(field: str, tokens: tuple[str, ...], boost: float) -> dict[str, Any]:
    if len(tokens) == 1:
        return _term(field, tokens[0], boost)
    return {"match_phrase": {field: {"query": " ".join(tokens), "boost": boost}}}
