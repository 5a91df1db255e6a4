"""What is due and what each message shows: digests of a listing day or week, and alerts.

A period is the unit of "one message": a listing day (``2026-06-30``) for daily digests
and alerts, an ISO week (``2026-W27``) for weekly digests. Alerts match the papers listed
on the day, which are the ones the day's ingest brought in. The top papers come from the
store's listing functions with their trending order, so a better trending score reaches
digests without changes here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.compose import DigestContent, MailPaper
from paperwire.mail.matching import matching_papers, papers_by_author, papers_in_category
from paperwire.periods import Period, day, parse_week, week_of
from paperwire.search.hybrid import SearchService, open_search
from paperwire.store.papers import list_papers
from paperwire.store.schema import Paper

DAY_KINDS = ("daily", "query", "author", "category")
ALL_OF_A_DAY = 100_000


@dataclass(frozen=True)
class Due:
    """The periods a run sends for: a listing day (daily digests, alerts) and a week."""

    day: date | None
    week: Period | None
    daily_digests: bool = True  # False on a weekend day when digests are weekday-only

    def period_of(self, kind: str) -> str | None:
        if kind == "weekly":
            return week_key(self.week) if self.week else None
        if kind == "daily" and not self.daily_digests:
            return None
        return self.day.isoformat() if self.day else None


def week_key(week: Period) -> str:
    return week.param[1]


def due_periods(session: Session, settings: Settings, on_date: date | None, today: date) -> Due:
    """With ``on_date``, that listing day and the week before it; otherwise what is due today.

    Without a date the listing day is the latest one with papers, unless it is older than
    ``digest_max_age_days`` (then ingest has stalled and old news is not worth a mail);
    the week is the last complete ISO week. Either is sent once, by whichever run first
    finds it due, so cron may run this as often as it likes.
    """
    reference = on_date or today
    if on_date is not None:
        listing_day: date | None = on_date
    else:
        latest = session.scalar(
            select(func.max(Paper.listing_date)).where(Paper.listing_date <= today)
        )
        fresh = latest is not None and (today - latest).days <= settings.digest_max_age_days
        listing_day = latest if fresh else None
    weekend = listing_day is not None and listing_day.weekday() >= 5
    return Due(
        day=listing_day,
        week=week_of(reference).shifted(-1),
        daily_digests=not (weekend and settings.digest_weekdays_only),
    )


class ContentBuilder:
    """Chooses the papers of each message; remembers what many subscribers share."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self._day_papers: dict[date, list[Paper]] = {}
        self._top: dict[str, list[int]] = {}
        self._alerts: dict[tuple[str, str, str], list[int]] = {}
        self._search: SearchService | None = None

    def search(self) -> SearchService:
        """The search index, brought up to date once: alerts match just-ingested papers."""
        if self._search is None:
            engine = self.session.get_bind()
            assert isinstance(engine, Engine)
            self._search = open_search(self.settings, engine)
            self._search.index.sync(engine)
        return self._search

    def paper_ids(self, kind: str, target: str, target_key: str, period: str) -> list[int]:
        """The papers a subscription gets for a period, best first; empty means no message."""
        if kind in ("daily", "weekly"):
            top = self._top.get(period)
            if top is None:
                shown = _period_from_key(period)
                page = list_papers(
                    self.session, period=shown, sort="trending", limit=self.settings.digest_papers
                )
                top = self._top[period] = [paper.id for paper in page.papers]
            return top
        key = (kind, target_key, period)
        found = self._alerts.get(key)
        if found is None:
            candidates = self.papers_of_day(date.fromisoformat(period))
            if kind == "query":
                matched = matching_papers(self.search(), target, candidates)
            elif kind == "author":
                matched = papers_by_author(target_key, candidates)
            else:
                matched = papers_in_category(target_key, candidates)
            found = self._alerts[key] = [paper.id for paper in matched]
        return found

    def papers_of_day(self, listing_day: date) -> list[Paper]:
        papers = self._day_papers.get(listing_day)
        if papers is None:
            page = list_papers(
                self.session, period=day(listing_day), sort="trending", limit=ALL_OF_A_DAY
            )
            papers = self._day_papers[listing_day] = list(page.papers)
        return papers


def digest_content(
    settings: Settings,
    base_url: str,
    kind: str,
    target: str,
    period: str,
    papers: Sequence[MailPaper],
) -> DigestContent:
    """Subject, heading and links of a message whose papers are chosen already."""
    shown = _period_from_key(period)
    count = len(papers)
    listing = f"{base_url}/papers?{'='.join(shown.param)}"
    if kind in ("daily", "weekly"):
        span = "day" if kind == "daily" else "week"
        label = shown.label if kind == "daily" else shown.label.replace("Week", "week", 1)
        return DigestContent(
            subject=f"Top papers · {shown.label}",
            heading=f"Top papers of {label}",
            intro=f"The top {count} papers of the {span} on {settings.site_name}.",
            papers=papers,
            total=count,
            more_url=listing,
            more_label=f"See every paper of the {span}",
        )
    limit = settings.alert_papers
    plural = "" if count == 1 else "s"
    if kind == "query":
        heading = f"{count} new paper{plural} matching “{target}”"
    elif kind == "author":
        heading = f"{count} new paper{plural} by {target}"
    else:
        heading = f"{count} new paper{plural} in {target}"
        listing += f"&category={target}"
    return DigestContent(
        subject=heading,
        heading=heading,
        intro=f"Listed on {shown.label}."
        + (f" The first {limit} are below." if count > limit else ""),
        papers=papers[:limit],
        total=count,
        more_url=listing,
        more_label=f"See all {count} papers of the day"
        if kind == "category"
        else "See the whole day",
    )


def _period_from_key(period: str) -> Period:
    if "W" in period:
        return parse_week(period)
    return day(date.fromisoformat(period))
