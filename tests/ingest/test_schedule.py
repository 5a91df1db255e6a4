from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from paperwire.ingest.schedule import announcement_date, parse_arxiv_time, read_version_history
from paperwire.records import RecordError

EASTERN = ZoneInfo("America/New_York")


def eastern(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("submitted", "listed"),
    [
        (eastern(2025, 1, 6, 10), date(2025, 1, 7)),  # Monday morning -> Tuesday
        (eastern(2025, 1, 6, 13, 59), date(2025, 1, 7)),  # just before the cutoff
        (eastern(2025, 1, 6, 14), date(2025, 1, 8)),  # the cutoff itself counts as late
        (eastern(2025, 1, 8, 23), date(2025, 1, 10)),  # Wednesday night -> Friday
        (eastern(2025, 1, 10, 10), date(2025, 1, 13)),  # Friday morning -> Monday
        (eastern(2025, 1, 10, 15), date(2025, 1, 14)),  # Friday afternoon -> Tuesday
        (eastern(2025, 1, 11, 9), date(2025, 1, 14)),  # Saturday -> Tuesday
        (eastern(2025, 1, 12, 20), date(2025, 1, 14)),  # Sunday -> Tuesday
    ],
)
def test_announcement_follows_the_14h_eastern_cutoff(submitted: datetime, listed: date) -> None:
    assert announcement_date(submitted) == listed


def test_cutoff_is_eastern_time_across_daylight_saving() -> None:
    # 18:30 UTC is 13:30 EST in January (before the cutoff) but 14:30 EDT in July (after).
    assert announcement_date(datetime(2025, 1, 6, 18, 30, tzinfo=UTC)) == date(2025, 1, 7)
    assert announcement_date(datetime(2025, 7, 7, 18, 30, tzinfo=UTC)) == date(2025, 7, 9)


def test_any_timezone_is_converted_first() -> None:
    # Tuesday 02:00 in Tokyo is Monday 12:00 in New York (EST): before Monday's cutoff.
    tokyo = timezone(timedelta(hours=9))
    assert announcement_date(datetime(2025, 1, 7, 2, 0, tzinfo=tokyo)) == date(2025, 1, 7)


def test_holidays_are_ignored() -> None:
    # arXiv announces nothing on 25 December; the schedule still says Thursday 25th.
    assert announcement_date(eastern(2025, 12, 24, 10)) == date(2025, 12, 25)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        announcement_date(datetime(2025, 1, 6, 10))


def test_version_history_orders_by_number_and_reads_rfc2822_dates() -> None:
    history = read_version_history(
        [("v2", "Tue, 2 Apr 2013 01:50:08 GMT"), ("v1", "Fri, 8 Feb 2013 21:00:01 GMT")]
    )
    assert history is not None
    assert history.version == 2
    assert history.published_at == datetime(2013, 2, 8, 21, 0, 1, tzinfo=UTC)
    assert history.updated_at == datetime(2013, 4, 2, 1, 50, 8, tzinfo=UTC)
    # Friday 16:00 EST is after the cutoff: Monday's batch, listed Tuesday.
    assert history.listing_date == date(2013, 2, 12)


def test_version_history_of_nothing_is_none() -> None:
    assert read_version_history([]) is None


def test_bad_version_dates_and_labels_are_record_errors() -> None:
    with pytest.raises(RecordError, match="unparseable version date '2021-04-20 16:07:14'"):
        read_version_history([("v1", "2021-04-20 16:07:14")])
    with pytest.raises(RecordError, match="unreadable version label 'first'"):
        read_version_history([("first", "Mon, 2 Apr 2007 19:18:42 GMT")])


def test_arxiv_times_without_zone_are_utc() -> None:
    assert parse_arxiv_time("Mon, 2 Apr 2007 19:18:42 -0000") == datetime(
        2007, 4, 2, 19, 18, 42, tzinfo=UTC
    )
