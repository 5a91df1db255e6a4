"""Atom feeds of listing days, for feed readers."""

from datetime import UTC, date, datetime, time
from html import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.periods import InvalidPeriod, day, parse_date
from paperwire.store.papers import latest_listing_date, list_papers
from paperwire.store.schema import Paper
from paperwire.web.responses import Rendered, cached, open_session, public_base_url

router = APIRouter(tags=["feeds"])
FEED_LIMIT = 500
ATOM = "application/atom+xml; charset=utf-8"


@router.get("/feeds/daily.atom", response_class=Response)
async def latest_day_feed(request: Request) -> Response:
    """The most recent listing day."""
    return await _day_feed(request, None)


@router.get("/feeds/daily/{listing_date}.atom", response_class=Response)
async def day_feed(request: Request, listing_date: str) -> Response:
    """One listing day, YYYY-MM-DD."""
    try:
        chosen = parse_date(listing_date)
    except InvalidPeriod as error:
        raise HTTPException(400, str(error)) from None
    return await _day_feed(request, chosen)


async def _day_feed(request: Request, chosen: date | None) -> Response:
    base_url = public_base_url(request)
    site_name: str = request.app.state.settings.site_name

    def render() -> Rendered:
        with open_session(request) as session:
            shown = chosen or latest_listing_date(session)
            papers = (
                list(list_papers(session, period=day(shown), limit=FEED_LIMIT).papers)
                if shown
                else []
            )
        title = f"{site_name}: papers of {shown.isoformat()}" if shown else f"{site_name}: papers"
        feed = _feed(base_url, title, f"{request.url.path}", shown)
        for paper in reversed(papers):
            _add_entry(feed, base_url, paper)
        return Rendered(feed.atom_str(pretty=True), ATOM)

    return await cached(request, render)


def _feed(base_url: str, title: str, path: str, shown: date | None) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(f"{base_url}{path}")
    feed.title(title)
    feed.link(href=f"{base_url}{path}", rel="self")
    listing = f"{base_url}/papers?date={shown.isoformat()}" if shown else f"{base_url}/"
    feed.link(href=listing, rel="alternate")
    feed.updated(_day_start(shown) if shown else datetime.now(UTC))
    feed.generator("Paperwire")
    return feed


def _add_entry(feed: FeedGenerator, base_url: str, paper: Paper) -> None:
    entry = feed.add_entry()
    page = f"{base_url}/papers/{paper.arxiv_id}"
    entry.id(page)
    entry.title(paper.title)
    # One link only: feedgen 1.0 drops ``rel`` from entry links, so a second would
    # also read as "alternate". arXiv and PDF links go in the content instead.
    entry.link(href=page)
    for name in paper.authors:
        entry.author({"name": name})
    entry.summary(paper.abstract or paper.title)
    entry.content(_entry_html(paper), type="html")
    for category in paper.categories:
        entry.category(term=category)
    stamp = paper.updated_at or paper.published_at or _day_start(paper.listing_date)
    entry.updated(stamp)
    if paper.published_at:
        entry.published(paper.published_at)


def _entry_html(paper: Paper) -> str:
    links = [
        f'<a href="{abs_url(paper.arxiv_id)}">arXiv</a>',
        f'<a href="{pdf_url(paper.arxiv_id)}">PDF</a>',
    ]
    links += [f'<a href="{escape(url)}">Code</a>' for url in paper.code_urls[:1]]
    return (
        f"<p><em>{escape(', '.join(paper.authors))}</em></p>"
        f"<p>{escape(paper.abstract)}</p>"
        f"<p>{' · '.join(links)}</p>"
    )


def _day_start(value: date | None) -> datetime:
    return datetime.combine(value or date.today(), time(), tzinfo=UTC)
