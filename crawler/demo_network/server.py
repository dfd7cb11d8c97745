"""A small static web server for the demo network and the crawler's tests: a table of resources
(path → body, type, status, headers), served on 127.0.0.1 with the validators real servers send
(ETag, Last-Modified, 304), plus the misbehaviour crawlers meet (slow answers, redirect loops,
compression bombs). Resources can be changed while it runs, which is how tests re-crawl a
changed site.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVED_SINCE = 1_700_000_000  # Last-Modified of every resource unless it says otherwise (2023-11-14)


@dataclass(slots=True)
class Resource:
    body: bytes | Callable[[], bytes] = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # for redirects
    delay: float = 0.0  # seconds to wait before answering
    etag: bool = True
    last_modified: float | None = SERVED_SINCE  # None sends no Last-Modified
    headers: dict[str, str] = field(default_factory=dict)


class SiteServer:
    """One site: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(self, resources: dict[str, Resource], port: int = 0, host: str = "127.0.0.1") -> None:
        self.resources = resources
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) of every request
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self.host = host
        self.httpd = (_Server6 if ":" in host else _Server)((host, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"site:{self.port}", daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://[{self.host}]:{self.port}" if ":" in self.host else f"http://{self.host}:{self.port}"

    def start(self) -> SiteServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((path, headers))

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Crawlers hang up mid-answer (size limits, a killed run): that is their right, not our error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "demo-network/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        self.site.record(self.path, {k.lower(): v for k, v in self.headers.items()})
        resource = self.site.resources.get(self.path)
        if resource is None:
            resource = Resource(b"<html><body><h1>404 Not Found</h1></body></html>", status=404, etag=False)
        if resource.delay:
            time.sleep(resource.delay)
        body = resource.body() if callable(resource.body) else resource.body
        headers = {"Content-Type": resource.content_type, **resource.headers}
        if resource.location:
            headers["Location"] = resource.location
        status = resource.status
        if status == 200:
            etag = f'"{hashlib.blake2b(body, digest_size=8).hexdigest()}"' if resource.etag else None
            if etag:
                headers["ETag"] = etag
            if resource.last_modified is not None:
                headers["Last-Modified"] = formatdate(resource.last_modified, usegmt=True)
            if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag,
                             resource.last_modified):
                status, body = 304, b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a crawler giving up on a large page
                self.wfile.write(body)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str | None,
                  last_modified: float | None) -> bool:
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return etag is not None and etag in [t.strip() for t in if_none_match.split(",")]
    if if_modified_since and last_modified is not None:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= int(last_modified)
        except (TypeError, ValueError):
            return False
    return False


class _Server6(_Server):
    address_family = socket.AF_INET6
