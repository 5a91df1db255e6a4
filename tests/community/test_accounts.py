"""Sign-up, email verification, sign-in and out, password reset and settings, over HTTP."""

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from community.conftest import link_in
from paperwire.store.schema import User, UserSession
from support.accounts import PASSWORD, Reader, make_user, signed_in
from support.server import LiveServer, free_port, running_server
from support.smtp import MailCatcher


def sign_up(reader: Reader, email: str, username: str) -> httpx.Response:
    return reader.submit(
        "/signup",
        "/signup",
        {"email": email, "username": username, "password": PASSWORD, "display_name": "Ada L."},
    )


def test_sign_up_confirm_by_mail_then_sign_in(site: LiveServer, relay: MailCatcher) -> None:
    reader = Reader(site.url)
    response = sign_up(reader, "Ada@Example.org", "ada")
    assert response.status_code == 200
    assert "Check your inbox" in response.text and "ada@example.org" in response.text
    assert reader.session_cookie is None, "signing up does not sign in before the mail is read"

    [mail] = relay.wait_for(1)
    assert mail.recipients == ["ada@example.org"]
    assert "confirm your email address" in mail.message["Subject"]
    link = link_in(mail.message)
    assert link.startswith(site.url + "/account/verify?token=")

    reader.sign_in("ada")
    account = reader.get("/account").text
    assert "not confirmed" in account
    confirmed = reader.get(link.removeprefix(site.url))
    assert confirmed.status_code == 200 and "Email confirmed" in confirmed.text
    assert "not confirmed" not in reader.get("/account").text
    with Session(site.engine) as session:
        user = session.scalars(select(User).where(User.username == "ada")).one()
        assert user.email_verified_at is not None
        assert user.display_name == "Ada L."
        assert user.password_hash.startswith("$argon2id$")


def test_sign_up_problems_are_explained(site: LiveServer, relay: MailCatcher) -> None:
    make_user(site.engine, "taken")
    reader = Reader(site.url)
    short = reader.submit(
        "/signup", "/signup", {"email": "b@example.org", "username": "bea", "password": "short"}
    )
    assert short.status_code == 400 and "at least 10 characters" in short.text
    bad_name = sign_up(reader, "b@example.org", "Bea Smith!")
    assert bad_name.status_code == 400 and "Usernames are 2 to 32 characters" in bad_name.text
    name_taken = sign_up(reader, "b@example.org", "taken")
    assert name_taken.status_code == 400 and "is taken" in name_taken.text
    bad_email = sign_up(reader, "not-an-address", "bea")
    assert bad_email.status_code == 400 and "does not look like an email" in bad_email.text
    assert relay.received == []


def test_signing_up_with_a_used_address_reveals_nothing(
    site: LiveServer, relay: MailCatcher
) -> None:
    make_user(site.engine, "owner", email="owner@example.org")
    response = sign_up(Reader(site.url), "owner@example.org", "someone-else")
    assert response.status_code == 200 and "Check your inbox" in response.text
    [mail] = relay.wait_for(1)
    assert "already have an account" in mail.message["Subject"]
    with Session(site.engine) as session:
        assert session.scalars(select(User.username)).all() == ["owner"]


