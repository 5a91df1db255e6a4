"""Atom and RSS feeds, for feed readers: listing days, trending, categories, authors, searches.

Every feed is a list of papers with a title and a page it stands for; one helper turns
that into Atom or RSS, so all feeds read the same.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from html import escape
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator
from sqlalchemy.orm import Session

from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.categories import category_name
from paperwire.periods import InvalidPeriod, day, parse_date
from paperwire.search.query import QueryError, parse_query
from paperwire.search.results import load_papers
from paperwire.store.followed import papers_by_author
from paperwire.store.papers import latest_listing_date, list_papers, trending_papers
from paperwire.store.schema import Paper
from paperwire.web.responses import Rendered, cached, open_session, public_base_url
from paperwire.web.search import search_service

router = APIRouter(tags=["feeds"])
FEED_LIMIT = 500
FOLLOW_LIMIT = 100
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
FeedFormat = Literal["atom", "rss"]
Category = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z\-]+(\.[A-Za-z\-]+)?$")]
AuthorName = Annotated[str, Path(min_length=1, max_length=200)]
SearchQuery = Annotated[str, Query(min_length=1, max_length=200)]


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
    site_name: str = request.app.state.settings.site_name

    def select_papers(session: Session) -> tuple[str, str, Sequence[Paper]]:
        shown = chosen or latest_listing_date(session)
        if shown is None:
            return f"{site_name}: papers", "/", []
        papers = list_papers(session, period=day(shown), limit=FEED_LIMIT).papers
        title = f"{site_name}: papers of {shown.isoformat()}"
        return title, f"/papers?date={shown.isoformat()}", papers

    return await _papers_feed(request, "atom", select_papers, listing_day=chosen)


@router.get("/feeds/trending.{fmt}", response_class=Response)
async def trending_feed(request: Request, fmt: FeedFormat) -> Response:
    """Trending papers, as the trending page lists them."""
    site_name: str = request.app.state.settings.site_name

    def select_papers(session: Session) -> tuple[str, str, Sequence[Paper]]:
        papers = trending_papers(session, limit=FOLLOW_LIMIT).papers
        return f"{site_name}: trending papers", "/papers/trending", papers

    return await _papers_feed(request, fmt, select_papers)


@router.get("/feeds/category/{category}.{fmt}", response_class=Response)
async def category_feed(request: Request, category: Category, fmt: FeedFormat) -> Response:
    """The newest papers in an arXiv category, e.g. cs.CL."""
    site_name: str = request.app.state.settings.site_name

    def select_papers(session: Session) -> tuple[str, str, Sequence[Paper]]:
        papers = list_papers(session, category=category, limit=FOLLOW_LIMIT).papers
        title = f"{site_name}: {category} ({category_name(category)})"
        return title, f"/papers?{urlencode({'category': category})}", papers

    return await _papers_feed(request, fmt, select_papers)


@router.get("/feeds/author/{name}.{fmt}", response_class=Response)
async def author_feed(request: Request, name: AuthorName, fmt: FeedFormat) -> Response:
    """The newest papers by an author, whatever the spelling (accents, case)."""
    site_name: str = request.app.state.settings.site_name

    def select_papers(session: Session) -> tuple[str, str, Sequence[Paper]]:
        papers = papers_by_author(session, name, limit=FOLLOW_LIMIT)
        return f"{site_name}: papers by {name}", "/", papers

    return await _papers_feed(request, fmt, select_papers)


@router.get("/feeds/search.{fmt}", response_class=Response)
async def search_feed(request: Request, fmt: FeedFormat, q: SearchQuery) -> Response:
    """A saved search: the best papers for ``q`` in the search language (empty if none)."""
    site_name: str = request.app.state.settings.site_name
    if not q.strip():
        raise HTTPException(400, "q: give words to search for")

    try:
        parsed = parse_query(q)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    service = search_service(request)

    def select_papers(session: Session) -> tuple[str, str, Sequence[Paper]]:
        papers = load_papers(session, service.saved_search(parsed, limit=FOLLOW_LIMIT))
        return f"{site_name}: papers matching “{q}”", f"/search?{urlencode({'q': q})}", papers

    return await _papers_feed(request, fmt, select_papers)


async def _papers_feed(
    request: Request,
    fmt: FeedFormat,
    select_papers: Callable[[Session], tuple[str, str, Sequence[Paper]]],
    *,
    listing_day: date | None = None,
) -> Response:
    base_url = public_base_url(request)
    self_url = f"{base_url}{request.url.path}" + (
        f"?{request.url.query}" if request.url.query else ""
    )

    def render() -> Rendered:
        with open_session(request) as session:
            title, alternate, papers = select_papers(session)
            feed = _feed(base_url, title, self_url, f"{base_url}{alternate}", papers, listing_day)
            for paper in reversed(papers):
                _add_entry(feed, base_url, paper)
        if fmt == "rss":
            return Rendered(feed.rss_str(pretty=True), RSS)
        return Rendered(feed.atom_str(pretty=True), ATOM)

    return await cached(request, render)


def _feed(
    base_url: str,
    title: str,
    self_url: str,
    alternate_url: str,
    papers: Sequence[Paper],
    listing_day: date | None,
) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.description(title)
    feed.link(href=self_url, rel="self")
    feed.link(href=alternate_url, rel="alternate")
    stamps = [_stamp(paper) for paper in papers]
    feed.updated(max(stamps) if stamps else _day_start(listing_day))
    feed.generator("Paperwire")
    return feed


def _add_entry(feed: FeedGenerator, base_url: str, paper: Paper) -> None:
    entry = feed.add_entry()
    page = f"{base_url}/papers/{paper.arxiv_id}"
    entry.id(page)
    entry.guid(page, permalink=True)
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
    entry.updated(_stamp(paper))
    entry.published(paper.published_at or _day_start(paper.listing_date))


def _stamp(paper: Paper) -> datetime:
    return paper.updated_at or paper.published_at or _day_start(paper.listing_date)


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
