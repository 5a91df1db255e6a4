"""Upvotes end to end: forms and script, counts on every page and in the HF-compatible API."""

import re
import time

import httpx
from huggingface_hub import HfApi
from sqlalchemy import Engine

from support.accounts import Reader, make_user, signed_in
from support.samples import SAMPLE
from support.server import LiveServer, running_server

LATEST = [paper["id"] for paper in SAMPLE if paper["listing_date"] == "2026-06-30"]


def vote_count(html: str, arxiv_id: str) -> int:
    card = html[html.index(f'data-arxiv-id="{arxiv_id}"') :]
    match = re.search(r'class="vote-count">(\d+)<', card)
    assert match
    return int(match.group(1))


def api_item(server: LiveServer, arxiv_id: str) -> dict[str, object]:
    items = httpx.get(server.url + "/api/daily_papers", params={"date": "2026-06-30"}).json()
    item: dict[str, object] = next(item for item in items if item["id"] == arxiv_id)
    return item


def test_upvote_with_the_form_counts_everywhere(site: LiveServer) -> None:
    target = LATEST[1]
    make_user(site.engine, "ada")
    reader = signed_in(site.url, "ada")
    response = reader.http.post(
        f"/papers/{target}/upvote",
        data={"csrf_token": reader.token("/")},
        headers={"Referer": site.url + "/"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"

    anonymous_home = httpx.get(site.url + "/").text
    assert vote_count(anonymous_home, target) == 1
    assert 'class="vote-button voted"' in reader.get("/").text
    assert 'class="vote-button voted"' not in anonymous_home

    item = api_item(site, target)
    assert item["upvotes"] == 1
    assert isinstance(item["paper"], dict) and item["paper"]["upvotes"] == 1
    assert httpx.get(f"{site.url}/api/papers/{target}").json()["upvotes"] == 1
    [paper] = [
        p for p in HfApi(endpoint=site.url).list_daily_papers(date="2026-06-30") if p.id == target
    ]
    assert paper.upvotes == 1

    page = httpx.get(f"{site.url}/papers/{target}").text
    assert '<a href="/users/ada">ada</a>' in page[page.index("Upvoted by") :]
    assert httpx.get(f"{site.url}/api/papers/{target}/upvoters").json()[0]["user"] == "ada"

    again = reader.http.post(f"/papers/{target}/upvote", data={"csrf_token": reader.token("/")})
    assert again.status_code == 303
    assert vote_count(httpx.get(site.url + "/").text, target) == 0, "a second press takes it back"
    assert api_item(site, target)["upvotes"] == 0


def test_the_script_path_answers_json(site: LiveServer) -> None:
    target = LATEST[0]
    for name in ("ada", "bob"):
        make_user(site.engine, name)
    ada, bob = signed_in(site.url, "ada"), signed_in(site.url, "bob")
    headers = {"Accept": "application/json", "X-CSRF-Token": ada.token("/")}
    first = ada.http.post(f"/papers/{target}/upvote", headers=headers)
    assert first.json() == {"upvoted": True, "upvotes": 1}
    bob_headers = {"Accept": "application/json", "X-CSRF-Token": bob.token("/")}
    assert bob.http.post(f"/papers/{target}/upvote", headers=bob_headers).json() == {
        "upvoted": True,
        "upvotes": 2,
    }
    assert ada.http.post(f"/papers/{target}/upvote", headers=headers).json() == {
        "upvoted": False,
        "upvotes": 1,
    }


def test_who_may_vote(site: LiveServer) -> None:
    target = LATEST[0]
    anonymous = Reader(site.url)
    refused = anonymous.http.post(
        f"/papers/{target}/upvote", data={"csrf_token": anonymous.token()}
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/signin?next=")
    make_user(site.engine, "newbie", verified=False)
    newbie = signed_in(site.url, "newbie")
    unconfirmed = newbie.http.post(
        f"/papers/{target}/upvote", data={"csrf_token": newbie.token("/")}
    )
    assert unconfirmed.status_code == 403 and "Confirm your email address" in unconfirmed.text
    unknown = newbie.http.post("/papers/2606.99999/upvote", data={"csrf_token": newbie.token("/")})
    assert unknown.status_code in (403, 404)
    assert api_item(site, target)["upvotes"] == 0


def test_personal_api_tokens(site: LiveServer) -> None:
    target = LATEST[2]
    make_user(site.engine, "ada")
    reader = signed_in(site.url, "ada")
    page = reader.submit("/account", "/account/tokens", {"name": "my script"})
    token = re.search(r'id="new-token">(pw_[^<]+)<', page.text)
    assert token, "the new token is shown once"
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert httpx.get(site.url + "/api/me", headers=bearer).json()["user"] == "ada"
    up = httpx.post(f"{site.url}/api/papers/{target}/upvote", headers=bearer)
    assert up.json() == {"upvoted": True, "upvotes": 1}
    twice = httpx.post(f"{site.url}/api/papers/{target}/upvote", headers=bearer)
    assert twice.json() == {"upvoted": True, "upvotes": 1}, "setting is idempotent"
    down = httpx.delete(f"{site.url}/api/papers/{target}/upvote", headers=bearer)
    assert down.json() == {"upvoted": False, "upvotes": 0}
    missing = httpx.post(f"{site.url}/api/papers/2606.99999/upvote", headers=bearer)
    assert missing.status_code == 404 and "error" in missing.json()

    token_id = re.search(r"/account/tokens/(\d+)/delete", reader.get("/account").text)
    assert token_id
    reader.submit("/account", f"/account/tokens/{token_id.group(1)}/delete", {})
    revoked = httpx.post(f"{site.url}/api/papers/{target}/upvote", headers=bearer)
    assert revoked.status_code == 401 and "not valid" in revoked.json()["error"]
    assert httpx.get(site.url + "/api/me").status_code == 401


def test_votes_are_rate_limited(sample_engine: Engine, database_url: str) -> None:
    make_user(sample_engine, "ada")
    with running_server(sample_engine, database_url, rate_limits={"vote": "3/3600"}) as server:
        reader = signed_in(server.url, "ada")
        headers = {"Accept": "application/json", "X-CSRF-Token": reader.token("/")}
        statuses = [
            reader.http.post(f"/papers/{LATEST[0]}/upvote", headers=headers).status_code
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


def test_cached_pages_for_readers_private_pages_for_voters(
    sample_engine: Engine, database_url: str
) -> None:
    make_user(sample_engine, "ada")
    with running_server(sample_engine, database_url, cache_seconds=0.2) as server:
        first = httpx.get(server.url + "/")
        assert vote_count(first.text, LATEST[0]) == 0
        assert "csrf_token" not in first.text, "pages the cache keeps carry no form tokens"
        reader = signed_in(server.url, "ada")
        mine = reader.get("/")
        assert mine.headers["cache-control"] == "private, no-store"
        assert "csrf_token" in mine.text
        headers = {"Accept": "application/json", "X-CSRF-Token": reader.token("/")}
        reader.http.post(f"/papers/{LATEST[0]}/upvote", headers=headers)
        time.sleep(0.3)  # the cache checks the data version at most every 0.2 s
        after = httpx.get(server.url + "/", headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200, "the vote changed the page, so the old ETag fails"
        assert vote_count(after.text, LATEST[0]) == 1
        assert "csrf_token" not in after.text
