"""Serving through the response cache: render once in a worker thread, then reuse."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paperwire.web.cache import (
    CachedResponse,
    ResponseCache,
    cache_key,
    etag_of,
    is_shared,
)


@dataclass
class Rendered:
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


def public_base_url(request: Request) -> str:
    """The configured public URL, or the one this request came in on."""
    configured: str | None = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def open_session(request: Request) -> Session:
    return Session(request.app.state.engine)


async def cached(request: Request, render: Callable[[], Rendered]) -> Response:
    """Render (blocking work, so in a thread) and keep the answer for anonymous readers.

    Repeats are answered by ``CachedResponseMiddleware`` before they reach the handler.
    """
    cache: ResponseCache = request.app.state.cache
    rendered = await run_in_threadpool(render)
    if is_shared(request.scope):
        entry = cache.put(
            cache_key(request.scope), rendered.body, rendered.media_type, headers=rendered.headers
        )
    else:
        entry = CachedResponse(rendered.body, rendered.media_type, 200, etag_of(rendered.body))
    headers = dict(entry.header_list())
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(entry.body, status_code=entry.status_code, headers=headers)
