"""Serving through the response cache: render once in a worker thread, then reuse."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paperwire.web.auth import current_viewer
from paperwire.web.cache import CachedResponse, ResponseCache, cache_key


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
    them alone and never stored. Anonymous repeats without cookies are answered earlier
    still, by ``CachedResponseMiddleware``, from the same entries.
    """
    if current_viewer(request) is not None:
        rendered = await run_in_threadpool(render)
        private = {"Cache-Control": "private, no-store", **dict(rendered.headers)}
        return Response(rendered.body, media_type=rendered.media_type, headers=private)
    cache: ResponseCache = request.app.state.cache
    key = cache_key(request.scope)
    entry = cache.get(key) or await _render_once(request, key, render)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", **dict(entry.headers)}
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(
        entry.body, status_code=entry.status_code, media_type=entry.media_type, headers=headers
    )


async def _render_once(
    request: Request, key: str, render: Callable[[], Rendered]
) -> CachedResponse:
    """Render a missing page once while concurrent requests for it wait for that result.

    Every vote drops the cache; without this, all the readers arriving in the next few
    milliseconds would render the same page at the same time.
    """
    pending: dict[str, asyncio.Future[CachedResponse]] = request.app.state.rendering
    waiting = pending.get(key)
    if waiting is not None:
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            if not waiting.cancelled():
                raise  # this request was cancelled, not the one rendering
    future: asyncio.Future[CachedResponse] = asyncio.get_running_loop().create_future()
    future.add_done_callback(_retrieve_exception)
    pending[key] = future
    try:
        rendered = await run_in_threadpool(render)
        cache: ResponseCache = request.app.state.cache
        entry = cache.put(key, rendered.body, rendered.media_type, headers=rendered.headers)
    except Exception as error:
        future.set_exception(error)
        raise
    else:
        future.set_result(entry)
        return entry
    finally:
        if not future.done():
            future.cancel()  # the renderer itself was cancelled: waiters render on their own
        if pending.get(key) is future:
            del pending[key]


def _retrieve_exception(future: asyncio.Future[CachedResponse]) -> None:
    """A failed render nobody else waited for is not an unretrieved-exception warning."""
    if not future.cancelled():
        future.exception()
