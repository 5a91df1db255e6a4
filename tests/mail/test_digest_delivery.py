"""Digests and alerts delivered to a real SMTP relay, parsed back: who, what, which day."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.digests import due_periods
from paperwire.mail.lock import sender_lock
from paperwire.mail.outbox import send_due
from paperwire.mail.subscriptions import make_wish, subscribe, unsubscribe
from paperwire.store.schema import OutboxMessage, Subscription
from support.mail_reading import html_of, paper_ids_in, text_of
from support.samples import SAMPLE
from support.smtp import MailCatcher

DAY = "2026-06-30"


def add(engine: Engine, email: str, kind: str, target: str | None = None) -> int:
    with Session(engine) as session:
        return subscribe(
            session, email, make_wish(kind, target), confirmed=True, now=datetime.now(UTC)
        ).id


def listed(day: str) -> list[dict[str, Any]]:
    return [paper for paper in SAMPLE if paper["listing_date"] == day]


def test_each_kind_gets_the_papers_of_its_period(
    sample_engine: Engine, relay: MailCatcher, mail_settings: Settings
) -> None:
    day_papers = listed(DAY)
    author = day_papers[3]["authors"][0]
    add(sample_engine, "daily@example.org", "daily")
    add(sample_engine, "weekly@example.org", "weekly")
    add(sample_engine, "query@example.org", "query", "language")
    add(sample_engine, "author@example.org", "author", author.upper())
    add(sample_engine, "category@example.org", "category", "cs.CL")
    add(sample_engine, "nothing@example.org", "query", "zebrafish cryptocurrency")
    with Session(sample_engine) as session:
        subscribe(
            session,
            "pending@example.org",
            make_wish("daily"),
            confirmed=False,
            now=datetime.now(UTC),
        )

    report = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30))
    assert (report.planned, report.sent, report.failed) == (5, 5, 0)
    assert report.week == "2026-W26"
    received = relay.wait_for(5)
    assert sorted(r for mail in received for r in mail.recipients) == [
        "author@example.org",
        "category@example.org",
        "daily@example.org",
        "query@example.org",
        "weekly@example.org",
    ]
    by_recipient = {mail.recipients[0]: mail.message for mail in received}

    daily = by_recipient["daily@example.org"]
    assert daily["Subject"] == "Top papers · Tuesday, June 30, 2026"
    assert daily["From"] == "Paperwire <digest@papers.example.org>"
    assert daily.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in daily.iter_parts()] == ["text/plain", "text/html"]
    assert [part.defects for part in daily.walk()] == [[], [], []], "well-formed MIME"
    shown = paper_ids_in(daily)
    assert len(shown) == 5 and set(shown) <= {p["id"] for p in day_papers}
    html = html_of(daily)
    first = next(p for p in day_papers if p["id"] == shown[0])
    assert str(first["title"]) in html and str(first["title"]) in text_of(daily)
    assert f"https://arxiv.org/pdf/{shown[0]}" in html
    assert 'style="' in html and "<style" not in html, "inline CSS only"
    assert "max-width:600px" in html
    assert daily["Message-ID"].startswith("<paperwire.") and "2026-06-30" in daily["Message-ID"]
    assert (
        daily["List-Unsubscribe"].startswith("<http")
        and "/subscriptions/unsubscribe/" in daily["List-Unsubscribe"]
    )
    assert daily["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    weekly = by_recipient["weekly@example.org"]
    assert set(paper_ids_in(weekly)) <= {p["id"] for p in listed("2026-06-26")}
    assert weekly["Subject"] == "Top papers · Week 26, 2026 (Jun 22 to Jun 28)"

    expected_query = [
        p["id"]
        for p in day_papers
        if "language" in " ".join([p["title"], p["abstract"], *p["authors"]]).lower()
    ]
    assert sorted(paper_ids_in(by_recipient["query@example.org"])) == sorted(expected_query)
    assert by_recipient["query@example.org"]["Subject"] == (
        f"{len(expected_query)} new papers matching “language”"
    )
    by_author = [p["id"] for p in day_papers if author in p["authors"]]
    assert paper_ids_in(by_recipient["author@example.org"]) == by_author
    in_category = {p["id"] for p in day_papers if "cs.CL" in p["categories"]}
    assert set(paper_ids_in(by_recipient["category@example.org"])) == in_category

    rerun = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30))
    assert (rerun.planned, rerun.sent) == (0, 0)
    assert len(relay.received) == 5


def test_failures_retry_with_back_off_and_bounces_pause(
    sample_engine: Engine, relay: MailCatcher, mail_settings: Settings
) -> None:
    mail_settings.mail_bounce_limit = 2
    busy = add(sample_engine, "busy@example.org", "daily")
    gone = add(sample_engine, "gone@example.org", "daily")
    add(sample_engine, "fine@example.org", "daily")
    relay.refuse["busy@example.org"] = (451, "Try again later")
    relay.refuse["gone@example.org"] = (550, "No such user")
    now = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)

    first = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30), now=now)
    assert (first.sent, first.deferred, first.failed, first.waiting) == (1, 1, 1, 1)
    with Session(sample_engine) as session:
        busy_row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subscription_id == busy)
        ).one()
        assert busy_row.status == "pending" and busy_row.attempts == 1
        assert busy_row.next_attempt_at >= now + timedelta(seconds=mail_settings.mail_retry_seconds)
        assert "451" in (busy_row.last_error or "")
        assert session.get(Subscription, gone).hard_bounces == 1  # type: ignore[union-attr]

    del relay.refuse["busy@example.org"]
    too_soon = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30), now=now)
    assert too_soon.sent == 0 and too_soon.waiting == 1
    later = now + timedelta(seconds=mail_settings.mail_retry_seconds + 1)
    retried = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30), now=later)
    assert retried.sent == 1
    assert [mail.recipients for mail in relay.wait_for(2)] == [
        ["fine@example.org"],
        ["busy@example.org"],
    ]

    second_day = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 29), now=later)
    assert (second_day.sent, second_day.failed, second_day.paused) == (2, 1, 1)
    with Session(sample_engine) as session:
        paused = session.get(Subscription, gone)
        assert (
            paused is not None and paused.status == "paused" and "550" in (paused.last_error or "")
        )
    third_day = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 26), now=later)
    assert third_day.planned == 2, "a paused subscription gets nothing"


def test_a_message_waiting_for_a_retry_is_dropped_after_unsubscribing(
    sample_engine: Engine, relay: MailCatcher, mail_settings: Settings
) -> None:
    subscription_id = add(sample_engine, "leaving@example.org", "weekly")
    relay.refuse["leaving@example.org"] = (421, "Busy")
    now = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30), now=now).deferred == 1
    with Session(sample_engine) as session:
        unsubscribe(session, subscription_id, "leaving@example.org", now)
    del relay.refuse["leaving@example.org"]
    later = send_due(
        sample_engine, mail_settings, on_date=date(2026, 6, 30), now=now + timedelta(days=1)
    )
    assert (later.sent, later.cancelled, later.waiting) == (0, 1, 0)
    assert relay.received == []


def test_what_is_due_without_a_date(sample_engine: Engine, mail_settings: Settings) -> None:
    with Session(sample_engine) as session:
        fresh = due_periods(session, mail_settings, None, date(2026, 7, 1))
        assert fresh.day == date(2026, 6, 30) and fresh.period_of("weekly") == "2026-W26"
        stale = due_periods(session, mail_settings, None, date(2026, 7, 10))
        assert stale.day is None and stale.period_of("daily") is None
        saturday = due_periods(session, mail_settings, date(2026, 6, 27), date(2026, 7, 1))
        assert saturday.period_of("daily") is None and saturday.period_of("query") == "2026-06-27"
        mail_settings.digest_weekdays_only = False
        anyday = due_periods(session, mail_settings, date(2026, 6, 27), date(2026, 7, 1))
        assert anyday.period_of("daily") == "2026-06-27"


def test_one_sender_at_a_time(sample_engine: Engine, mail_settings: Settings) -> None:
    add(sample_engine, "daily@example.org", "daily")
    with sender_lock(sample_engine) as first:
        assert first
        report = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30))
        assert report.another_sender and report.sent == 0
    with sender_lock(sample_engine) as again:
        assert again, "the lock is free once its holder is done"


def test_a_dry_run_sends_and_stores_nothing(
    sample_engine: Engine, relay: MailCatcher, mail_settings: Settings
) -> None:
    add(sample_engine, "daily@example.org", "daily")
    add(sample_engine, "alert@example.org", "author", "Nobody Atall")
    report = send_due(sample_engine, mail_settings, on_date=date(2026, 6, 30), dry_run=True)
    assert report.planned_by_kind == {"daily": 1}
    with Session(sample_engine) as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    assert relay.received == []
