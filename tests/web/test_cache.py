"""The response cache: reuse while the store is unchanged, drop everything once it changes."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
from sqlalchemy import Engine, update
from starlette.requests import Request

from paperwire.config import Settings
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import make_record
from paperwire.store.ingest import bump_data_version
from paperwire.store.schema import Paper
from paperwire.web.app import create_app
from paperwire.web.cache import ResponseCache
from paperwire.web.responses import Rendered, cached
from support.server import running_server


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_live_until_the_data_version_moves(engine: Engine) -> None:
    clock = FakeClock()
    cache = ResponseCache(engine, check_interval=1.0, clock=clock)
    assert cache.get("/a") is None
    stored = cache.put("/a", b"page", "text/html")
    assert cache.get("/a") == stored
    paper = make_record(
        raw_id="2607.00001", title="New", abstract="", authors=[], categories=[], source="t"
    )
    run_ingest(engine, [paper])
    assert cache.get("/a") == stored, "the version is read at most once per interval"
    clock.now += 1.5
    assert cache.get("/a") is None


def test_only_successful_answers_are_kept_and_size_is_bounded(engine: Engine) -> None:
    cache = ResponseCache(engine, check_interval=60, max_entries=2)
    cache.put("/missing", b"no", "text/html", status_code=404)
    assert cache.get("/missing") is None
    for key in ("/1", "/2", "/3"):
        cache.put(key, key.encode(), "text/plain")
    assert cache.get("/1") is None
    assert cache.get("/3") is not None


def test_http_answers_carry_etags_and_revalidate(sample_engine: Engine, database_url: str) -> None:
    url = "/api/daily_papers?date=2026-06-30"
    with running_server(sample_engine, database_url) as server:
        first = httpx.get(server.url + url)
        etag = first.headers["etag"]
        unchanged = httpx.get(server.url + url, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        newcomer = make_record(
            raw_id="2606.99990",
            title="A late addition",
            abstract="",
            authors=["B. Late"],
            categories=["cs.LG"],
            source="test",
            listing_date=date(2026, 6, 30),
        )
        run_ingest(sample_engine, [newcomer])
        changed = httpx.get(server.url + url, headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag
        assert len(changed.json()) == len(first.json()) + 1


def test_repeats_are_served_from_the_cache_until_the_data_changes(
    sample_engine: Engine, database_url: str
) -> None:
    url = "/api/papers/2606.26651"
    with running_server(sample_engine, database_url, cache_seconds=0.2) as server:
        before = httpx.get(server.url + url).json()["title"]
        with sample_engine.begin() as connection:  # an edit that does not bump the version
            connection.execute(
                update(Paper).where(Paper.arxiv_id == "2606.26651").values(title="Edited")
            )
        assert httpx.get(server.url + url).json()["title"] == before, "served from the cache"
        with_cookie = httpx.get(server.url + url, headers={"Cookie": "unknown=abc"})
        assert with_cookie.json()["title"] == before, "anonymous readers share one page"
        head = httpx.head(server.url + url)
        assert head.status_code == 200
        assert head.content == b""
        with sample_engine.begin() as connection:
            bump_data_version(connection)
        time.sleep(0.3)
        assert httpx.get(server.url + url).json()["title"] == "Edited"


def test_concurrent_misses_render_once(engine: Engine, database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, cache_seconds=60), engine)
    renders = 0
    lock = threading.Lock()

    def render() -> Rendered:
        nonlocal renders
        with lock:
            renders += 1
        time.sleep(0.2)  # a slow page: every request below arrives while it renders
        return Rendered(b"page", "text/plain")

    def request() -> Request:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/slow",
            "query_string": b"",
            "headers": [],
            "app": app,
            "scheme": "http",
            "server": ("test", 80),
        }
        return Request(scope)

    async def many() -> list[bytes]:
        responses = await asyncio.gather(*(cached(request(), render) for _ in range(12)))
        return [bytes(response.body) for response in responses]

    # In a thread of its own: Playwright's session fixture may own this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, many()).result() == [b"page"] * 12
    assert renders == 1
