"""A cache of rendered anonymous responses that drops everything when the data changes.

Listing pages and API answers are the same for every anonymous reader until an ingest
(or, later, a vote) changes the store. The store counts changes in ``data_version``;
the cache reads it at most once per ``check_interval`` seconds, so a change shows
within that interval in every worker process, with no message bus between them.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from paperwire.store.papers import data_version


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    status_code: int
    etag: str
    headers: tuple[tuple[str, str], ...] = ()


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
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = CachedResponse(body, media_type, status_code, etag, headers)
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
