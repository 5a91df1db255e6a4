"""The API documentation works offline: Swagger UI from this site, under its own CSP."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request, expect

from support.server import LiveServer

pytestmark = pytest.mark.browser


def test_docs_render_every_operation_from_local_files(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", watch)
    page.on("requestfailed", lambda request: problems.append(_failure(request)))
    page.goto(live_server.url + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/daily_papers" in path for path in paths)
    assert any("/api/papers/search" in path for path in paths)
    assert hosts == {"127.0.0.1"}, "nothing is loaded from another host"
    assert problems == []
    page.close()


def _failure(request: Request) -> str:
    return f"{request.url}: {request.failure}"
