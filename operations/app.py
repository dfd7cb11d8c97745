"""The engine plus the operational stores, as the API, the CLI and the scheduler open them."""

from __future__ import annotations

from functools import cached_property

from engine import Engine
from matching import Alerts, Listings, Matcher
from operations.operators import OperatorKeys
from operations.searchlog import SearchLog
from scheduler.schedules import ScheduleBook
from scheduler.store import RunStore


class App(Engine):
    """Lazily opened engine parts, search log, operator keys, run store and schedule book."""

    @cached_property
    def search_log(self) -> SearchLog | None:
        return SearchLog(self.settings.paths.search_log) if self.settings.search_log else None

    @cached_property
    def operators(self) -> OperatorKeys:
        return OperatorKeys(self.settings.paths.operator_keys)

    @cached_property
    def listings(self) -> Listings:
        return Listings(self)

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.listings)

    @cached_property
    def alerts(self) -> Alerts:
        return Alerts(self.matcher, self.settings.alert_webhook_allow_private)

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
        super().close()
