"""Signed-in readers reach their subscriptions from the account page, with no mailed link."""

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from paperwire.mail.subscriptions import make_wish, subscribe
from support.accounts import Reader, make_user, signed_in
from support.server import LiveServer


def test_account_page_opens_the_manage_page_for_the_confirmed_address(
    mail_server: LiveServer,
) -> None:
    make_user(mail_server.engine, "ada", email="Ada@Example.org")
    with Session(mail_server.engine) as session:
        now = datetime.now(UTC)
        subscribe(session, "ada@example.org", make_wish("weekly"), confirmed=True, now=now)
        subscribe(session, "bob@example.org", make_wish("daily"), confirmed=True, now=now)
    reader = signed_in(mail_server.url, "ada")
    account = reader.get("/account")
    assert 'href="/account/subscriptions"' in account.text
    moved = reader.get("/account/subscriptions")
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/subscriptions/manage/")
    manage = reader.get(moved.headers["location"])
    assert manage.status_code == 200
    listed = re.findall(r'<span class="what">([^<]+)</span>', manage.text)
    assert len(listed) == 1, "only this reader's own subscriptions"
    assert listed[0].startswith("Weekly digest")
    assert "bob@example.org" not in manage.text
    prefilled = reader.get("/subscribe")
    assert 'value="ada@example.org"' in prefilled.text.lower()


def test_unconfirmed_and_anonymous_readers_are_turned_away(mail_server: LiveServer) -> None:
    make_user(mail_server.engine, "eve", verified=False)
    unconfirmed = signed_in(mail_server.url, "eve").get("/account/subscriptions")
    assert unconfirmed.status_code == 403
    assert "Confirm your email address first" in unconfirmed.text
    with Reader(mail_server.url) as anonymous:
        answer = anonymous.get("/account/subscriptions")
    assert answer.status_code in (303, 401)
