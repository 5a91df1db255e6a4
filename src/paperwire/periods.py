"""The periods a listing can cover: a day, an ISO week, a month.

Both the web pages and the HF-compatible API take ``date=YYYY-MM-DD``,
``week=YYYY-Www`` or ``month=YYYY-MM``; parsing lives here so both refuse bad
input with the same message.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["day", "week", "month"]

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.strftime("%A, %B %-d, %Y")
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year} ({self.start:%b %-d} to {self.end:%b %-d})"
        return self.start.strftime("%B %Y")

    @property
    def param(self) -> tuple[str, str]:
        """The query parameter that names this period, for links."""
        if self.kind == "day":
            return ("date", self.start.isoformat())
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return ("week", f"{year}-W{week:02d}")
        return ("month", f"{self.start:%Y-%m}")

    def shifted(self, steps: int) -> "Period":
        """The period ``steps`` before (negative) or after (positive) this one."""
        if self.kind == "day":
            return day(self.start + timedelta(days=steps))
        if self.kind == "week":
            return week_of(self.start + timedelta(weeks=steps))
        month_index = self.start.year * 12 + self.start.month - 1 + steps
        return month_of(date(month_index // 12, month_index % 12 + 1, 1))


def day(value: date) -> Period:
    return Period("day", value, value)


def week_of(value: date) -> Period:
    monday = value - timedelta(days=value.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_of(value: date) -> Period:
    first = value.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, next_month - timedelta(days=1))


def parse_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(f"date must be YYYY-MM-DD, got {text!r}") from None


def parse_week(text: str) -> Period:
    match = _WEEK.fullmatch(text)
    if not match:
        raise InvalidPeriod(f"week must be YYYY-Www (ISO week), got {text!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidPeriod(f"no such ISO week: {text!r}") from None
    return week_of(monday)


def parse_month(text: str) -> Period:
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise InvalidPeriod(f"month must be YYYY-MM, got {text!r}")
    return month_of(date(int(match[1]), int(match[2]), 1))


def parse_period(
    *, date_text: str | None, week_text: str | None, month_text: str | None
) -> Period | None:
    """At most one of the three may be given; None when none is."""
    given = [text for text in (date_text, week_text, month_text) if text]
    if len(given) > 1:
        raise InvalidPeriod("give only one of date, week and month")
    if date_text:
        return day(parse_date(date_text))
    if week_text:
        return parse_week(week_text)
    if month_text:
        return parse_month(month_text)
    return None
