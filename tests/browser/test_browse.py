"""A reader's path through the site in a real browser, at desktop and phone widths."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from support.samples import SAMPLE
from support.server import LiveServer

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_browse_days_and_read_a_paper_with_math(
    browser: Browser, sample_server: LiveServer, artifacts: Path, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(sample_server.url + "/")
    expect(page.locator("h1")).to_contain_text("June 30, 2026")
    page.screenshot(path=str(artifacts / f"home-{viewport}.png"), full_page=False)

    page.locator("a[rel=prev]").first.click()
    expect(page.locator("h1")).to_contain_text("June 29, 2026")
    page.locator("a[rel=next]").first.click()
    expect(page.locator("h1")).to_contain_text("June 30, 2026")

    with_math = next(
        p for p in SAMPLE if p["listing_date"] == "2026-06-30" and "$" in p["abstract"]
    )
    page.locator(f'[data-arxiv-id="{with_math["id"]}"] h2 a').click()
    expect(page).to_have_url(f"{sample_server.url}/papers/{with_math['id']}")
    expect(page.locator("html[data-math-rendered=true]")).to_have_count(1)
    rendered = page.locator(".abstract-block .katex")
    expect(rendered.first).to_be_visible()
    assert "$" not in page.locator(".abstract-block .abstract").inner_text().replace("\\$", "")
    page.screenshot(path=str(artifacts / f"paper-{viewport}.png"), full_page=True)

    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"
    page.close()
