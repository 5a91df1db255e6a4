"""RSS and Atom feeds of trending, categories, authors and saved searches, read with feedparser."""

from typing import Any
from urllib.parse import quote

import feedparser
import httpx
import pytest
from sqlalchemy.orm import Session

from paperwire.community.moderation import set_paper_hidden
from paperwire.store.papers import get_paper
from support.samples import SAMPLE
from support.server import LiveServer


def parsed(server: LiveServer, path: str, **params: str) -> Any:
    response = httpx.get(server.url + path, params=params)
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed, response.headers["content-type"]


def entry_ids(feed: Any) -> list[str]:
    return [entry.link.rsplit("/papers/", 1)[1] for entry in feed.entries]


@pytest.mark.parametrize(("fmt", "media_type"), [("atom", "atom+xml"), ("rss", "rss+xml")])
def test_trending_and_category_feeds(sample_server: LiveServer, fmt: str, media_type: str) -> None:
    trending, content_type = parsed(sample_server, f"/feeds/trending.{fmt}")
    assert f"application/{media_type}" in content_type
    assert trending.version == ("atom10" if fmt == "atom" else "rss20")
    recent = {
        p["id"] for p in SAMPLE if p["listing_date"] in ("2026-06-26", "2026-06-29", "2026-06-30")
    }
    assert set(entry_ids(trending)) == recent
    assert "trending" in trending.feed.title

    category, _ = parsed(sample_server, f"/feeds/category/cs.CL.{fmt}")
    assert set(entry_ids(category)) == {p["id"] for p in SAMPLE if "cs.CL" in p["categories"]}
    assert category.feed.title == "Paperwire: cs.CL (Computation and Language)"
    first = category.entries[0]
    paper = next(p for p in SAMPLE if p["id"] == entry_ids(category)[0])
    assert first.title == paper["title"]
    assert first.link.startswith(sample_server.url)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_author_and_saved_search_feeds(sample_server: LiveServer, fmt: str) -> None:
    paper = SAMPLE[5]
    author = paper["authors"][0]
    by_author, _ = parsed(sample_server, f"/feeds/author/{quote(author.upper())}.{fmt}")
    expected = {p["id"] for p in SAMPLE if author in p["authors"]}
    assert set(entry_ids(by_author)) == expected

    word = "quantization"
    search, _ = parsed(sample_server, f"/feeds/search.{fmt}", q=word)
    matching = {
        p["id"]
        for p in SAMPLE
        if word in " ".join([p["title"], p["abstract"], *p["authors"]]).lower()
    }
    assert matching and set(entry_ids(search)) == matching

    nothing, _ = parsed(sample_server, f"/feeds/search.{fmt}", q="zebrafish cryptocurrency")
    assert nothing.entries == [], "a search that matches nothing is a valid, empty feed"


def test_bad_feed_requests_get_clear_errors(sample_server: LiveServer) -> None:
    url = sample_server.url
    assert httpx.get(f"{url}/feeds/search.atom").status_code == 400
    assert httpx.get(f"{url}/feeds/search.atom", params={"q": " "}).status_code == 400
    assert httpx.get(f"{url}/feeds/category/cs CL!.rss").status_code == 400
    assert httpx.get(f"{url}/feeds/trending.json").status_code in (400, 404)
    unknown = httpx.get(f"{url}/feeds/author/Nobody%20Atall.atom")
    assert unknown.status_code == 200 and feedparser.parse(unknown.content).entries == []


def test_hidden_papers_leave_every_feed(sample_server: LiveServer) -> None:
    paper = SAMPLE[5]
    author = paper["authors"][0]
    with Session(sample_server.engine) as session:
        stored = get_paper(session, paper["id"])
        assert stored is not None
        set_paper_hidden(session, stored, True, actor_id=None, reason="test")
        session.commit()
    paths = [
        f"/feeds/author/{quote(author)}.atom",
        "/feeds/trending.atom",
        f"/feeds/category/{paper['categories'][0]}.atom",
        f"/feeds/daily/{paper['listing_date']}.atom",
    ]
    for path in paths:
        feed, _ = parsed(sample_server, path)
        assert paper["id"] not in entry_ids(feed), path
