"""Subscribe from the web page, confirm through the emailed link, unsubscribe with one click."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.outbox import send_due
from paperwire.store.schema import Subscription
from support.mail_reading import html_of, link_in
from support.server import LiveServer
from support.smtp import MailCatcher

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{page.url} scrolls sideways"


def statuses(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Subscription.status)))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_subscribe_confirm_and_unsubscribe_in_a_browser(
    browser: Browser,
    mail_server: LiveServer,
    relay: MailCatcher,
    mail_settings: Settings,
    artifacts: Path,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(mail_server.url + "/")
    page.get_by_role("link", name="Email", exact=True).click()
    expect(page.locator("h1")).to_have_text("Papers by email")
    no_sideways_scroll(page)
    page.get_by_label("Your email address").fill("browser@example.org")
    page.get_by_label("Alert: new papers in a category").check()
    page.get_by_label("Category", exact=True).fill("cs.CL")
    page.screenshot(path=str(artifacts / f"subscribe-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")
    assert statuses(mail_server.engine) == ["pending"]

    [confirmation] = relay.wait_for(1)
    page.goto(link_in(confirmation.message, "/subscriptions/confirm/"))
    page.get_by_role("button", name="Yes, subscribe").click()
    expect(page.locator("h1")).to_have_text("You are subscribed")
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"confirmed-{viewport}.png"), full_page=True)
    assert statuses(mail_server.engine) == ["active"]

    assert send_due(mail_server.engine, mail_settings, on_date=date(2026, 6, 30)).sent == 1
    alert = relay.wait_for(2)[1].message
    page.set_content(html_of(alert))  # the message as a mail client shows it
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"alert-mail-{viewport}.png"), full_page=True)
    page.get_by_role("link", name="Unsubscribe").click()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"unsubscribed-{viewport}.png"), full_page=True)
    assert statuses(mail_server.engine) == ["unsubscribed"]
    page.close()
