"""Limits that keep one client from spoiling the service for the others: request sizes and a rate
per client address, answered as problem details before any search work is done.

The body limit counts bytes as they arrive, so a chunked upload without a length is cut off at
the limit too. The rate limiter is the `limits` library's, on counters that all workers share
(ratelimit.py). Behind a reverse proxy, uvicorn's --forwarded-allow-ips
(SMESEARCH_FORWARDED_ALLOW_IPS) makes the client address the real one.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("smesearch.api")

# Probes and scrapes must keep working when a client floods the API.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# What anyone may post without a key (listings, interest relayed by mail, alerts, and the portal's
# forms for them) is also counted per client on a slower clock than reading.
POSTING = re.compile(r"^(/api/listings|/api/alerts|/listings/new|(/api)?/listings/[0-9a-f]{16}/(interest|alert))$")


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


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes `limit` bytes (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, when the client goes away
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replay


class RequestLimits:
    def __init__(self, app: ASGIApp, max_url_bytes: int, max_body_bytes: int, rate: str,
                 limiter: Callable[[], RateLimiter], posting_rate: str = "") -> None:
        """`rate` as the limits library writes it ("120/minute", "10/second;1000/day"); "" for none.
        `posting_rate` counts the public posts (`POSTING`) as well."""
        self.app = app
        self.max_url_bytes = max_url_bytes
        self.max_body_bytes = max_body_bytes
        self.rates: list[RateLimitItem] = [parse(part) for part in rate.split(";") if part.strip()]
        self.posting_rates: list[RateLimitItem] = [parse(part) for part in posting_rate.split(";") if part.strip()]
        self.limiter: RateLimiter | None = None
        if self.rates or self.posting_rates:
            try:
                self.limiter = limiter()
            except Exception:  # the shared counters cannot be opened (a full disk): each worker counts alone
                log.warning("rate-limit storage unavailable; counting per worker in memory", exc_info=True)
                self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > self.max_url_bytes:
            await send_problem(send, 414, "URI too long",
                               f"the address is longer than {self.max_url_bytes} bytes; shorten the query", scope)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        too_large = f"request bodies are limited to {self.max_body_bytes} bytes"
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await send_problem(send, 413, "Request too large", too_large, scope)
            return
        if self.limiter is not None and scope["path"] not in UNLIMITED_PATHS:
            client = scope["client"][0] if scope.get("client") else "unknown"
            posting = scope.get("method") == "POST" and POSTING.match(scope["path"]) is not None
            counted = [(rate, client) for rate in self.rates]
            counted += [(rate, f"posting:{client}") for rate in self.posting_rates if posting]
            for rate, key in counted:
                try:
                    allowed = self.limiter.hit(rate, key)
                except Exception:  # the counters' storage failing (a full disk) must not stop the API
                    log.warning("rate-limit storage failed; request let through", exc_info=True)
                    break
                if not allowed:
                    reset = self.limiter.get_window_stats(rate, key).reset_time
                    wait = max(1, math.ceil(reset - time.time()))
                    await send_problem(send, 429, "Too many requests",
                                       f"this client may make {rate} requests; try again in {wait} s", scope,
                                       [(b"retry-after", str(wait).encode())])
                    return
        if length is None:
            # A chunked body announces no size: read it here, counting bytes as they arrive, and
            # stop at the limit; the app then reads the buffered body (at most the limit).
            body = await _read_at_most(receive, self.max_body_bytes)
            if body is None:
                await send_problem(send, 413, "Request too large", too_large, scope,
                                   [(b"connection", b"close")])
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)


class HostCheck:
    """Refuses requests whose Host header names a host the operator did not list, so that a forged
    Host never reaches an absolute link (the embed snippet) or a redirect's Location."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts}
        self.any = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self.any:
            host = host_name(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                await send_problem(send, 400, "Unknown host",
                                   f"this server answers for {', '.join(sorted(self.allowed))}; "
                                   "an operator adds names with SMESEARCH_ALLOWED_HOSTS", scope)
                return
        await self.app(scope, receive, send)


def host_name(header: str) -> str:
    """The host of a Host header, without its port: `[::1]:8000` → `::1`, `Example.cn:80` → `example.cn`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
