"""Builds the parts a command needs from the settings; the only place that knows how they fit."""

from __future__ import annotations

from functools import cached_property

from indexer.analysis import Analyser
from indexer.backends import Backend, open_backend
from indexer.pipeline import Indexer, TranslationHook, load_translation_hook
from indexer.service import Limits, SearchService
from query_api.operators import OperatorKeys
from query_api.searchlog import SearchLog
from scheduler.schedules import ScheduleBook
from scheduler.store import RunStore
from smesearch.settings import Settings
from translation.service import Translations, open_translations

DEFAULT_HOOK = "smesearch.wiring:translation_hook"


def translation_hook(analyser: Analyser) -> TranslationHook:
    """The default translation hook, as worker processes build it: from SMESEARCH_* settings."""
    s = Settings()
    return open_translations(analyser, s.cache_dir, s.data_dir, s.nmt_threads).translate_document


class App:
    """Lazily opened analyser, backend, indexer and search service for one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def analyser(self) -> Analyser:
        return Analyser(self.settings.lang_detector)

    @cached_property
    def backend(self) -> Backend:
        s = self.settings
        auth = (s.es_username, s.es_password or "") if s.es_username else None
        return open_backend(s.backend, s.data_dir, es_url=s.es_url, es_index=s.es_index, es_api_key=s.es_api_key,
                            es_basic_auth=auth, es_ca_file=s.es_ca_file, es_shards=s.es_shards,
                            es_replicas=s.es_replicas)

    @cached_property
    def translations(self) -> Translations:
        s = self.settings
        return open_translations(self.analyser, s.cache_dir, s.data_dir, s.nmt_threads)

    @cached_property
    def indexer(self) -> Indexer:
        hook = self.settings.translation_hook
        translate = (self.translations.translate_document if hook == DEFAULT_HOOK
                     else load_translation_hook(hook, self.analyser))
        indexer = Indexer(self.analyser, self.backend, translate=translate)
        indexer.translation_hook_spec = hook
        return indexer

    @cached_property
    def search(self) -> SearchService:
        s = self.settings
        return SearchService(self.analyser, self.backend,
                             Limits(s.max_query_length, s.max_page_size, s.max_result_window),
                             self.translations if s.translate else None)

    @cached_property
    def search_log(self) -> SearchLog | None:
        return SearchLog(self.settings.data_dir / "search_log.sqlite") if self.settings.search_log else None

    @cached_property
    def operators(self) -> OperatorKeys:
        return OperatorKeys(self.settings.data_dir / "operators.sqlite")

    @cached_property
    def run_store(self) -> RunStore:
        return RunStore(self.settings.scheduler_database_url)

    @cached_property
    def schedule_book(self) -> ScheduleBook:
        return ScheduleBook(self.settings.scheduler_database_url, self.settings.misfire_grace_s)

    def close(self) -> None:
        if "schedule_book" in self.__dict__:
            self.schedule_book.close()
        if "run_store" in self.__dict__:
            self.run_store.close()
        if self.__dict__.get("search_log") is not None:
            self.search_log.close()  # type: ignore[union-attr]
        if "backend" in self.__dict__:
            self.backend.close()
