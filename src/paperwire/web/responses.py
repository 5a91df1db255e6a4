"""Serving through the response cache: render once in a worker thread, then reuse."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paperwire.web.auth import current_viewer
from paperwire.web.cache import ResponseCache


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
    """Answer from the cache, or render (blocking work, so in a thread) and remember it.

    A signed-in viewer's page holds their own votes and form tokens: it is rendered for
    them alone and never stored.
    """
    if current_viewer(request) is not None:
        rendered = await run_in_threadpool(render)
        private = {"Cache-Control": "private, no-store", **dict(rendered.headers)}
        return Response(rendered.body, media_type=rendered.media_type, headers=private)
    cache: ResponseCache = request.app.state.cache
    key = f"{request.base_url}{request.url.path}?{request.url.query}"
    entry = cache.get(key)
    if entry is None:
        rendered = await run_in_threadpool(render)
        entry = cache.put(key, rendered.body, rendered.media_type, headers=rendered.headers)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", **dict(entry.headers)}
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(
        entry.body, status_code=entry.status_code, media_type=entry.media_type, headers=headers
    )
