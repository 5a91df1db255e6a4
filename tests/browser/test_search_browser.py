"""Searching in a real browser, from the header box to a paper's related papers."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from paperwire.search.vectors import embed_papers
from support.search import shared_embedder
from support.server import LiveServer, running_server

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.browser


@pytest.fixture
def search_server(sample_engine: Engine, database_url: str) -> Iterator[LiveServer]:
    embed_papers(sample_engine, shared_embedder())
    with running_server(sample_engine, database_url) as server:  # the app indexes on start
        yield server


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_search_from_the_header_then_follow_related_papers(
    browser: Browser, search_server: LiveServer, artifacts: Path, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(search_server.url + "/")
    box = page.locator(".nav-search input[name=q]")
    box.fill("neural operator for PDE")
    box.press("Enter")
    expect(page).to_have_url(f"{search_server.url}/search?q=neural+operator+for+PDE")
    cards = page.locator(".results .paper-card")
    expect(cards.first).to_have_attribute("data-arxiv-id", "2606.28122")
    expect(cards.first.locator("mark").first).to_be_visible()
    page.locator(".search-filters summary").click()
    expect(page.locator("input[name=author]")).to_be_visible()
    page.screenshot(path=str(artifacts / f"search-{viewport}.png"), full_page=True)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")

    page.locator("input[name=cat]").fill("cs.LG")
    page.locator(".search-row button").click()
    expect(page.locator(".count")).to_contain_text("result")
    for card in page.locator(".results .paper-card").all():
        expect(card.locator(".chip", has_text="cs.LG")).to_have_count(1)

    page.goto(f"{search_server.url}/papers/2606.26651")
    related = page.locator(".related li a")
    expect(related.first).to_have_attribute("href", "/papers/2606.26948")
    page.screenshot(path=str(artifacts / f"related-{viewport}.png"), full_page=True)
    related.first.click()
    expect(page).to_have_url(f"{search_server.url}/papers/2606.26948")
    page.close()
