"""HTML pages: daily, weekly and monthly lists, trending, and a page per paper."""

from dataclasses import dataclass
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.periods import InvalidPeriod, Period, day, month_of, parse_period, week_of
from paperwire.store.papers import (
    PaperPage,
    get_paper,
    latest_listing_date,
    list_papers,
    neighbour_listing_dates,
    top_categories,
    trending_papers,
)
from paperwire.web.markdown import paper_bibtex
from paperwire.web.responses import Rendered, cached, open_session

router = APIRouter(include_in_schema=False)
Category = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z\-]+(\.[A-Za-z\-]+)?$")]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]


@dataclass
class NavLink:
    label: str
    href: str | None


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


def _render(request: Request, template: str, context: dict[str, Any]) -> Rendered:
    env = request.app.state.templates.env
    html = env.get_template(template).render(request=request, **context)
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
    page_size: int = request.app.state.settings.page_size

    def render() -> Rendered:
        with open_session(request) as session:
            latest = latest_listing_date(session)
            shown = period or (day(latest) if latest else None)
            page = list_papers(
                session,
                period=shown,
                category=category,
                offset=(page_number - 1) * page_size,
                limit=page_size,
            )
            if shown is not None and shown.kind == "day":
                before, after = neighbour_listing_dates(session, shown.start)
                previous = NavLink(
                    "Previous day", listing_href(day(before), category) if before else None
                )
                following = NavLink(
                    "Next day", listing_href(day(after), category) if after else None
                )
            elif shown is not None:
                earlier, later = shown.shifted(-1), shown.shifted(1)
                noun = shown.kind
                previous = NavLink(f"Previous {noun}", listing_href(earlier, category))
                beyond = latest is None or later.start > latest
                following = NavLink(
                    f"Next {noun}", None if beyond else listing_href(later, category)
                )
            else:
                previous = following = NavLink("", None)
            context = {
                "heading": _heading(shown),
                "period": shown,
                "page": page,
                "category": category,
                "categories": top_categories(session, shown),
                "previous": previous,
                "following": following,
                "tabs": _tabs(shown, category),
                "pager": _pager(page, page_number, lambda n: listing_href(shown, category, n)),
                "category_href": lambda c: listing_href(shown, c),
                "feed_href": f"/feeds/daily/{shown.start.isoformat()}.atom"
                if shown is not None and shown.kind == "day"
                else "/feeds/daily.atom",
            }
        return _render(request, "listing.html", context)

    return await cached(request, render)


@router.get("/papers/trending", response_class=HTMLResponse)
async def trending(request: Request, category: Category = None, page: PageNumber = 1) -> Response:
    page_size: int = request.app.state.settings.page_size

    def render() -> Rendered:
        with open_session(request) as session:
            result = trending_papers(
                session,
                category=category,
                offset=(page_number_offset(page, page_size)),
                limit=page_size,
            )
            base = "/papers/trending"
            context = {
                "heading": "Trending papers",
                "period": None,
                "page": result,
                "category": category,
                "categories": top_categories(session, None),
                "previous": NavLink("", None),
                "following": NavLink("", None),
                "tabs": _tabs(None, category, active="trending"),
                "pager": _pager(result, page, lambda n: listing_href(None, category, n, base)),
                "category_href": lambda c: listing_href(None, c, 1, base),
                "feed_href": "/feeds/daily.atom",
            }
        return _render(request, "listing.html", context)

    return await cached(request, render)


def page_number_offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size


@router.get("/papers/{arxiv_id:path}", response_class=HTMLResponse)
async def paper_page(request: Request, arxiv_id: str) -> Response:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise HTTPException(404, f"{arxiv_id!r} is not an arXiv identifier") from None
    if parsed.version is not None or parsed.base != arxiv_id:
        return RedirectResponse(f"/papers/{parsed.base}", status_code=301)

    def render() -> Rendered:
        with open_session(request) as session:
            paper = get_paper(session, parsed.base)
            if paper is None:
                raise HTTPException(404, f"No paper {parsed.base} here yet")
            context = {
                "paper": paper,
                "bibtex": paper_bibtex(paper),
                "listing_href": listing_href(day(paper.listing_date))
                if paper.listing_date
                else None,
            }
            return _render(request, "paper.html", context)

    return await cached(request, render)


def error_page(request: Request, status_code: int, message: str) -> Response:
    rendered = _render(request, "error.html", {"status_code": status_code, "message": message})
    return HTMLResponse(rendered.body, status_code=status_code)


def _heading(period: Period | None) -> str:
    if period is None:
        return "No papers yet"
    prefix = {"day": "Daily papers", "week": "Weekly papers", "month": "Monthly papers"}[
        period.kind
    ]
    return f"{prefix} · {period.label}"


def _tabs(
    period: Period | None, category: str | None, active: str | None = None
) -> list[dict[str, Any]]:
    anchor = period.start if period is not None else None
    tabs = []
    for kind, label in (("day", "Daily"), ("week", "Weekly"), ("month", "Monthly")):
        target = None
        if anchor is not None:
            target = {"day": day, "week": week_of, "month": month_of}[kind](anchor)
        href = listing_href(target, category)
        is_active = active is None and period is not None and period.kind == kind
        tabs.append({"label": label, "href": href, "active": is_active})
    tabs.append(
        {
            "label": "Trending",
            "href": listing_href(None, category, 1, "/papers/trending"),
            "active": active == "trending",
        }
    )
    return tabs


def _pager(page: PaperPage, current: int, href: Any) -> dict[str, Any]:
    pages = max(1, ceil(page.total / page.limit)) if page.limit else 1
    return {
        "current": current,
        "pages": pages,
        "previous": href(current - 1) if current > 1 else None,
        "next": href(current + 1) if current < pages else None,
    }
