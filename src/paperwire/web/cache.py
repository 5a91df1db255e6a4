"""A cache of rendered anonymous responses that drops everything when the data changes.

Listing pages and API answers are the same for every anonymous reader until an ingest
(or a vote) changes the store. The store counts changes in ``data_version``; the cache
reads it at most once per ``check_interval`` seconds, so a change shows within that
interval in every worker process, with no message bus between them.

Handlers store what they render (``web.responses.cached``); ``CachedResponseMiddleware``
answers repeats before routing and parameter validation, which for a hot page costs
more than sending the stored bytes. Requests carrying cookies or credentials are never
answered from, nor stored in, the shared cache.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from paperwire.store.papers import data_version


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    status_code: int
    etag: str
    headers: tuple[tuple[str, str], ...] = ()

    def header_list(self) -> list[tuple[str, str]]:
        return [
            ("content-type", self.media_type),
            ("etag", self.etag),
            ("cache-control", "no-cache"),
            *self.headers,
        ]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def is_shared(scope: Scope) -> bool:
    """Only anonymous GET and HEAD requests may share cached answers."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    return not any(name in (b"cookie", b"authorization") for name, _ in scope["headers"])


def cache_key(scope: Scope) -> str:
    host = next((value for name, value in scope["headers"] if name == b"host"), b"")
    query: bytes = scope.get("query_string", b"")
    return f"{scope['scheme']}://{host.decode('latin-1')}{scope['path']}?{query.decode('latin-1')}"


class ResponseCache:
    def __init__(
        self,
        engine: Engine,
        *,
        check_interval: float = 1.0,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._check_interval = check_interval
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._check_interval > 0

    def get(self, key: str) -> CachedResponse | None:
        if not self.enabled:
            return None
        self._drop_if_stale()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(
        self,
        key: str,
        body: bytes,
        media_type: str,
        status_code: int = 200,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CachedResponse:
        entry = CachedResponse(body, media_type, status_code, etag_of(body), headers)
        if self.enabled and status_code == 200:
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _drop_if_stale(self) -> None:
        now = self._clock()
        if now - self._checked_at < self._check_interval:
            return
        with Session(self._engine) as session:
            version = data_version(session)
        with self._lock:
            self._checked_at = now
            if version != self._version:
                self._entries.clear()
                self._version = version


class CachedResponseMiddleware:
    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry = self.cache.get(cache_key(scope)) if is_shared(scope) else None
        if entry is None:
            await self.app(scope, receive, send)
            return
        if_none_match = next(
            (value for name, value in scope["headers"] if name == b"if-none-match"), None
        )
        not_modified = if_none_match is not None and if_none_match.decode() == entry.etag
        headers = [(name.encode(), value.encode()) for name, value in entry.header_list()]
        body = b"" if not_modified or scope["method"] == "HEAD" else entry.body
        if not not_modified:
            headers.append((b"content-length", str(len(entry.body)).encode()))
        status = 304 if not_modified else entry.status_code
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
