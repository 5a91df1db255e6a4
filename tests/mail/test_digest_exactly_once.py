"""Kill the sender (a real process, SIGKILL) mid-run, run it again: one message per subscriber."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from paperwire.store.schema import OutboxMessage, Subscription
from support.mail_settings import mail_env
from support.smtp import MailCatcher

SUBSCRIBERS = 120
SEND = [sys.executable, "-m", "paperwire", "digest", "send", "--date", "2026-06-30"]


def test_a_killed_run_and_a_rerun_send_everyone_exactly_one_message(
    sample_engine: Engine, database_url: str, relay: MailCatcher
) -> None:
    now = datetime.now(UTC)
    addresses = [f"reader{number:03d}@example.org" for number in range(SUBSCRIBERS)]
    with Session(sample_engine) as session:
        session.add_all(
            Subscription(
                email=address,
                kind="daily" if number % 3 else "category",
                target="" if number % 3 else "cs.AI",
                target_key="" if number % 3 else "cs.AI",
                status="active",
                created_at=now,
                confirmed_at=now,
                hard_bounces=0,
            )
            for number, address in enumerate(addresses)
        )
        session.commit()
    relay.delay = 0.02  # the relay takes a moment to accept each message: kills land then
    env = {**os.environ, **mail_env(database_url, relay)}

    sender = subprocess.Popen(SEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    relay.wait_for(30, timeout=60)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    time.sleep(0.3)  # let the relay finish accepting what it was given
    at_kill = len(relay.received)
    assert 30 <= at_kill < SUBSCRIBERS, "the kill must land mid-run"
    with Session(sample_engine) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    assert statuses["sent"] == at_kill, "every message the relay has is recorded as sent"

    rerun = subprocess.run(SEND, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    relay.wait_for(SUBSCRIBERS, timeout=30)
    time.sleep(0.2)
    per_recipient = Counter(r for mail in relay.received for r in mail.recipients)
    assert per_recipient == dict.fromkeys(addresses, 1)
    message_ids = {mail.message["Message-ID"] for mail in relay.received}
    assert len(message_ids) == SUBSCRIBERS
    with Session(sample_engine) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent": SUBSCRIBERS}
