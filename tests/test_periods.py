from datetime import date

import pytest

from paperwire.periods import InvalidPeriod, day, parse_month, parse_period, parse_week


def test_iso_week_runs_monday_to_sunday() -> None:
    week = parse_week("2026-W27")
    assert (week.start, week.end) == (date(2026, 6, 29), date(2026, 7, 5))
    assert week.param == ("week", "2026-W27")
    assert week.shifted(1).param == ("week", "2026-W28")


def test_week_across_a_year_boundary() -> None:
    week = parse_week("2026-W01")
    assert week.start == date(2025, 12, 29)
    assert week.shifted(-1).param == ("week", "2025-W52")


def test_month_bounds_and_shifts() -> None:
    month = parse_month("2024-02")
    assert (month.start, month.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month.shifted(-2).param == ("month", "2023-12")
    assert month.shifted(11).param == ("month", "2025-01")


def test_day_shift_and_label() -> None:
    assert day(date(2026, 7, 1)).shifted(-1).start == date(2026, 6, 30)
    assert day(date(2026, 7, 1)).label == "Wednesday, July 1, 2026"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_text": "2026-13-01"}, "date must be YYYY-MM-DD"),
        ({"date_text": "2026-1-1"}, "date must be YYYY-MM-DD"),
        ({"week_text": "2026-27"}, "week must be YYYY-Www"),
        ({"week_text": "2026-W54"}, "no such ISO week"),
        ({"month_text": "2026-00"}, "month must be YYYY-MM"),
        ({"date_text": "2026-07-01", "month_text": "2026-07"}, "only one of"),
    ],
)
def test_bad_periods_explain_themselves(kwargs: dict[str, str], message: str) -> None:
    arguments: dict[str, str | None] = {"date_text": None, "week_text": None, "month_text": None}
    arguments.update(kwargs)
    with pytest.raises(InvalidPeriod, match=message):
        parse_period(**arguments)


def test_no_period_given() -> None:
    assert parse_period(date_text=None, week_text=None, month_text=None) is None
