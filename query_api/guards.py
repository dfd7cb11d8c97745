"""Limits that keep one client from spoiling the service for the others: request sizes and a rate
per client address, answered as problem details before any search work is done.

The rate limiter is the `limits` library's moving window, in memory, per worker process: with N
workers a client may reach up to N times the rate. Behind a reverse proxy, uvicorn's
--forwarded-allow-ips (SMESEARCH_FORWARDED_ALLOW_IPS) makes the client address the real one.
"""

from __future__ import annotations

import json
import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

# Probes and scrapes must keep working when a client floods the API.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def problem_body(status: int, title: str, detail: str, request_id: str | None = None) -> bytes:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if request_id:
        body["request_id"] = request_id
    return json.dumps(body, ensure_ascii=False).encode()


async def send_problem(send: Send, status: int, title: str, detail: str, scope: Scope,
                       headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = problem_body(status, title, detail, scope.get("state", {}).get("request_id"))
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    def __init__(self, app: ASGIApp, max_url_bytes: int, max_body_bytes: int, rate: str) -> None:
        """`rate` as the limits library writes it ("120/minute", "10/second;1000/day"); "" for none."""
        self.app = app
        self.max_url_bytes = max_url_bytes
        self.max_body_bytes = max_body_bytes
        self.rates: list[RateLimitItem] = [parse(part) for part in rate.split(";") if part.strip()]
        self.limiter = MovingWindowRateLimiter(MemoryStorage()) if self.rates else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > self.max_url_bytes:
            await send_problem(send, 414, "URI too long",
                               f"the address is longer than {self.max_url_bytes} bytes; shorten the query", scope)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body_bytes:
            await send_problem(send, 413, "Request too large",
                               f"request bodies are limited to {self.max_body_bytes} bytes", scope)
            return
        if self.limiter is not None and scope["path"] not in UNLIMITED_PATHS:
            client = scope["client"][0] if scope.get("client") else "unknown"
            for rate in self.rates:
                if not self.limiter.hit(rate, client):
                    reset = self.limiter.get_window_stats(rate, client).reset_time
                    wait = max(1, math.ceil(reset - time.time()))
                    await send_problem(send, 429, "Too many requests",
                                       f"this client may make {rate} requests; try again in {wait} s", scope,
                                       [(b"retry-after", str(wait).encode())])
                    return
        await self.app(scope, receive, send)
