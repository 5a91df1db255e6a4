"""Moderation: hidden papers and comments vanish from pages, feeds and the API; all logged."""

import feedparser
import httpx

from support.accounts import Reader, make_user, signed_in
from support.samples import SAMPLE
from support.server import LiveServer

DAY = "2026-06-30"
TARGET = next(paper for paper in SAMPLE if paper["listing_date"] == DAY)


def everywhere(server: LiveServer, arxiv_id: str) -> dict[str, bool]:
    """Where a paper can be seen by an anonymous reader."""
    url = server.url
    feed = feedparser.parse(httpx.get(f"{url}/feeds/daily/{DAY}.atom").text)
    api = httpx.get(f"{url}/api/daily_papers", params={"date": DAY}).json()
    trending = httpx.get(f"{url}/api/daily_papers", params={"sort": "trending", "limit": 100})
    search = httpx.get(f"{url}/api/papers/search", params={"q": TARGET["title"]}).json()
    return {
        "home": f'data-arxiv-id="{arxiv_id}"' in httpx.get(url + "/").text,
        "day page": f'data-arxiv-id="{arxiv_id}"' in httpx.get(f"{url}/papers?date={DAY}").text,
        "trending page": f'data-arxiv-id="{arxiv_id}"' in httpx.get(url + "/papers/trending").text,
        "paper page": httpx.get(f"{url}/papers/{arxiv_id}").status_code == 200,
        "markdown": httpx.get(f"{url}/papers/{arxiv_id}.md").status_code == 200,
        "feed": any(arxiv_id in entry.link for entry in feed.entries),
        "api list": any(item["id"] == arxiv_id for item in api),
        "api trending": any(item["id"] == arxiv_id for item in trending.json()),
        "api paper": httpx.get(f"{url}/api/papers/{arxiv_id}").status_code == 200,
        "api search": any(item["id"] == arxiv_id for item in search),
    }


def test_hiding_a_paper_removes_it_everywhere(site: LiveServer) -> None:
    make_user(site.engine, "root", admin=True)
    admin = signed_in(site.url, "root")
    assert all(everywhere(site, TARGET["id"]).values())

    hidden = admin.submit(
        f"/papers/{TARGET['id']}", f"/admin/papers/{TARGET['id']}/hide", {"reason": "spam"}
    )
    assert hidden.status_code == 303
    assert not any(everywhere(site, TARGET["id"]).values()), everywhere(site, TARGET["id"])
    missing = httpx.get(f"{site.url}/api/papers/{TARGET['id']}")
    assert missing.status_code == 404 and "error" in missing.json()
    page = admin.get(f"/papers/{TARGET['id']}").text
    assert "Hidden by the moderators" in page, "admins still reach it to undo"

    admin.submit(f"/papers/{TARGET['id']}", f"/admin/papers/{TARGET['id']}/unhide", {})
    assert all(everywhere(site, TARGET["id"]).values())
    log = admin.get("/admin").text
    assert log.count("<td>hide-paper</td>") == log.count("<td>unhide-paper</td>") == 1
    assert "spam" in log


def test_hiding_a_comment(site: LiveServer) -> None:
    make_user(site.engine, "root", admin=True)
    make_user(site.engine, "troll")
    admin, troll = signed_in(site.url, "root"), signed_in(site.url, "troll")
    troll.submit(f"/papers/{TARGET['id']}", f"/papers/{TARGET['id']}/comments", {"body": "BUY NOW"})
    comment = httpx.get(f"{site.url}/api/papers/{TARGET['id']}/comments").json()[0]
    admin.submit(
        f"/papers/{TARGET['id']}",
        f"/papers/{TARGET['id']}/comments",
        {"body": "Please stay on topic.", "parent_id": str(comment["id"])},
    )

    admin.submit(f"/papers/{TARGET['id']}", f"/admin/comments/{comment['id']}/hide", {})
    page = httpx.get(f"{site.url}/papers/{TARGET['id']}").text
    assert "BUY NOW" not in page and "[removed by a moderator]" in page
    assert "Please stay on topic." in page
    api = httpx.get(f"{site.url}/api/papers/{TARGET['id']}/comments").json()
    assert api[0]["removed"] is True and api[0]["body"] == "" and "BUY" not in str(api)
    items = httpx.get(f"{site.url}/api/daily_papers", params={"date": DAY}).json()
    assert next(i for i in items if i["id"] == TARGET["id"])["numComments"] == 1
    assert "BUY NOW" in admin.get(f"/papers/{TARGET['id']}").text, "admins see what was hidden"

    admin.submit(f"/papers/{TARGET['id']}", f"/admin/comments/{comment['id']}/unhide", {})
    assert "BUY NOW" in httpx.get(f"{site.url}/papers/{TARGET['id']}").text
    log = admin.get("/admin").text
    assert "hide-comment" in log and "unhide-comment" in log and "BUY NOW" in log


def test_disabling_a_user_from_the_web(site: LiveServer) -> None:
    make_user(site.engine, "root", admin=True)
    make_user(site.engine, "spammer")
    admin, spammer = signed_in(site.url, "root"), signed_in(site.url, "spammer")
    done = admin.submit("/users/spammer", "/admin/users/spammer/disable", {"reason": "bots"})
    assert done.status_code == 303
    assert spammer.get("/account").status_code == 303
    form = {"csrf_token": spammer.token("/signin")}
    vote = spammer.http.post(f"/papers/{TARGET['id']}/upvote", data=form)
    assert vote.status_code == 303 and vote.headers["location"].startswith("/signin")
    assert httpx.get(f"{site.url}/users/spammer").status_code == 404
    assert "disabled" in admin.get("/users/spammer").text
    assert "disable-user" in admin.get("/admin").text and "bots" in admin.get("/admin").text


def test_only_admins_moderate(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    assert ada.get("/admin").status_code == 403
    form = {"csrf_token": ada.token("/account")}
    for path in (f"/admin/papers/{TARGET['id']}/hide", "/admin/users/ada/disable"):
        refused = ada.http.post(path, data=form)
        assert refused.status_code == 403 and "Only administrators" in refused.text
    assert Reader(site.url).get("/admin").status_code == 303, "anonymous: sign in first"
    assert httpx.get(f"{site.url}/papers/{TARGET['id']}").status_code == 200
