"""When arXiv papers appear: the daily announcement schedule and version timestamps.

arXiv closes each day's submissions at 14:00 US/Eastern on weekdays and announces them
on the next weekday. Sources that only know when a paper was submitted derive its
listing date from that. Holidays (when arXiv skips or shifts announcements) are ignored:
a paper submitted just before a holiday gets the ordinary weekday, which is at most a
day or two early, and the store never moves a paper once it has a listing date.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from paperwire.records import RecordError

ARXIV_TIMEZONE = ZoneInfo("America/New_York")
SUBMISSION_CUTOFF = time(14, 0)
_SATURDAY = 5


def announcement_date(submitted: datetime) -> date:
    """The day a paper submitted at ``submitted`` appears on arXiv's daily list.

    A weekday submission before 14:00 Eastern belongs to that day's batch, anything later
    (or at a weekend) to the next weekday's; a batch is announced the weekday after.
    """
    if submitted.tzinfo is None:
        raise ValueError("submission time must be timezone-aware")
    local = submitted.astimezone(ARXIV_TIMEZONE)
    batch_day = local.date()
    if batch_day.weekday() >= _SATURDAY or local.time() >= SUBMISSION_CUTOFF:
        batch_day = _next_weekday(batch_day)
    return _next_weekday(batch_day)


def _next_weekday(day: date) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= _SATURDAY:
        following += timedelta(days=1)
    return following


@dataclass(frozen=True)
class VersionHistory:
    """What a paper's version list tells: first and latest submission, latest version."""

    published_at: datetime
    updated_at: datetime
    version: int

    @property
    def listing_date(self) -> date:
        return announcement_date(self.published_at)


def read_version_history(versions: Iterable[tuple[str, str]]) -> VersionHistory | None:
    """Summarise ``(label, date)`` pairs such as ``("v2", "Tue, 2 Apr 2013 01:50:08 GMT")``.

    arXivRaw and the metadata snapshot both list versions this way. Versions are ordered
    by number, not by position. None when there are no versions; RecordError when a label
    or date cannot be read, so the record is quarantined instead of getting wrong dates.
    """
    dated = sorted((_version_number(label), parse_arxiv_time(text)) for label, text in versions)
    if not dated:
        return None
    first, latest = dated[0], dated[-1]
    return VersionHistory(published_at=first[1], updated_at=latest[1], version=latest[0])


def parse_arxiv_time(text: str) -> datetime:
    """Read arXiv's RFC 2822 version dates (``Mon, 2 Apr 2007 19:18:42 GMT``) as UTC."""
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError) as error:
        raise RecordError(f"unparseable version date {text!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _version_number(label: str) -> int:
    digits = label.strip().lower().removeprefix("v")
    if not digits.isdigit():
        raise RecordError(f"unreadable version label {label!r}")
    return int(digits)
