"""The FastAPI application: one factory that the server, the tests and the benchmarks call."""

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperwire import __version__
from paperwire.config import Settings
from paperwire.search.hybrid import open_search
from paperwire.store.db import open_database
from paperwire.web import api, feeds, pages, search
from paperwire.web.cache import ResponseCache
from paperwire.web.templating import make_templates

WEB_ROOT = Path(str(resources.files("paperwire.web")))


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = engine or open_database(settings.database_url)
    app = FastAPI(
        title=settings.site_name,
        version=__version__,
        description="Daily research papers. The `/api` routes follow the Hugging Face papers API.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = make_templates(settings)
    app.state.cache = ResponseCache(engine, check_interval=settings.cache_seconds)
    app.state.search = open_search(settings, engine)
    if not app.state.search.index.is_current(engine):
        app.state.search.index.sync(engine, wait=False)
    app.mount("/static", StaticFiles(directory=WEB_ROOT / "static"), name="static")
    app.include_router(search.router)  # before api: /api/papers/{id}/related vs the catch-all
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
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


async def _error_response(request: Request, status_code: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status_code)
    return pages.error_page(request, status_code, message)
