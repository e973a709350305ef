"""A short-lived cache of rendered pages for anonymous visitors.

The trending pages are the busiest and the same for everyone who is not
signed in; rendering one costs a few milliseconds, serving a copy almost
nothing. Copies live a few seconds, so upvote counts lag by that much for
anonymous visitors (signed-in people always get a fresh page).

:class:`CachedPagesMiddleware` answers a cached page before routing (the
routing and dependency machinery would cost more than the copy itself),
gzipped when the client accepts it.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ENTRIES = 256
# How long past its time a page may still be served while one request re-renders it.
STALE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class CachedPage:
    expires: float
    body: bytes
    gzipped: bytes


class PageCache:
    """Rendered pages by request target (path and query), for a few seconds."""

    def __init__(self, ttl_seconds: float, monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self.ttl = ttl_seconds
        self.monotonic = monotonic
        self._entries: OrderedDict[str, CachedPage] = OrderedDict()
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        """The page, or ``None`` when the caller should render it.

        An expired page is still served to everyone but the one caller that
        re-renders it, so that fifty visitors do not render it at once.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            now = self.monotonic()
            if entry.expires > now:
                return entry
            if now - entry.expires <= STALE_SECONDS and key in self._refreshing:
                return entry
            self._refreshing.add(key)
            return None

    def put(self, key: str, body: bytes) -> None:
        if self.ttl <= 0:
            return
        page = CachedPage(self.monotonic() + self.ttl, body, gzip.compress(body, 6))
        with self._lock:
            self._entries[key] = page
            self._refreshing.discard(key)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._refreshing.clear()


def cache_key(path: str, query: str) -> str:
    return f"{path}?{query}"


class CachedPagesMiddleware:
    """Serve a cached page to a visitor without a session cookie, before routing."""

    def __init__(self, app: ASGIApp, cache: PageCache, paths: frozenset[str],
                 headers: Mapping[str, str], session_cookie: str) -> None:
        self.app = app
        self.cache = cache
        self.paths = paths
        self.headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        self.session_cookie = session_cookie.encode() + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"] not in self.paths):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.session_cookie in headers.get("cookie", "").encode():
            await self.app(scope, receive, send)
            return
        page = self.cache.get(cache_key(scope["path"], scope["query_string"].decode("latin-1")))
        if page is None:
            await self.app(scope, receive, send)
            return
        zipped = "gzip" in headers.get("accept-encoding", "")
        body = page.gzipped if zipped else page.body
        response_headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"vary", b"Accept-Encoding"),
            *self.headers,
        ]
        if zipped:
            response_headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
