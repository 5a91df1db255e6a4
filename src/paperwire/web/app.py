"""The FastAPI application: one factory that the server, the tests and the benchmarks call."""

from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperwire import __version__
from paperwire.accounts.keys import signing_key
from paperwire.config import Settings
from paperwire.search.hybrid import open_search
from paperwire.store.db import open_database
from paperwire.web import (
    accounts,
    api,
    community,
    community_api,
    feeds,
    pages,
    search,
    subscriptions,
)
from paperwire.web.auth import NotAllowed, SignInRequired, ViewerMiddleware, signin_href
from paperwire.web.cache import CachedResponseMiddleware, ResponseCache
from paperwire.web.security import CsrfMiddleware, SecurityHeadersMiddleware
from paperwire.web.templating import make_templates

WEB_ROOT = Path(str(resources.files("paperwire.web")))


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = engine or open_database(settings.database_url)
    app = FastAPI(
        title=settings.site_name,
        version=__version__,
        description="Daily research papers. The `/api` routes follow the Hugging Face papers API.",
        docs_url=None,  # served from vendored files by web.api.docs, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = make_templates(settings)
    app.state.cache = ResponseCache(engine, check_interval=settings.cache_seconds)
    app.state.signing_key = signing_key(engine, settings)
    app.state.rendering = {}  # cache keys being rendered now (see responses.cached)
    app.state.search = open_search(settings, engine)
    if not app.state.search.index.is_current(engine):
        app.state.search.index.sync(engine, wait=False)
    app.mount("/static", StaticFiles(directory=WEB_ROOT / "static"), name="static")
    # Routes are matched in order, one by one: the busiest read routes go first, and the
    # /api/papers/{id}/... routes before api's /api/papers/{id} catch-all.
    app.include_router(community_api.paper_reads)
    app.include_router(search.router)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(accounts.router)
    app.include_router(community_api.router)
    app.include_router(community.router)
    app.include_router(subscriptions.router)
    app.include_router(pages.router)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(NotAllowed, _not_allowed)
    # The last added runs first: security headers on every answer (cached ones too), then
    # cached answers for anonymous repeats, then who asks, then the CSRF check.
    app.add_middleware(CsrfMiddleware)
    app.add_middleware(ViewerMiddleware)
    app.add_middleware(CachedResponseMiddleware, cache=app.state.cache)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith(".md")


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'][1:])}: {error['msg']}"
        for error in exc.errors()
    )
    return await _error_response(request, 400, problems or "bad request")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return await _error_response(request, exc.status_code, str(exc.detail))


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": str(exc)}, status_code=401)
    target = request.url.path if request.method == "GET" else request.headers.get("referer", "/")
    return RedirectResponse(signin_href(_local_path(target)), status_code=303)


def _local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return await _error_response(request, 403, str(exc))


async def _error_response(request: Request, status_code: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status_code)
    return pages.error_page(request, status_code, message)
