"""Read queries over papers: listings by period and category, trending, lookup.

These are the plain functions behind the web pages, the JSON API and the CLI.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Select, UnaryExpression, func, select
from sqlalchemy.orm import Session

from paperwire.periods import Period
from paperwire.store.schema import Paper, PaperCategory, StoreState

ListingSort = Literal["publishedAt", "trending"]
TRENDING_WINDOW_DAYS = 7


@dataclass
class PaperPage:
    papers: Sequence[Paper]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.papers) < self.total


def get_paper(session: Session, arxiv_id: str) -> Paper | None:
    return session.scalars(select(Paper).where(Paper.arxiv_id == arxiv_id)).first()


def latest_listing_date(session: Session) -> date | None:
    return session.scalar(select(func.max(Paper.listing_date)))


def neighbour_listing_dates(session: Session, day: date) -> tuple[date | None, date | None]:
    """The nearest listing days before and after ``day`` that have papers."""
    before = session.scalar(select(func.max(Paper.listing_date)).where(Paper.listing_date < day))
    after = session.scalar(select(func.min(Paper.listing_date)).where(Paper.listing_date > day))
    return before, after


def list_papers(
    session: Session,
    *,
    period: Period | None = None,
    category: str | None = None,
    sort: ListingSort = "publishedAt",
    offset: int = 0,
    limit: int = 50,
) -> PaperPage:
    """Papers of a period (all periods when None), newest listing day first."""
    statement = select(Paper)
    if period is not None:
        statement = statement.where(Paper.listing_date.between(period.start, period.end))
    statement = _in_category(statement, category)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    statement = statement.order_by(*_order(sort)).offset(offset).limit(limit)
    return PaperPage(list(session.scalars(statement)), total, offset, limit)


def trending_papers(
    session: Session, *, category: str | None = None, offset: int = 0, limit: int = 50
) -> PaperPage:
    """The papers of the last week of listings, most recent first, until votes exist."""
    latest = latest_listing_date(session)
    if latest is None:
        return PaperPage([], 0, offset, limit)
    window = Period("day", latest - timedelta(days=TRENDING_WINDOW_DAYS - 1), latest)
    return list_papers(
        session, period=window, category=category, sort="trending", offset=offset, limit=limit
    )


def data_version(session: Session) -> int:
    return session.scalar(select(StoreState.data_version).where(StoreState.id == 1)) or 0


def _in_category(statement: Select[Paper], category: str | None) -> Select[Paper]:
    if not category:
        return statement
    in_category = select(PaperCategory.paper_id).where(PaperCategory.category == category)
    return statement.where(Paper.id.in_(in_category))


def _order(sort: ListingSort) -> tuple[UnaryExpression[Any], ...]:
    if sort == "trending":
        return (Paper.listing_date.desc(), Paper.published_at.desc(), Paper.arxiv_id.desc())
    return (Paper.listing_date.desc(), Paper.arxiv_id.desc())


def top_categories(
    session: Session, period: Period | None, *, limit: int = 12
) -> list[tuple[str, int]]:
    """The categories with most papers in a period, for the filter bar."""
    count = func.count().label("papers")
    statement = select(PaperCategory.category, count).join(
        Paper, Paper.id == PaperCategory.paper_id
    )
    if period is not None:
        statement = statement.where(Paper.listing_date.between(period.start, period.end))
    statement = statement.group_by(PaperCategory.category).order_by(count.desc()).limit(limit)
    return [(category, papers) for category, papers in session.execute(statement)]
