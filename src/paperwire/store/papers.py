"""Read queries over papers: listings by period and category, trending, lookup.

These are the plain functions behind the web pages, the JSON API and the CLI. Papers
hidden by moderators are left out of every listing.

Trending ranks the papers of the last week of listings by a gravity score, as Hacker
News does::

    score = (upvotes + COMMENT_WEIGHT * comments + 1) / (age_hours + 2) ** TRENDING_GRAVITY

``age_hours`` counts from when the paper was put on a list (submitted, or the start of
its listing day, UTC) to now; a store that is no longer fed ranks as of the end of its
latest listing day, so it does not age into a tie. The ``+ 1`` lets fresh papers without
votes show newest first; the gravity makes a vote today worth more than one last week.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, UnaryExpression, func, select
from sqlalchemy.orm import Session

from paperwire.periods import Period
from paperwire.store.schema import Paper, PaperActivity, PaperCategory, StoreState

ListingSort = Literal["publishedAt", "trending"]
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])
TRENDING_WINDOW_DAYS = 7
TRENDING_GRAVITY = 1.5
COMMENT_WEIGHT = 0.5


@dataclass
class PaperPage:
    papers: Sequence[Paper]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.papers) < self.total


def get_paper(session: Session, arxiv_id: str, *, include_hidden: bool = False) -> Paper | None:
    paper = session.scalars(select(Paper).where(Paper.arxiv_id == arxiv_id)).first()
    if paper is not None and paper.is_hidden and not include_hidden:
        return None
    return paper


def latest_listing_date(session: Session) -> date | None:
    latest: date | None = session.scalar(visible_only(select(func.max(Paper.listing_date))))
    return latest


def neighbour_listing_dates(session: Session, day: date) -> tuple[date | None, date | None]:
    """The nearest listing days before and after ``day`` that have papers."""
    before = session.scalar(
        visible_only(select(func.max(Paper.listing_date)).where(Paper.listing_date < day))
    )
    after = session.scalar(
        visible_only(select(func.min(Paper.listing_date)).where(Paper.listing_date > day))
    )
    return before, after


def visible_only(statement: SelectT) -> SelectT:
    """Leave out papers the moderators hid; every query that lists papers goes through it."""
    hidden = select(PaperActivity.paper_id).where(PaperActivity.hidden_at.is_not(None))
    return statement.where(Paper.id.not_in(hidden))


def list_papers(
    session: Session,
    *,
    period: Period | None = None,
    category: str | None = None,
    sort: ListingSort = "publishedAt",
    submitted_by: int | None = None,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> PaperPage:
    """Papers of a period (all periods when None), newest listing day first or trending."""
    statement = visible_only(select(Paper))
    if period is not None:
        statement = statement.where(Paper.listing_date.between(period.start, period.end))
    statement = _in_category(statement, category)
    if submitted_by is not None:
        submitted = select(PaperActivity.paper_id).where(
            PaperActivity.submitted_by_id == submitted_by
        )
        statement = statement.where(Paper.id.in_(submitted))
    if sort == "trending":
        return _by_trending_score(session, statement, offset, limit, now)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    statement = statement.order_by(*_order(sort)).offset(offset).limit(limit)
    return PaperPage(list(session.scalars(statement)), total, offset, limit)


def trending_papers(
    session: Session,
    *,
    category: str | None = None,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> PaperPage:
    """The papers of the last week of listings, highest trending score first."""
    latest = latest_listing_date(session)
    if latest is None:
        return PaperPage([], 0, offset, limit)
    window = Period("day", latest - timedelta(days=TRENDING_WINDOW_DAYS - 1), latest)
    return list_papers(
        session,
        period=window,
        category=category,
        sort="trending",
        offset=offset,
        limit=limit,
        now=now,
    )


def trending_score(upvotes: int, comments: int, age_hours: float) -> float:
    weight = upvotes + COMMENT_WEIGHT * comments + 1
    return float(weight / (max(age_hours, 0.0) + 2) ** TRENDING_GRAVITY)


def _by_trending_score(
    session: Session, papers: Select[Any], offset: int, limit: int, now: datetime | None
) -> PaperPage:
    """Score every candidate (a week of listings is a few thousand rows), then load a page."""
    candidates = papers.subquery()
    rows = session.execute(
        select(
            candidates.c.id,
            candidates.c.arxiv_id,
            candidates.c.listing_date,
            PaperActivity.upvotes,
            PaperActivity.comments,
            PaperActivity.submitted_at,
        ).outerjoin(PaperActivity, PaperActivity.paper_id == candidates.c.id)
    ).all()
    if not rows:
        return PaperPage([], 0, offset, limit)
    latest = max((row.listing_date for row in rows if row.listing_date), default=None)
    moment = now or datetime.now(UTC)
    if latest is not None:
        moment = min(moment, _day_start(latest + timedelta(days=1)))

    def rank(row: Any) -> tuple[float, date, str]:
        listed_at = row.submitted_at or (
            _day_start(row.listing_date) if row.listing_date else moment
        )
        age_hours = (moment - listed_at).total_seconds() / 3600
        score = trending_score(row.upvotes or 0, row.comments or 0, age_hours)
        return (score, row.listing_date or date.min, row.arxiv_id)

    ranked = sorted(rows, key=rank, reverse=True)[offset : offset + limit]
    ids = [row.id for row in ranked]
    loaded = {paper.id: paper for paper in session.scalars(select(Paper).where(Paper.id.in_(ids)))}
    return PaperPage([loaded[paper_id] for paper_id in ids], len(rows), offset, limit)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def data_version(session: Session) -> int:
    return session.scalar(select(StoreState.data_version).where(StoreState.id == 1)) or 0


def _in_category(statement: Select[Paper], category: str | None) -> Select[Paper]:
    if not category:
        return statement
    in_category = select(PaperCategory.paper_id).where(PaperCategory.category == category)
    return statement.where(Paper.id.in_(in_category))


def _order(sort: ListingSort) -> tuple[UnaryExpression[Any], ...]:
    return (Paper.listing_date.desc(), Paper.arxiv_id.desc())


def top_categories(
    session: Session, period: Period | None, *, limit: int = 12
) -> list[tuple[str, int]]:
    """The categories with most papers in a period, for the filter bar."""
    count = func.count().label("papers")
    statement = visible_only(
        select(PaperCategory.category, count).join(Paper, Paper.id == PaperCategory.paper_id)
    )
    if period is not None:
        statement = statement.where(Paper.listing_date.between(period.start, period.end))
    statement = statement.group_by(PaperCategory.category).order_by(count.desc()).limit(limit)
    return [(category, papers) for category, papers in session.execute(statement)]
