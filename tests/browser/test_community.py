"""A new member's path in a real browser: sign up (confirming by the mail that arrives at
the loopback SMTP relay), upvote, comment, collect, and watch the paper climb trending."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from support.accounts import PASSWORD
from support.samples import SAMPLE
from support.server import LiveServer, running_server
from support.smtp import MailCatcher, mail_catcher

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.browser


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[MailCatcher]:
    with mail_catcher(tmp_path) as catcher:
        yield catcher


@pytest.fixture
def site(sample_engine: Engine, database_url: str, relay: MailCatcher) -> Iterator[LiveServer]:
    with running_server(
        sample_engine, database_url, smtp_host=relay.host, smtp_port=relay.port
    ) as server:
        yield server


def trending_ids(page: Page, base: str) -> list[str]:
    page.goto(base + "/papers/trending")
    ids: list[str] = page.locator("article.paper-card").evaluate_all(
        "cards => cards.map(card => card.dataset.arxivId)"
    )
    return ids


def no_sideways_scroll(page: Page) -> None:
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_up_upvote_comment_collect_and_climb(
    browser: Browser, site: LiveServer, relay: MailCatcher, artifacts: Path, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    base = site.url

    before = trending_ids(page, base)
    middle_day = [p["id"] for p in SAMPLE if p["listing_date"] == "2026-06-29"]
    target = max((paper_id for paper_id in middle_day), key=before.index)  # lowest of its day

    page.goto(base + "/signup")
    page.fill("input[name=email]", "newcomer@example.org")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password]", PASSWORD)
    page.screenshot(path=str(artifacts / f"signup-{viewport}.png"))
    page.click("form[action='/signup'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your inbox")

    [mail] = relay.wait_for(1)
    body = mail.message.get_body(("plain",))
    assert body is not None
    link = re.search(r"(http://\S+/account/verify\?token=\S+)", body.get_content())
    assert link, "the confirmation mail carries a link"
    page.goto(link.group(1))
    expect(page.locator("h1")).to_have_text("Email confirmed")
    page.click("text=Sign in")
    page.fill("input[name=login]", "newcomer")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    expect(page.locator(".nav-user")).to_have_text("newcomer")

    page.goto(f"{base}/papers/{target}")
    vote = page.locator(".paper-head .vote-button")
    expect(vote.locator(".vote-count")).to_have_text("0")
    vote.click()
    expect(vote).to_have_class(re.compile(r"\bvoted\b"))
    expect(vote.locator(".vote-count")).to_have_text("1")
    assert page.url == f"{base}/papers/{target}", "the script voted without leaving the page"

    page.fill(".comment-form textarea", "A *clear* write-up; the ablation in §4 is convincing.")
    page.click(".comment-form button[type=submit]")
    expect(page.locator(".comment-body").first).to_contain_text("the ablation in §4")
    expect(page.locator(".comment-body em").first).to_have_text("clear")

    page.fill("#collections input[name=name]", "To read")
    page.click("#collections button:has-text('Create and add')")
    expect(page.locator("#collections .collection-row")).to_contain_text("To read")
    expect(page.locator("#collections .collection-row button")).to_have_text("✓ Remove")
    page.screenshot(path=str(artifacts / f"paper-{viewport}.png"), full_page=True)
    no_sideways_scroll(page)

    after = trending_ids(page, base)
    assert after.index(target) < before.index(target), "the paper moved up in trending"
    expect(page.locator(f'[data-arxiv-id="{target}"] .vote-button.voted')).to_have_count(1)
    page.screenshot(path=str(artifacts / f"trending-{viewport}.png"))
    no_sideways_scroll(page)

    page.click("text=Collections")
    page.click("text=To read")
    expect(page.locator(".collection-papers li")).to_have_count(1)
    page.screenshot(path=str(artifacts / f"collection-{viewport}.png"))
    no_sideways_scroll(page)
    page.close()
