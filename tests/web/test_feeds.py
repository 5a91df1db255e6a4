"""Atom feeds of listing days, read back with feedparser."""

import feedparser
import httpx

from support.samples import SAMPLE
from support.server import LiveServer


def test_day_feed_is_valid_and_complete(sample_server: LiveServer) -> None:
    response = httpx.get(f"{sample_server.url}/feeds/daily/2026-06-29.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    expected = {p["id"]: p for p in SAMPLE if p["listing_date"] == "2026-06-29"}
    assert len(feed.entries) == len(expected)
    for entry in feed.entries:
        paper_id = entry.link.rsplit("/papers/", 1)[1]
        assert entry.title == expected[paper_id]["title"]
        assert [author.name for author in entry.authors] == expected[paper_id]["authors"]
        assert entry.link.startswith(sample_server.url)


def test_latest_feed_and_bad_dates(sample_server: LiveServer) -> None:
    feed = feedparser.parse(httpx.get(f"{sample_server.url}/feeds/daily.atom").content)
    assert not feed.bozo
    assert "2026-06-30" in feed.feed.title
    assert httpx.get(f"{sample_server.url}/feeds/daily/2026-6-30.atom").status_code == 400
