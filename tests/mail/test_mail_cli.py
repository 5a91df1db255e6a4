"""`paperwire subscribe` and `paperwire digest send` as scripts run them."""

import os
import subprocess
import sys

from support.mail_reading import link_in, paper_ids_in
from support.mail_settings import mail_env
from support.samples import SAMPLE, SAMPLE_PAPERS
from support.smtp import MailCatcher

PAPERWIRE = [sys.executable, "-m", "paperwire"]


def run(database_url: str, relay: MailCatcher, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **mail_env(database_url, relay), "COLUMNS": "200"}
    return subprocess.run(
        [*PAPERWIRE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_subscribe_then_send_a_digest(database_url: str, relay: MailCatcher) -> None:
    assert run(database_url, relay, "ingest", "jsonl", str(SAMPLE_PAPERS)).returncode == 0

    pending = run(database_url, relay, "subscribe", "someone@example.org", "--weekly")
    assert pending.returncode == 0, pending.stderr
    assert "Sent a confirmation link to someone@example.org" in pending.stderr
    [confirmation] = relay.wait_for(1)
    assert "/subscriptions/confirm/" in link_in(confirmation.message, "/subscriptions/confirm/")

    alert = run(
        database_url, relay, "subscribe", "me@example.org", "--query", "language", "--confirmed"
    )
    assert alert.returncode == 0, alert.stderr
    assert "me@example.org is subscribed" in alert.stderr

    dry = run(database_url, relay, "digest", "send", "--date", "2026-06-30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "new · query │ 1" in dry.stderr
    assert len(relay.received) == 1, "a dry run sends nothing"

    sent = run(database_url, relay, "digest", "send", "--date", "2026-06-30")
    assert sent.returncode == 0, sent.stderr
    assert "│ sent        │ 1" in sent.stderr
    mail = relay.wait_for(2)[1]
    assert mail.recipients == ["me@example.org"]
    day = {p["id"] for p in SAMPLE if p["listing_date"] == "2026-06-30"}
    assert paper_ids_in(mail.message) and set(paper_ids_in(mail.message)) <= day

    again = run(database_url, relay, "digest", "send", "--date", "2026-06-30")
    assert again.returncode == 0 and "│ sent        │ 0" in again.stderr
    assert len(relay.received) == 2


def test_subscribe_refuses_bad_input(database_url: str, relay: MailCatcher) -> None:
    malformed = run(database_url, relay, "subscribe", "not-an-address", "--daily")
    assert malformed.returncode == 2
    assert "is not a usable email address" in malformed.stderr
    two = run(database_url, relay, "subscribe", "a@example.org", "--daily", "--weekly")
    assert two.returncode == 2 and "exactly one of" in two.stderr
    bad_date = run(database_url, relay, "digest", "send", "--date", "30/06/2026")
    assert bad_date.returncode == 2
    assert relay.received == []
