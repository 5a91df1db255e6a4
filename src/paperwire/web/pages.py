"""HTML pages: daily, weekly and monthly lists, trending, and a page per paper."""

from dataclasses import dataclass, field
from datetime import date
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.community.collections import collections_with_paper
from paperwire.community.comments import paper_comments
from paperwire.community.votes import upvoters, voted_paper_ids
from paperwire.periods import InvalidPeriod, Period, day, month_of, parse_period, week_of
from paperwire.search.results import related_papers
from paperwire.store.papers import (
    PaperPage,
    get_paper,
    latest_listing_date,
    list_papers,
    neighbour_listing_dates,
    top_categories,
    trending_papers,
)
from paperwire.web.auth import current_viewer
from paperwire.web.markdown import paper_bibtex
from paperwire.web.responses import Rendered, cached, open_session
from paperwire.web.search import search_service

router = APIRouter(include_in_schema=False)
Category = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z\-]+(\.[A-Za-z\-]+)?$")]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]


@dataclass
class NavLink:
    label: str
    href: str | None = None


@dataclass
class Tab:
    label: str
    href: str
    active: bool


def listing_href(
    period: Period | None, category: str | None = None, page: int = 1, base: str = "/papers"
) -> str:
    params: dict[str, str] = {}
    if period is not None:
        key, value = period.param
        params[key] = value
    if category:
        params["category"] = category
    if page > 1:
        params["page"] = str(page)
    return f"{base}?{urlencode(params)}" if params else base


@dataclass
class ListingView:
    """Everything ``listing.html`` shows: one page of papers and the ways to move on."""

    heading: str
    period: Period | None
    papers: PaperPage
    page_number: int
    category: str | None
    categories: list[tuple[str, int]]
    tabs: list[Tab]
    previous: NavLink = field(default_factory=lambda: NavLink(""))
    following: NavLink = field(default_factory=lambda: NavLink(""))
    base: str = "/papers"
    voted: set[int] = field(default_factory=set)  # the signed-in viewer's upvotes on this page

    @property
    def page_count(self) -> int:
        return max(1, ceil(self.papers.total / self.papers.limit))

    def page_href(self, number: int) -> str | None:
        if not 1 <= number <= self.page_count:
            return None
        return listing_href(self.period, self.category, number, self.base)

    def category_href(self, category: str | None) -> str:
        return listing_href(self.period, category, 1, self.base)

    @property
    def feed_href(self) -> str:
        if self.period is not None and self.period.kind == "day":
            return f"/feeds/daily/{self.period.start.isoformat()}.atom"
        return "/feeds/daily.atom"


def render_template(request: Request, template: str, context: dict[str, Any]) -> Rendered:
    """A page for this request; ``viewer`` is None on every page the cache may keep."""
    env = request.app.state.templates.env
    html = env.get_template(template).render(
        request=request, viewer=current_viewer(request), **context
    )
    return Rendered(html.encode(), "text/html; charset=utf-8")


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, category: Category = None, page: PageNumber = 1) -> Response:
    return await _listing(request, None, category, page)


@router.get("/papers", response_class=HTMLResponse)
async def papers(
    request: Request,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    category: Category = None,
    page: PageNumber = 1,
) -> Response:
    try:
        period = parse_period(date_text=date, week_text=week, month_text=month)
    except InvalidPeriod as error:
        raise HTTPException(400, str(error)) from None
    return await _listing(request, period, category, page)


async def _listing(
    request: Request, period: Period | None, category: str | None, page_number: int
) -> Response:
    """A day, week or month; the latest listing day when no period is asked for."""
    page_size: int = request.app.state.settings.page_size

    def render() -> Rendered:
        with open_session(request) as session:
            latest = latest_listing_date(session)
            shown = period or (day(latest) if latest else None)
            view = ListingView(
                heading=_heading(shown),
                period=shown,
                papers=list_papers(
                    session,
                    period=shown,
                    category=category,
                    offset=(page_number - 1) * page_size,
                    limit=page_size,
                ),
                page_number=page_number,
                category=category,
                categories=top_categories(session, shown),
                tabs=_tabs(shown, category),
            )
            view.voted = _viewer_votes(request, session, view.papers)
            if shown is not None and shown.kind == "day":
                before, after = neighbour_listing_dates(session, shown.start)
                view.previous = NavLink("Previous day", _day_href(before, category))
                view.following = NavLink("Next day", _day_href(after, category))
            elif shown is not None:
                earlier, later = shown.shifted(-1), shown.shifted(1)
                beyond = latest is None or later.start > latest
                view.previous = NavLink(f"Previous {shown.kind}", listing_href(earlier, category))
                view.following = NavLink(
                    f"Next {shown.kind}", None if beyond else listing_href(later, category)
                )
        return render_template(request, "listing.html", {"view": view})

    return await cached(request, render)


