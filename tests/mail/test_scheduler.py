"""`paperwire serve --scheduler`: a real server process that ingests and mails on a timer."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from paperwire.mail.subscriptions import make_wish, subscribe
from support.mail_reading import paper_ids_in
from support.mail_settings import mail_env
from support.samples import SAMPLE, SAMPLE_PAPERS
from support.server import free_port
from support.smtp import MailCatcher


def test_serve_with_scheduler_ingests_and_sends_once(
    engine: Engine, database_url: str, relay: MailCatcher
) -> None:
    with Session(engine) as session:
        subscribe(
            session, "early@example.org", make_wish("daily"), confirmed=True, now=datetime.now(UTC)
        )
    port = free_port()
    env = {
        **os.environ,
        **mail_env(database_url, relay, base_url=f"http://127.0.0.1:{port}"),
        "PAPERWIRE_SCHEDULER_INTERVAL": "0.5",
        "PAPERWIRE_SCHEDULER_INGEST": f"jsonl {SAMPLE_PAPERS}",
        "PAPERWIRE_DIGEST_MAX_AGE_DAYS": "100000",  # the sample's latest day counts as fresh
    }
    command = [sys.executable, "-m", "paperwire", "serve", "--port", str(port), "--scheduler"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        [digest] = relay.wait_for(1, timeout=60)
        assert digest.recipients == ["early@example.org"]
        day = {p["id"] for p in SAMPLE if p["listing_date"] == "2026-06-30"}
        assert set(paper_ids_in(digest.message)) <= day
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        time.sleep(2)  # a few more rounds
        assert len(relay.received) == 1, "later rounds find the period sent already"
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