def test_sign_in_errors_do_not_reveal_accounts(site: LiveServer) -> None:
    make_user(site.engine, "grace")
    reader = Reader(site.url)
    wrong = reader.submit("/signin", "/signin", {"login": "grace", "password": "wrong password"})
    unknown = reader.submit("/signin", "/signin", {"login": "nobody", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 400
    message = "That email or username and password do not match an account."
    assert message in wrong.text and message in unknown.text
    assert reader.session_cookie is None


def test_sign_in_by_email_returns_to_the_page_asked_for(site: LiveServer) -> None:
    make_user(site.engine, "grace")
    reader = Reader(site.url)
    redirect = reader.get("/account")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/signin?next=/account"
    form = reader.get("/signin?next=/account").text
    assert 'name="next" value="/account"' in form
    response = reader.http.post(
        "/signin",
        data={
            "login": "GRACE@example.org",
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": reader.token(),
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "grace@example.org" in reader.get("/account").text
    elsewhere = reader.submit(
        "/signin", "/signin", {"login": "grace", "password": PASSWORD, "next": "//evil.example"}
    )
    assert elsewhere.headers["location"] == "/"


def test_sign_out_and_sign_out_everywhere(site: LiveServer) -> None:
    make_user(site.engine, "grace")
    laptop, phone, tablet = (signed_in(site.url, "grace") for _ in range(3))
    assert laptop.get("/account").status_code == 200
    out = laptop.submit("/account", "/signout", {})
    assert out.status_code == 303
    assert laptop.get("/account").status_code == 303, "signed out"
    assert phone.get("/account").status_code == 200, "other sessions go on"

    everywhere = phone.submit("/account", "/account/signout-everywhere", {})
    assert everywhere.headers["location"] == "/signin?done=signed-out-everywhere"
    assert phone.get("/account").status_code == 303
    assert tablet.get("/account").status_code == 303, "the tablet's session ended too"
    with Session(site.engine) as session:
        assert session.scalars(select(UserSession)).all() == []


def test_password_reset_by_mail(site: LiveServer, relay: MailCatcher) -> None:
    make_user(site.engine, "grace")
    old_session = signed_in(site.url, "grace")
    reader = Reader(site.url)
    unknown = reader.submit("/account/reset", "/account/reset", {"email": "who@example.org"})
    known = reader.submit("/account/reset", "/account/reset", {"email": "grace@example.org"})
    assert unknown.status_code == known.status_code == 200
    assert "If an account uses" in unknown.text and "If an account uses" in known.text

    [mail] = relay.wait_for(1)
    assert mail.recipients == ["grace@example.org"]
    link = link_in(mail.message).removeprefix(site.url)
    form = reader.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.text
    token = link.split("token=", 1)[1]
    new_password = "a brand new passphrase"
    done = reader.submit(link, "/account/reset/confirm", {"token": token, "password": new_password})
    assert done.headers["location"] == "/signin?done=reset-done"
    assert old_session.get("/account").status_code == 303, "old sessions end with a reset"

    again = reader.submit(
        "/signin", "/account/reset/confirm", {"token": token, "password": "x" * 12}
    )
    assert again.status_code == 400 and "used already" in again.text
    reader.sign_in("grace", new_password)
    refused = Reader(site.url).submit(
        "/signin", "/signin", {"login": "grace", "password": PASSWORD}
    )
    assert refused.status_code == 400


def test_forged_or_expired_links_are_refused(site: LiveServer) -> None:
    reader = Reader(site.url)
    verify = reader.get("/account/verify?token=not-a-token")
    assert verify.status_code == 400 and "not valid" in verify.text
    reset = reader.get("/account/reset/confirm?token=eyJ1IjoxfQ.forged")
    assert reset.status_code == 400 and "not valid" in reset.text


def test_settings_password_change_and_profile(site: LiveServer) -> None:
    make_user(site.engine, "grace")
    reader, other = signed_in(site.url, "grace"), signed_in(site.url, "grace")
    wrong = reader.submit(
        "/account",
        "/account/password",
        {"current_password": "nope", "new_password": "another passphrase"},
    )
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    changed = reader.submit(
        "/account",
        "/account/password",
        {"current_password": PASSWORD, "new_password": "another passphrase"},
    )
    assert changed.headers["location"] == "/account?done=password-changed"
    assert reader.get("/account").status_code == 200, "this browser stays signed in"
    assert other.get("/account").status_code == 303, "every other session ends"

    saved = reader.submit(
        "/account", "/account/profile", {"display_name": "Grace H.", "show_upvotes": "true"}
    )
    assert saved.headers["location"] == "/account?done=profile-saved"
    with Session(site.engine) as session:
        user = session.scalars(select(User).where(User.username == "grace")).one()
        assert (user.display_name, user.show_upvotes) == ("Grace H.", True)


def test_mail_trouble_is_explained_not_a_crash(sample_engine: object, database_url: str) -> None:

    assert hasattr(sample_engine, "connect")
    with running_server(
        sample_engine,  # type: ignore[arg-type]
        database_url,
        smtp_port=free_port(),
        smtp_timeout=2,
    ) as server:
        response = sign_up(Reader(server.url), "lin@example.org", "lin")
    assert response.status_code == 200
    assert "could not send the confirmation mail" in response.text
