"""Exactly-once sending through the outbox: plan one row per (subscription, period), then deliver.

The guarantee. Planning inserts at most one row per (subscription, period), whatever
the number of runs. Delivery claims rows (``sending``), and writes each message to the
relay up to, not including, the final ``.`` of DATA; it then commits the row as
``sent``, and only then writes the dot. A relay keeps nothing until that dot, so:

- killed before the commit: the relay dropped the message; the row is still ``sending``
  and the next run (holding the sender lock, so the claim is known to be dead) sends it;
- killed after the commit: the row says sent, and the relay has the message unless the
  process died in the microseconds between the commit and writing the dot. That window
  is the one way to lose a message; there is no way to send one twice.

Every attempt at a row carries the same Message-ID (derived from the row's key), so even
a copy sent by hand or by a relay's own retry is recognisable. A relay answering 4xx
sends the row back to ``pending`` with doubling back-off; a 5xx fails it for good and
counts a hard bounce against the subscription, which is paused after
``mail_bounce_limit`` in a row. Nothing new in a period means no row and no message.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, and_, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.compose import DigestContent, MailComposer, MailPaper, Recipient
from paperwire.mail.digests import DAY_KINDS, ContentBuilder, Due, digest_content, due_periods
from paperwire.mail.lock import sender_lock
from paperwire.mail.mime import OutgoingMail
from paperwire.mail.smtp import MailDeliveryError, SmtpConnection
from paperwire.mail.tokens import link_signer
from paperwire.store.schema import OutboxMessage, Paper, Subscription

CLAIM_BATCH = 500
INSERT_BATCH = 1000
TRANSIENT_FAILURES_BEFORE_GIVING_UP_THE_RUN = 5


@dataclass
class SendReport:
    day: date | None = None
    week: str | None = None
    planned: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    paused: int = 0
    waiting: int = 0  # rows left pending for a later run (back-off)
    another_sender: bool = False  # the lock was taken: someone else is sending
    planned_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedMessage:
    subscription_id: int
    kind: str
    period: str
    paper_ids: list[int]


def send_due(
    engine: Engine,
    settings: Settings,
    *,
    on_date: date | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> SendReport:
    """Plan what is due and deliver every pending message; safe to run at any time."""
    now = now or datetime.now(UTC)
    with sender_lock(engine) as acquired:
        if not acquired:
            return SendReport(another_sender=True)
        with Session(engine) as session:
            due = due_periods(session, settings, on_date, now.date())
            plans = plan_messages(session, settings, due)
            report = SendReport(day=due.day, week=due.period_of("weekly"), planned=len(plans))
            for plan in plans:
                report.planned_by_kind[plan.kind] = report.planned_by_kind.get(plan.kind, 0) + 1
            if dry_run:
                return report
            store_plans(session, plans, now)
        deliver(engine, settings, report, now=now)
    return report


def plan_messages(session: Session, settings: Settings, due: Due) -> list[PlannedMessage]:
    """One message for every active subscription that has news and no row for its period yet."""
    builder = ContentBuilder(session, settings)
    plans = []
    for kinds in (DAY_KINDS, ("weekly",)):
        for subscription_id, kind, target, target_key in _unplanned(session, due, kinds):
            period = due.period_of(kind)
            assert period is not None
            paper_ids = builder.paper_ids(kind, target, target_key, period)
            if paper_ids:
                plans.append(PlannedMessage(subscription_id, kind, period, paper_ids))
    return plans


def _unplanned(session: Session, due: Due, kinds: Sequence[str]) -> list[tuple[int, str, str, str]]:
    rows: list[tuple[int, str, str, str]] = []
    for kind in kinds:
        period = due.period_of(kind)
        if period is None:
            continue
        planned = exists().where(
            and_(OutboxMessage.subscription_id == Subscription.id, OutboxMessage.period == period)
        )
        statement = (
            select(Subscription.id, Subscription.kind, Subscription.target, Subscription.target_key)
            .where(Subscription.status == "active", Subscription.kind == kind, ~planned)
            .order_by(Subscription.id)
        )
        rows.extend(tuple(row) for row in session.execute(statement))  # type: ignore[misc]
    return rows


def store_plans(session: Session, plans: Sequence[PlannedMessage], now: datetime) -> None:
    """Insert the planned rows; a row another run planned first is left as it is."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [
        {
            "subscription_id": plan.subscription_id,
            "period": plan.period,
            "status": "pending",
            "paper_ids": plan.paper_ids,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for plan in plans
    ]
    for start in range(0, len(rows), INSERT_BATCH):
        statement = dialect.insert(OutboxMessage).on_conflict_do_nothing(
            index_elements=["subscription_id", "period"]
        )
        session.execute(statement, rows[start : start + INSERT_BATCH])
    session.commit()


