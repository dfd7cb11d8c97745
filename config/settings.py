"""One settings object for every command and service; each field reads `SMESEARCH_<NAME>`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.datadir import DataDir

ENV_PREFIX = "SMESEARCH_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Path("./data")
    catalog: Path | None = None  # the source catalog; the bundled one when unset
    # The only directory whose files `jsonl` sources added through the operator API may read.
    import_dir: Path | None = None  # DATA_DIR/imports when unset
    backend: str = "embedded"  # or "elasticsearch"
    # The embedded index's one-pass search (native/, built by `make setup`); false runs every
    # search through the tantivy binding instead, which counts facets in a second pass.
    native_search: bool = True
    es_url: str = "http://127.0.0.1:9200"
    es_index: str = "smesearch-docs"  # the alias; several deployments or test runs can share a cluster
    es_api_key: str | None = None
    es_username: str | None = None
    es_password: str | None = None
    es_ca_file: str | None = None  # CA certificate for a cluster on https
    es_shards: int = 1  # primary shards of each new index (README: sizing)
    es_replicas: int = 1  # copies of each shard; 0 on a single node
    es_snapshot_repository: str = ""  # a snapshot repository registered on the cluster: `smesearch backup` uses it
    # lingua is the default because it measured ~30x faster than langdetect on our samples with no
    # errors; langdetect stays selectable (see docs/BENCHMARKS.md).
    lang_detector: Literal["lingua", "langdetect"] = "lingua"
    max_query_length: int = 1200  # characters: a pasted paragraph is searched as a key sentence
    max_page_size: int = 100
    max_result_window: int = 1000
    # `module:factory`: the factory is called with the analyser and returns a callable that adds
    # translations to a document before analysis; empty for none. The default glosses titles and
    # summaries into zh and en (and ja for Japanese sources), by NMT where a package is installed.
    translation_hook: str = "translation.service:translation_hook"
    translate: bool = True  # queries find pages in the other languages too (API translate=false, --no-translate)
    cache_dir: Path = Field(default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                            / "smesearch")  # the compiled dictionaries; rebuilt when missing
    nmt_threads: int = 1  # CPU threads per neural translation
    translation_index_url: str = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
    host: str = "127.0.0.1"
    port: int = 8000
    # The API's guards. CORS origins are the portals allowed to call the API from their pages
    # (["*"] for any); the rate is per client address, as the limits library writes it, counted in
    # the data directory for all workers, or in the `limits` storage given (redis://host:6379).
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit: str = "120/minute"
    rate_limit_storage: str = ""
    posting_rate_limit: str = "60/day"  # per client address: listings, interest and alerts posted without a key
    max_url_bytes: int = 12288  # a 1,200-character Chinese query is about 11 KB percent-encoded
    max_body_bytes: int = 1_048_576
    # Host names the API answers for ("*" for any): others get 400, so a forged Host header never
    # becomes an absolute link. The public base URL, when set, is the one absolute links use.
    allowed_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1", "::1"])
    public_base_url: str = ""
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For names the client (uvicorn)
    # The scheduler: its job store and run records (SQLite in the data directory unless a SQLAlchemy
    # URL such as postgresql+psycopg://user@host/db is given), and how runs are limited and watched.
    scheduler_db: str = ""
    scheduler_workers: int = 2  # runs at once per scheduler process
    misfire_grace_s: int = 300  # a firing missed by less than this (scheduler down) still runs, once
    run_time_limit_s: int = 3600  # a run still going after this is killed and failed
    scheduler_lease_s: float = 30.0  # a source lock not renewed for this long is taken over
    alert_failures: int = 3  # consecutive failed runs that raise an alert
    # Mail to listing owners (interest relayed to them): smtp://user:password@host:587 (STARTTLS),
    # smtps://... (TLS from the start) or smtp://host:25 (plain, for a local relay); empty keeps
    # every message in the outbox until one is set.
    smtp_url: str = ""
    mail_from: str = "smesearch@localhost"
    alert_webhook_url: str = ""  # alerts are POSTed here as JSON
    alert_webhook_allow_private: bool = False
    # Identical searches within this many seconds are answered from a per-worker cache, so a page
    # can be up to that stale after a crawl commits; 0 turns the cache off.
    search_cache_s: float = 10.0
    search_cache_entries: int = 10_000
    search_log: bool = True  # queries, filters, hit counts and latency for analytics; nothing about who asked
    access_log: bool = True  # one JSON line per request on stderr (the demo leaves it off unless set)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"  # of the JSON lines on stderr
    demo_network_port: int = 8101  # the demo network's five sites listen here and on the next four ports
    # Documents per index commit on import: a crash loses at most two batches (re-importing skips
    # the rest). 2,000 made 50 segments of 100,000 documents, and merging them was a quarter of
    # the importing process's CPU; 5,000 imports 15-20% faster for 40 MB more (bench.import_docs).
    import_batch_size: int = 5000
    # Analysis processes for imports longer than one batch; 0 analyses in the importing process.
    index_workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    # Crawling. Politeness defaults apply to every source; a catalog entry's `politeness` overrides them.
    crawler_contact_url: str = ""  # put in the User-Agent so that webmasters can reach the operator
    crawl_delay: float = 1.0  # seconds between requests to one host (robots.txt Crawl-delay wins if longer)
    crawl_concurrency: int = 2  # requests at once to one host
    crawl_timeout: float = 30.0
    crawl_max_page_bytes: int = 8 * 1024 * 1024  # larger pages (and decompressed bodies) are abandoned
    crawl_retries: int = 2
    crawl_retry_backoff: float = 1.0  # seconds before the first retry; doubles for each next one
    crawl_batch_size: int = 250  # documents per index write during a crawl
    progress_interval_s: float = 10.0  # between a crawl's progress lines when its output is not a terminal
    # Analysis processes beside the crawl process; 0 analyses inside it (slower, but no start-up cost).
    crawl_workers: int = Field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def paths(self) -> DataDir:
        """The data directory's layout: where each store, index and log lives."""
        return DataDir(self.data_dir, self.import_dir)

    @property
    def file_sources_dir(self) -> Path:
        return self.paths.imports

    def child_environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a process that must see these settings (a crawl, an analysis or API
        worker): `base` (this process's environment by default) without its SMESEARCH_* variables,
        plus every setting, paths made absolute because the child may start elsewhere."""
        env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith(ENV_PREFIX)}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, Path):
                text = str(value.resolve())
            elif isinstance(value, list | dict | bool):
                text = json.dumps(value)
            else:
                text = str(value)
            env[f"{ENV_PREFIX}{name.upper()}"] = text
        return env

    @property
    def api_hosts(self) -> list[str]:
        """The allowed hosts, with the public base URL's host and the address the API listens on."""
        extra = [urlsplit(self.public_base_url).hostname or ""] if self.public_base_url else []
        if self.host not in ("0.0.0.0", "::", ""):
            extra.append(self.host)
        return list(dict.fromkeys([*self.allowed_hosts, *extra]))

    @property
    def scheduler_database_url(self) -> str:
        return self.scheduler_db or f"sqlite:///{self.paths.scheduler_database.resolve()}"
