"""Subscribing over real HTTP: double opt-in by email, one-click unsubscribe, manage, bad input."""

import time
from datetime import UTC, date, datetime

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.compose import MailComposer
from paperwire.mail.outbox import send_due
from paperwire.mail.subscriptions import make_wish, subscribe
from paperwire.mail.tokens import LinkSigner
from paperwire.store.schema import Subscription
from support.accounts import Reader
from support.mail_reading import link_in, text_of, unsubscribe_url
from support.mail_settings import SECRET
from support.server import LiveServer, free_port
from support.smtp import MailCatcher


def submit_form(base_url: str, path: str, data: dict[str, str]) -> httpx.Response:
    """Post the form on ``path`` the way a browser does: load it, send its CSRF token."""
    with Reader(base_url) as reader:
        return reader.submit(path, path, data)


def status_of(server: LiveServer, email: str) -> list[tuple[str, str]]:
    with Session(server.engine) as session:
        rows = session.execute(
            select(Subscription.kind, Subscription.status)
            .where(Subscription.email == email)
            .order_by(Subscription.id)
        )
        return [(kind, status) for kind, status in rows]


def test_subscribe_confirm_receive_and_unsubscribe_with_one_click(
    mail_server: LiveServer, relay: MailCatcher, mail_settings: Settings
) -> None:
    form = {"email": "Reader@Example.org", "kind": "category", "category": "cs.cl"}
    answer = submit_form(mail_server.url, "/subscribe", form)
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    [confirmation] = relay.wait_for(1)
    assert confirmation.recipients == ["Reader@example.org"]
    assert confirmation.message["Subject"] == "Confirm your Paperwire subscription"
    assert confirmation.message.get_content_type() == "multipart/alternative"
    assert "New papers in cs.CL (Computation and Language)" in text_of(confirmation.message)
    assert status_of(mail_server, "Reader@example.org") == [("category", "pending")]

    confirm_url = link_in(confirmation.message, "/subscriptions/confirm/")
    assert confirm_url.startswith(mail_server.url)
    page = httpx.get(confirm_url)
    assert page.status_code == 200 and "Yes, subscribe" in page.text
    assert status_of(mail_server, "Reader@example.org") == [("category", "pending")], (
        "opening the link alone (as a mail scanner does) confirms nothing"
    )
    done = httpx.post(confirm_url)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert status_of(mail_server, "Reader@example.org") == [("category", "active")]

    report = send_due(mail_server.engine, mail_settings, on_date=date(2026, 6, 30))
    assert report.sent == 1
    alert = relay.wait_for(2)[1].message
    assert alert["Subject"] == "2 new papers in cs.CL"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058: the mail client POSTs the header's URL, without cookies or a CSRF token.
    one_click = httpx.post(unsubscribe_url(alert), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "You are unsubscribed" in one_click.text
    assert status_of(mail_server, "Reader@example.org") == [("category", "unsubscribed")]
    again = send_due(mail_server.engine, mail_settings, on_date=date(2026, 6, 29))
    assert again.planned == 0 and again.sent == 0
    assert len(relay.received) == 2


def test_the_unsubscribe_link_in_the_body_shows_one_button(
    mail_server: LiveServer, relay: MailCatcher, mail_settings: Settings
) -> None:
    with Session(mail_server.engine) as session:
        subscribe(
            session, "daily@example.org", make_wish("daily"), confirmed=True, now=datetime.now(UTC)
        )
    send_due(mail_server.engine, mail_settings, on_date=date(2026, 6, 30))
    [digest] = relay.wait_for(1)
    link = link_in(digest.message, "/subscriptions/unsubscribe/")
    assert link == unsubscribe_url(digest.message)
    page = httpx.get(link)
    assert page.status_code == 200
    assert "Daily digest of the top papers" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert status_of(mail_server, "daily@example.org") == [("daily", "active")]
    assert httpx.post(link).status_code == 200
    assert status_of(mail_server, "daily@example.org") == [("daily", "unsubscribed")]
    assert httpx.post(link).status_code == 200, "unsubscribing twice is fine"


def test_a_query_that_matches_nothing_yet_is_said_so(
    mail_server: LiveServer, relay: MailCatcher
) -> None:
    form = {"email": "hopeful@example.org", "kind": "query", "query": "zebrafish cryptocurrency"}
    answer = submit_form(mail_server.url, "/subscribe", form)
    assert answer.status_code == 200
    assert "No paper here matches “zebrafish cryptocurrency” yet" in answer.text
    matching = submit_form(mail_server.url, "/subscribe", {**form, "query": "language"})
    assert "No paper here matches" not in matching.text
    assert len(relay.wait_for(2)) == 2


def test_bad_input_gets_a_clear_page(mail_server: LiveServer, relay: MailCatcher) -> None:
    url = mail_server.url
    cases = [
        ({"email": "not-an-address", "kind": "daily"}, "is not a usable email address"),
        (
            {"email": "a@example.org", "kind": "query", "query": "  "},
            "an alert needs a search query",
        ),
        (
            {"email": "a@example.org", "kind": "category", "category": "cs CL!"},
            "not an arXiv category",
        ),
        ({"email": "a@example.org", "kind": "monthly"}, "unknown kind of subscription"),
    ]
    for form, message in cases:
        answer = submit_form(url, "/subscribe", form)
        assert answer.status_code == 400, form
        assert message in answer.text, form
        assert f'value="{form["email"]}"' in answer.text, "the form keeps what was typed"
    too_long = submit_form(url, "/subscribe", {"email": "a" * 500 + "@example.org"})
    assert too_long.status_code == 400

    signer = LinkSigner(SECRET, confirm_max_age=3600)
    stranger = LinkSigner("someone else's key", confirm_max_age=3600)
    valid = signer.unsubscribe_token(1, "a@example.org")
    for path in (
        "/subscriptions/confirm/garbage",
        "/subscriptions/unsubscribe/garbage",
        f"/subscriptions/unsubscribe/{valid[:-2]}xx",
        f"/subscriptions/unsubscribe/{stranger.unsubscribe_token(1, 'a@example.org')}",
        f"/subscriptions/confirm/{valid}",
        "/subscriptions/manage/garbage",
    ):
        for method in ("GET", "POST"):
            answer = httpx.request(method, url + path)
            assert answer.status_code == 400, (method, path)
            assert "This link is not valid" in answer.text
    unknown = httpx.post(f"{url}/subscriptions/unsubscribe/{valid}")
    assert unknown.status_code == 400 and "no longer exists" in unknown.text
    assert relay.received == []


def test_an_expired_confirmation_link_says_so(mail_server: LiveServer) -> None:
    with Session(mail_server.engine) as session:
        subscription_id = subscribe(
            session, "late@example.org", make_wish("weekly"), confirmed=False, now=datetime.now(UTC)
        ).id

    class FourDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 4 * 86400

    old = URLSafeTimedSerializer(SECRET, salt="paperwire-confirm", signer=FourDaysAgo)
    token = old.dumps([subscription_id, "late@example.org"])
    answer = httpx.post(f"{mail_server.url}/subscriptions/confirm/{token}")
    assert answer.status_code == 400
    assert "This confirmation link has expired" in answer.text
    assert status_of(mail_server, "late@example.org") == [("weekly", "pending")]


def test_manage_page_lists_changes_and_adds(
    mail_server: LiveServer, mail_settings: Settings, relay: MailCatcher
) -> None:
    now = datetime.now(UTC)
    with Session(mail_server.engine) as session:
        mine = subscribe(session, "me@example.org", make_wish("daily"), confirmed=True, now=now).id
        theirs = subscribe(
            session, "you@example.org", make_wish("daily"), confirmed=True, now=now
        ).id
    composer = MailComposer(mail_settings, LinkSigner(SECRET, 3600), mail_server.url)
    manage = composer.manage_url("me@example.org")
    page = httpx.get(manage)
    assert page.status_code == 200 and "Daily digest of the top papers" in page.text
    assert "you@example.org" not in page.text

    add = {"action": "add", "kind": "author", "author": "Ada  Lovelace"}
    assert httpx.post(manage, data=add).status_code == 303
    stop = {"action": "unsubscribe", "id": str(mine)}
    assert httpx.post(manage, data=stop).status_code == 303
    assert status_of(mail_server, "me@example.org") == [
        ("daily", "unsubscribed"),
        ("author", "active"),
    ]
    assert "New papers by Ada Lovelace" in httpx.get(manage).text

    someone_else = httpx.post(manage, data={"action": "unsubscribe", "id": str(theirs)})
    assert someone_else.status_code == 400 and "no longer exists" in someone_else.text
    assert status_of(mail_server, "you@example.org") == [("daily", "active")]
    bad = httpx.post(manage, data={"action": "add", "kind": "category", "category": "??"})
    assert bad.status_code == 400 and "not an arXiv category" in bad.text

    requested = submit_form(mail_server.url, "/subscriptions/manage", {"email": "me@example.org"})
    assert requested.status_code == 200
    [link_mail] = relay.wait_for(1)
    assert link_in(link_mail.message, "/subscriptions/manage/") == manage


def test_a_relay_that_is_down_gets_a_clear_page_and_loses_nothing(
    mail_server: LiveServer, mail_settings: Settings
) -> None:
    mail_settings.smtp_port = free_port()
    answer = submit_form(
        mail_server.url, "/subscribe", {"email": "patient@example.org", "kind": "weekly"}
    )
    assert answer.status_code == 503
    assert "Your request is saved" in answer.text
    assert status_of(mail_server, "patient@example.org") == [("weekly", "pending")]


def test_forms_that_mail_an_address_are_rate_limited(
    mail_server: LiveServer, mail_settings: Settings, relay: MailCatcher
) -> None:
    mail_settings.rate_limits = {"subscribe-mail": "2/3600"}
    form = {"email": "target@example.org", "kind": "weekly"}
    for _ in range(2):
        assert submit_form(mail_server.url, "/subscribe", form).status_code == 200
    refused = submit_form(mail_server.url, "/subscribe", form)
    assert refused.status_code == 429
    asked = submit_form(mail_server.url, "/subscriptions/manage", {"email": "target@example.org"})
    assert asked.status_code == 429
    assert len(relay.received) == 2, "mail is sent before the answer: none beyond the limit"
