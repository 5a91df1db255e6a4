"""Attacks the issue names, tried for real: CSRF, brute force, disabled users, headers."""

import os
import subprocess
import sys
import time
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from paperwire.store.schema import ModerationAction, User
from support.accounts import PASSWORD, Reader, make_user, signed_in
from support.server import LiveServer, running_server


def paperwire(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "paperwire", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_security_headers_on_pages_and_api(site: LiveServer) -> None:
    for path in ("/", "/api/daily_papers?limit=1", "/signin", "/papers/2606.99999"):
        headers = httpx.get(site.url + path).headers
        policy = headers["content-security-policy"]
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
        )
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    home = httpx.get(site.url + "/").text
    assert "<script>" not in home and "<script " not in home.replace("<script defer src=", "")


def test_posts_without_a_valid_csrf_token_are_refused(site: LiveServer) -> None:
    make_user(site.engine, "grace")
    reader = signed_in(site.url, "grace")
    attempts = [
        ("/signout", {}),
        ("/account/profile", {"display_name": "Mallory was here"}),
        ("/account/signout-everywhere", {}),
        ("/account/profile", {"display_name": "x", "csrf_token": "0" * 64}),
    ]
    for path, data in attempts:
        refused = reader.http.post(path, data=data)
        assert refused.status_code == 403, path
        assert "CSRF token" in refused.text
    api = reader.http.post("/api/papers/2606.00001/upvote")
    assert api.status_code == 403 and "CSRF" in api.json()["error"]

    stranger = signed_in(site.url, "grace")  # a token from another session does not fit
    foreign = reader.http.post(
        "/account/profile", data={"display_name": "x", "csrf_token": stranger.token("/account")}
    )
    assert foreign.status_code == 403
    assert reader.get("/account").status_code == 200, "still signed in"
    with Session(site.engine) as session:
        assert session.scalars(select(User.display_name)).one() is None

    signin = Reader(site.url).http.post("/signin", data={"login": "grace", "password": PASSWORD})
    assert signin.status_code == 403, "signing in needs a token too (login CSRF)"


def test_brute_force_sign_in_is_slowed_then_blocked(
    sample_engine: Engine, database_url: str
) -> None:
    make_user(sample_engine, "grace")
    delay = 0.5
    options: dict[str, Any] = {
        "signin_slow_after": 3,
        "signin_block_after": 6,
        "signin_delay_seconds": delay,
    }
    with running_server(sample_engine, database_url, **options) as server:
        reader = Reader(server.url)
        timings = []
        for _ in range(6):
            form = reader.token()
            started = time.perf_counter()
            response = reader.http.post(
                "/signin", data={"login": "grace", "password": "guess", "csrf_token": form}
            )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 400
        # Hashing costs about the same each time (a shared machine adds noise, hence the
        # margin); the slow-down comes on top: 0.5 s, then 1 s, then 2 s.
        baseline, margin = min(timings[:3]), 0.2
        assert timings[3] >= baseline + delay - margin, "slowed after three failures"
        assert timings[4] >= baseline + 2 * delay - margin, "and slower with each one"
        assert timings[5] >= baseline + 4 * delay - margin

        blocked = reader.submit("/signin", "/signin", {"login": "grace", "password": PASSWORD})
        assert blocked.status_code == 429, "even the right password is refused while blocked"
        assert "Too many failed sign-ins" in blocked.text and "minutes" in blocked.text
        # Another account name from the same IP (loopback) is blocked by the IP's count.
        other = Reader(server.url).submit("/signin", "/signin", {"login": "x", "password": "y"})
        assert other.status_code == 429


def test_sign_up_and_reset_are_rate_limited(sample_engine: Engine, database_url: str) -> None:
    limits = {"signup": "2/3600", "reset": "1/3600"}
    with running_server(
        sample_engine, database_url, rate_limits=limits, smtp_port=1, smtp_timeout=1
    ) as server:
        reader = Reader(server.url)
        statuses = [
            reader.submit(
                "/signup",
                "/signup",
                {"email": "a@example.org", "username": f"user{n}", "password": PASSWORD},
            ).status_code
            for n in range(3)
        ]
        assert statuses == [200, 200, 429]
        first = reader.submit("/account/reset", "/account/reset", {"email": "a@example.org"})
        second = reader.submit("/account/reset", "/account/reset", {"email": "a@example.org"})
        assert (first.status_code, second.status_code) == (200, 429)
        assert "Too many attempts; try again in" in second.text


def test_a_disabled_users_session_stops_working(site: LiveServer, database_url: str) -> None:
    make_user(site.engine, "mallory")
    reader = signed_in(site.url, "mallory")
    assert reader.get("/account").status_code == 200
    result = paperwire(database_url, "user", "disable", "mallory", "--reason", "spam")
    assert result.returncode == 0, result.stderr
    assert "mallory is disabled" in result.stderr
    assert reader.get("/account").status_code == 303, "the next request is anonymous"
    assert reader.get("/").status_code == 200
    again = Reader(site.url).submit(
        "/signin", "/signin", {"login": "mallory", "password": PASSWORD}
    )
    assert again.status_code == 400
    with Session(site.engine) as session:
        [action] = session.scalars(select(ModerationAction)).all()
        assert (action.action, action.target_label, action.reason) == (
            "disable-user",
            "mallory",
            "spam",
        )
    assert paperwire(database_url, "user", "disable", "mallory", "--enable").returncode == 0
    Reader(site.url).sign_in("mallory")


def test_user_commands(database_url: str, engine: Engine) -> None:
    created = paperwire(
        database_url,
        "user",
        "create",
        "root@example.org",
        "root",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    assert "Created user root <root@example.org>." in created.stderr
    duplicate = paperwire(
        database_url, "user", "create", "root@example.org", "root2", "--password", PASSWORD
    )
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    promoted = paperwire(database_url, "user", "make-admin", "ROOT@example.org")
    assert promoted.returncode == 0 and "root is an administrator" in promoted.stderr
    missing = paperwire(database_url, "user", "make-admin", "ghost")
    assert missing.returncode == 1 and "No user 'ghost'" in missing.stderr
    with Session(engine) as session:
        user = session.scalars(select(User)).one()
        assert user.is_admin and user.email_verified_at is not None


def test_comments_and_submissions_are_rate_limited(
    sample_engine: Engine, database_url: str
) -> None:
    make_user(sample_engine, "ada")
    limits = {"comment": "2/3600", "submit": "1/86400"}
    with running_server(sample_engine, database_url, rate_limits=limits) as server:
        reader = signed_in(server.url, "ada")
        paper = httpx.get(server.url + "/api/daily_papers?limit=1").json()[0]["id"]
        statuses = [
            reader.submit(f"/papers/{paper}", f"/papers/{paper}/comments", {"body": "hi"})
            for _ in range(3)
        ]
        assert [response.status_code for response in statuses] == [303, 303, 429]
        assert "Too many attempts" in statuses[2].text and "hi</textarea>" in statuses[2].text
        first = reader.submit("/submit", "/submit", {"paper": "not an id"})
        second = reader.submit("/submit", "/submit", {"paper": "not an id"})
        assert (first.status_code, second.status_code) == (400, 429)
        assert "Too many attempts; try again in" in second.text
