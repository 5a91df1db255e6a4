"""HTML pages over real HTTP: listings, navigation between days, paper pages, errors."""

import re

import httpx

from support.samples import SAMPLE
from support.server import LiveServer


def card_ids(html: str) -> list[str]:
    return re.findall(r'data-arxiv-id="([^"]+)"', html)


def test_home_shows_the_latest_listing_day(sample_server: LiveServer) -> None:
    html = httpx.get(sample_server.url + "/").text
    latest = {paper["id"] for paper in SAMPLE if paper["listing_date"] == "2026-06-30"}
    assert set(card_ids(html)) == latest
    assert "Tuesday, June 30, 2026" in html
    assert 'href="/papers?date=2026-06-29"' in html, "a link to the previous listing day"


def test_day_navigation_skips_days_without_papers(sample_server: LiveServer) -> None:
    html = httpx.get(sample_server.url + "/papers", params={"date": "2026-06-29"}).text
    assert 'rel="prev" href="/papers?date=2026-06-26"' in html
    assert 'rel="next" href="/papers?date=2026-06-30"' in html


def test_week_and_month_views(sample_server: LiveServer) -> None:
    week = httpx.get(sample_server.url + "/papers", params={"week": "2026-W27"}).text
    expected = {p["id"] for p in SAMPLE if p["listing_date"] in ("2026-06-29", "2026-06-30")}
    assert set(card_ids(week)) == expected
    month = httpx.get(sample_server.url + "/papers", params={"month": "2026-06"}).text
    assert len(card_ids(month)) == len(SAMPLE)


def test_category_filter_and_paging(sample_server: LiveServer) -> None:
    sample_server.settings.page_size = 5
    first = httpx.get(sample_server.url + "/papers", params={"month": "2026-06"}).text
    assert len(card_ids(first)) == 5
    assert "Page 1 of 8" in first
    second = httpx.get(sample_server.url + "/papers", params={"month": "2026-06", "page": 2}).text
    assert not set(card_ids(first)) & set(card_ids(second))
    category = SAMPLE[0]["categories"][0]
    filtered = httpx.get(
        sample_server.url + "/papers", params={"month": "2026-06", "category": category}
    ).text
    expected = [p for p in SAMPLE if category in p["categories"]]
    assert f"{len(expected)} paper" in filtered


def test_paper_page_has_everything(sample_server: LiveServer) -> None:
    paper = next(p for p in SAMPLE if "github.com/" in p["abstract"] + (p["comment"] or ""))
    html = httpx.get(f"{sample_server.url}/papers/{paper['id']}").text
    assert paper["authors"][0] in html
    assert f"https://arxiv.org/pdf/{paper['id']}" in html
    assert f"https://arxiv.org/abs/{paper['id']}" in html
    assert "https://github.com/" in html and ">Code<" in html
    assert "@misc{" in html and f"eprint = {{{paper['id']}}}" in html
    assert "/static/vendor/katex/katex.min.js" in html


def test_versioned_paper_url_redirects(sample_server: LiveServer) -> None:
    paper_id = SAMPLE[0]["id"]
    response = httpx.get(f"{sample_server.url}/papers/{paper_id}v2")
    assert response.status_code == 301
    assert response.headers["location"] == f"/papers/{paper_id}"


def test_errors_are_pages_not_tracebacks(sample_server: LiveServer) -> None:
    missing = httpx.get(f"{sample_server.url}/papers/2606.99999")
    assert missing.status_code == 404 and "<html" in missing.text
    bad_date = httpx.get(f"{sample_server.url}/papers", params={"date": "yesterday"})
    assert bad_date.status_code == 400 and "date must be YYYY-MM-DD" in bad_date.text
    bad_page = httpx.get(f"{sample_server.url}/papers", params={"page": "0"})
    assert bad_page.status_code == 400


def test_empty_database_has_a_friendly_home(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/")
    assert response.status_code == 200
    assert "No papers" in response.text


def test_static_assets_are_served(sample_server: LiveServer) -> None:
    for path in ("/static/paperwire.css", "/static/vendor/katex/katex.min.js"):
        assert httpx.get(sample_server.url + path).status_code == 200


def test_trending_lists_the_latest_week_newest_first(sample_server: LiveServer) -> None:
    html = httpx.get(sample_server.url + "/papers/trending").text
    ids = card_ids(html)
    assert set(ids) == {paper["id"] for paper in SAMPLE}
    dates = [next(p["listing_date"] for p in SAMPLE if p["id"] == paper_id) for paper_id in ids]
    assert dates == sorted(dates, reverse=True)
    assert 'class="active" aria-current="page">Trending<' in html
