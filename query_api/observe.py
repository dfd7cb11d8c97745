"""What operators see of the API's traffic: a request id on every response, one JSON log line per
request, and Prometheus metrics by route.

With several worker processes (`smesearch serve --workers N`), each process writes its samples
to PROMETHEUS_MULTIPROC_DIR and `/metrics` adds them up, so a scrape sees the whole server.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import os
import queue
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("smesearch.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


def configure_logging(level: str = "INFO", access: bool = True) -> None:
    """JSON lines on stderr from `level` up, one object per record, with the request id where there
    is one; with `access`, also a line per request (at INFO, so shown when `level` shows INFO).

    Records are formatted and written by a thread of their own: a request only queues its access
    line (formatting it and writing to stderr took the request's own thread otherwise). What is
    queued is written at exit."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = _BatchingListener(records, handler)
    writer.start()
    atexit.register(writer.stop)
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, logging.handlers.QueueHandler) and hasattr(old, "writer"):
            old.writer.stop()
    queued = _Queued(records)
    queued.writer = writer  # type: ignore[attr-defined]  # stopped when logging is configured again
    root.handlers[:] = [queued]
    root.setLevel(level)
    # A level, not `disabled`: uvicorn's dictConfig enables every existing logger again.
    access_log.setLevel(logging.NOTSET if access else logging.WARNING)


class _BatchingListener(logging.handlers.QueueListener):
    """Writes what has queued up every WRITE_EVERY_S at most, instead of waking for each record:
    under load a wake-up per access line took the GIL from the requests once each."""

    WRITE_EVERY_S = 0.05

    def __init__(self, records: queue.SimpleQueue[logging.LogRecord], handler: logging.Handler) -> None:
        super().__init__(records, handler)
        self.records = records

    def dequeue(self, block: bool) -> logging.LogRecord:
        try:
            return self.records.get_nowait()
        except queue.Empty:
            if not block:
                raise
        time.sleep(self.WRITE_EVERY_S)
        return self.records.get()


class _Queued(logging.handlers.QueueHandler):
    """Queues the record as it is: the writer is a thread of this process, so nothing needs
    pickling, and the JSON formatter still sees the exception as its own field."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class ApiMetrics:
    """The API's own counters, in a registry of their own (no process-wide default registry)."""

    def __init__(self, gauges: Callable[[], Iterable[Metric]] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("smesearch_http_requests", "HTTP requests answered", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("smesearch_http_request_duration_seconds", "Time to answer, by route", ["route"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.search_log_dropped = Counter("smesearch_search_log_dropped", "Search-log entries lost (a full disk, a "
                                          "damaged log file, or more searches than the log can write)",
                                          registry=self.registry)
        self._gauges = gauges

    def render(self) -> bytes:
        registry = self.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        if self._gauges is not None:
            scrape = CollectorRegistry()
            scrape.register(_Combined(registry, self._gauges))
            registry = scrape
        return generate_latest(registry)


class _Combined(Collector):
    def __init__(self, base: CollectorRegistry, gauges: Callable[[], Iterable[Metric]]) -> None:
        self._base, self._gauges = base, gauges

    def collect(self) -> Iterable[Metric]:
        yield from self._base.collect()
        yield from self._gauges()


def gauge(name: str, documentation: str, labels: list[str], samples: Iterable[tuple[list[str], float]]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for values, value in samples:
        family.add_metric(values, value)
    return family


class ObserveRequests:
    """Pure ASGI (no BaseHTTPMiddleware buffering): stamps a request id, times the request, counts
    it under its route template (/api/terms/{term}/sites, never the raw path) and logs one line."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            access_log.info("request", extra={"request_id": request_id, "method": scope["method"], "route": route,
                                              "path": scope["path"], "status": status,
                                              "duration_ms": round(elapsed * 1000, 2)})
