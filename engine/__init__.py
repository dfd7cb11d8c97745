"""The search engine's parts, built from the settings on first use: what a crawl process, an
analysis worker and the API share. Nothing here knows about the API, the scheduler or the CLI."""

from __future__ import annotations

from functools import cached_property

from analysis import Analyser
from categories import Classifier
from categories.thesaurus import Thesaurus
from config import Settings
from indexer.backends import Backend, open_backend
from indexer.pipeline import Indexer, IndexWriter, load_translation_hook
from indexer.service import Limits, SearchService
from translation.service import Translations, open_translations

DEFAULT_HOOK = Settings.model_fields["translation_hook"].default


class Engine:
    """Lazily opened analyser, backend, translations, indexer and search service for one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def analyser(self) -> Analyser:
        return Analyser(self.settings.lang_detector)

    @cached_property
    def backend(self) -> Backend:
        return open_backend(self.settings)

    @cached_property
    def writer(self) -> IndexWriter:
        """Writes without an analyser: what a crawl process needs when its workers analyse."""
        return IndexWriter(self.backend)

    @cached_property
    def translations(self) -> Translations:
        return open_translations(self.analyser, self.settings)

    @cached_property
    def classifier(self) -> Classifier:
        return Classifier(self.analyser)

    @cached_property
    def indexer(self) -> Indexer:
        hook = self.settings.translation_hook
        translate = (self.translations.translate_document if hook == DEFAULT_HOOK
                     else load_translation_hook(hook, self.analyser))
        indexer = Indexer(self.analyser, self.backend, self.classifier, translate=translate)
        indexer.translation_hook_spec = hook
        return indexer

    @cached_property
    def search(self) -> SearchService:
        s = self.settings
        return SearchService(self.analyser, self.backend,
                             Limits(s.max_query_length, s.max_page_size, s.max_result_window),
                             self.translations if s.translate else None, self.classifier,
                             Thesaurus.load() if s.translate else None)

    def close(self) -> None:
        if "backend" in self.__dict__:
            self.backend.close()


__all__ = ["Engine"]