def deliver(engine: Engine, settings: Settings, report: SendReport, *, now: datetime) -> None:
    """Send every row that is due; the caller holds the sender lock."""
    composer = _DigestComposer(settings, MailComposer(settings, link_signer(engine, settings)))
    smtp = SmtpConnection(settings)
    transient_in_a_row = 0
    try:
        with Session(engine, expire_on_commit=False) as session:
            while transient_in_a_row < TRANSIENT_FAILURES_BEFORE_GIVING_UP_THE_RUN:
                batch = _claim(session, now)
                if not batch:
                    break
                composer.load_papers(session, batch)
                for row, subscription in batch:
                    if transient_in_a_row >= TRANSIENT_FAILURES_BEFORE_GIVING_UP_THE_RUN:
                        _release(session, row)  # the relay is in trouble: stop for now
                    elif subscription.status != "active":
                        row.status = "cancelled"  # unsubscribed or paused since planning
                        report.cancelled += 1
                        session.commit()
                    else:
                        message = composer.message(row, subscription)
                        transient = _send_one(
                            session, smtp, settings, row, subscription, message, report, now
                        )
                        transient_in_a_row = transient_in_a_row + 1 if transient else 0
                session.expunge_all()
    finally:
        smtp.close()
    with Session(engine) as session:
        waiting = select(func.count()).where(OutboxMessage.status.in_(["pending", "sending"]))
        report.waiting = session.scalar(waiting) or 0


class _DigestComposer:
    """Builds each row's message, reusing papers and contents that many rows share."""

    def __init__(self, settings: Settings, composer: MailComposer) -> None:
        self.settings = settings
        self.composer = composer
        self.papers: dict[int, MailPaper] = {}
        self.contents: dict[tuple[str, str, str, tuple[int, ...]], DigestContent] = {}

    def load_papers(
        self, session: Session, batch: Sequence[tuple[OutboxMessage, Subscription]]
    ) -> None:
        wanted = sorted({i for row, _ in batch for i in row.paper_ids} - self.papers.keys())
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            for paper in session.scalars(select(Paper).where(Paper.id.in_(chunk))):
                self.papers[paper.id] = MailPaper.of(paper, self.composer.base_url)

    def message(self, row: OutboxMessage, subscription: Subscription) -> OutgoingMail:
        key = (subscription.kind, subscription.target, row.period, tuple(row.paper_ids))
        content = self.contents.get(key)
        if content is None:
            shown = [self.papers[i] for i in row.paper_ids if i in self.papers]
            content = self.contents[key] = digest_content(
                self.settings,
                self.composer.base_url,
                subscription.kind,
                subscription.target,
                row.period,
                shown,
            )
        recipient = Recipient(
            subscription.id, subscription.email, subscription.kind, subscription.target
        )
        return self.composer.digest(recipient, row.period, content)


def _claim(session: Session, now: datetime) -> list[tuple[OutboxMessage, Subscription]]:
    """Mark the next batch of due rows as being sent (a dead run's claims included)."""
    statement = (
        select(OutboxMessage, Subscription)
        .join(Subscription, Subscription.id == OutboxMessage.subscription_id)
        .where(
            OutboxMessage.status.in_(["pending", "sending"]),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(CLAIM_BATCH)
    )
    batch = [(row, subscription) for row, subscription in session.execute(statement)]
    if not batch:
        return []
    claimed_at = datetime.now(UTC)
    for row, _ in batch:
        row.status = "sending"
        row.claimed_at = claimed_at
        row.attempts += 1
    session.commit()
    return batch


def _release(session: Session, row: OutboxMessage) -> None:
    """Give back a claimed row untouched when the run stops early."""
    row.status = "pending"
    row.attempts -= 1
    session.commit()


def _send_one(
    session: Session,
    smtp: SmtpConnection,
    settings: Settings,
    row: OutboxMessage,
    subscription: Subscription,
    message: OutgoingMail,
    report: SendReport,
    now: datetime,
) -> bool:
    """Send a claimed row and record the outcome; True when it failed in a retryable way."""

    def record_sent() -> None:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(status="sent", sent_at=datetime.now(UTC), last_error=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()

    try:
        smtp.send(message, before_final_dot=record_sent)
    except MailDeliveryError as error:
        session.refresh(row)
        row.sent_at = None
        row.last_error = str(error)[:2000]
        if error.permanent:
            row.status = "failed"
            report.failed += 1
            subscription.hard_bounces += 1
            subscription.last_error = row.last_error
            if subscription.hard_bounces >= settings.mail_bounce_limit:
                subscription.status = "paused"
                report.paused += 1
        elif row.attempts >= settings.mail_max_attempts:
            row.status = "failed"
            report.failed += 1
        else:
            row.status = "pending"
            backoff = settings.mail_retry_seconds * 2 ** (row.attempts - 1)
            row.next_attempt_at = now + timedelta(seconds=backoff)
            report.deferred += 1
        session.commit()
        return not error.permanent
    report.sent += 1
    if subscription.hard_bounces:
        subscription.hard_bounces = 0
        session.commit()
    return False