def _day_href(listing_day: date | None, category: str | None) -> str | None:
    return listing_href(day(listing_day), category) if listing_day else None


@router.get("/papers/trending", response_class=HTMLResponse)
async def trending(request: Request, category: Category = None, page: PageNumber = 1) -> Response:
    page_size: int = request.app.state.settings.page_size

    def render() -> Rendered:
        with open_session(request) as session:
            view = ListingView(
                heading="Trending papers",
                period=None,
                papers=trending_papers(
                    session, category=category, offset=(page - 1) * page_size, limit=page_size
                ),
                page_number=page,
                category=category,
                categories=top_categories(session, None),
                tabs=_tabs(None, category, trending=True),
                base="/papers/trending",
            )
            view.voted = _viewer_votes(request, session, view.papers)
        return render_template(request, "listing.html", {"view": view})

    return await cached(request, render)


@router.get("/papers/{arxiv_id:path}", response_class=HTMLResponse)
async def paper_page(request: Request, arxiv_id: str) -> Response:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise HTTPException(404, f"{arxiv_id!r} is not an arXiv identifier") from None
    if parsed.version is not None or parsed.base != arxiv_id:
        return RedirectResponse(f"/papers/{parsed.base}", status_code=301)

    viewer = current_viewer(request)
    is_admin = viewer is not None and viewer.is_admin

    def render() -> Rendered:
        with open_session(request) as session:
            paper = get_paper(session, parsed.base, include_hidden=is_admin)
            if paper is None:
                raise HTTPException(404, f"No paper {parsed.base} here (yet, or any more)")
            context = {
                "paper": paper,
                "bibtex": paper_bibtex(paper),
                "listing_href": listing_href(day(paper.listing_date))
                if paper.listing_date
                else None,
                "upvoters": upvoters(session, paper.id),
                "threads": paper_comments(session, paper.id, include_hidden=is_admin),
                "voted": viewer is not None
                and bool(voted_paper_ids(session, viewer.id, [paper.id])),
                "related": related_papers(search_service(request), session, paper),
            }
            if viewer is not None:
                context["collections"] = collections_with_paper(session, viewer.id, paper.id)
            return render_template(request, "paper.html", context)

    return await cached(request, render)


def _viewer_votes(request: Request, session: Session, page: PaperPage) -> set[int]:
    viewer = current_viewer(request)
    if viewer is None:
        return set()
    return voted_paper_ids(session, viewer.id, [paper.id for paper in page.papers])


def error_page(request: Request, status_code: int, message: str) -> Response:
    rendered = render_template(
        request, "error.html", {"status_code": status_code, "message": message}
    )
    return HTMLResponse(rendered.body, status_code=status_code)


def _heading(period: Period | None) -> str:
    if period is None:
        return "No papers yet"
    prefix = {"day": "Daily papers", "week": "Weekly papers", "month": "Monthly papers"}[
        period.kind
    ]
    return f"{prefix} · {period.label}"


def _tabs(period: Period | None, category: str | None, *, trending: bool = False) -> list[Tab]:
    """Daily / Weekly / Monthly around the period shown, and Trending."""
    tabs = []
    for kind, label, period_of in (
        ("day", "Daily", day),
        ("week", "Weekly", week_of),
        ("month", "Monthly", month_of),
    ):
        target = period_of(period.start) if period is not None else None
        active = not trending and period is not None and period.kind == kind
        tabs.append(Tab(label, listing_href(target, category), active))
    tabs.append(Tab("Trending", listing_href(None, category, 1, "/papers/trending"), trending))
    return tabs
