"""Digest benchmark: 10,000 subscribers over the full shared corpus, delivered to a loopback relay.

Loads /work/shared/data/arxiv-listings-2025-2026.jsonl.gz with `paperwire ingest jsonl`
into a temporary SQLite database, adds 10,000 confirmed subscriptions (daily and weekly
digests; query, author and category alerts built so every one has news), then times
`send_due` for one listing day against an aiosmtpd relay in its own process. Target:
10,000 personalised messages in at most 2 minutes on 2 cores.

Baseline, measured in the same run against the same relay, before and after the digest
run: pushing pre-built messages of the same size through one SMTP connection with
smtplib, with no database and no rendering. The ratio says what share of the bare
transport's speed the whole pipeline keeps; "drift" compares the two baselines.

    .venv/bin/python bench/digest.py [--subscribers 10000] [--data PATH] [--date YYYY-MM-DD]

Results go to ``bench/results/digest-<timestamp>.json``; see ``bench/README.md``.
"""

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.outbox import send_due
from paperwire.mail.subscriptions import make_wish
from paperwire.periods import day
from paperwire.store.db import open_database
from paperwire.store.papers import list_papers
from paperwire.store.schema import Subscription

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv-listings-2025-2026.jsonl.gz"
RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 120.0
MESSAGE_BYTES = 24_000  # about one rendered digest
MIX = {"daily": 0.45, "weekly": 0.10, "query": 0.30, "author": 0.08, "category": 0.07}
WORD = re.compile(r"[A-Za-z][A-Za-z\-]{6,}")
console = Console()


def run_relay(port: int, count: Any, ready: Any) -> None:
    """An aiosmtpd relay that accepts everything and only counts it (no parsing)."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ingest(database_url: str, data: Path) -> float:
    started = time.perf_counter()
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url}
    subprocess.run(
        # Without vectors (embedding 75k papers takes a quarter of an hour): alerts then
        # match by words and filters, the delivery path measured here is the same.
        [sys.executable, "-m", "paperwire", "ingest", "jsonl", str(data), "--no-embed"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def add_subscribers(settings: Settings, listing_day: date, total: int) -> Counter[str]:
    """Subscriptions whose alerts all match something listed on ``listing_day``."""
    rng = random.Random(20260630)
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        papers = list(list_papers(session, period=day(listing_day), limit=100_000).papers)
    titled = [p for p in papers if WORD.search(p.title)]  # query words come from one title
    authors = sorted({a for p in papers for a in p.authors})
    categories = sorted({c for p in papers for c in p.categories})
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=total)
    for number, kind in enumerate(kinds):
        target = ""
        if kind == "query":
            paper = rng.choice(titled)
            candidates = [w.lower() for w in WORD.findall(paper.title)]
            target = " ".join(rng.sample(candidates, k=min(2, len(candidates))))
        elif kind == "author":
            target = rng.choice(authors)
        elif kind == "category":
            target = rng.choice(categories)
        wish = make_wish(kind, target)
        rows.append(
            {
                "email": f"reader{number:05d}@bench.example.org",
                "kind": kind,
                "target": wish.target,
                "target_key": wish.target_key,
                "status": "active",
                "created_at": now,
                "confirmed_at": now,
                "hard_bounces": 0,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(Subscription), rows)
    engine.dispose()
    return Counter(kinds)


def transport_baseline(port: int, messages: int, size: int) -> float:
    """Messages/s of smtplib pushing pre-built messages over one connection."""
    message = EmailMessage()
    message["From"] = "bench@example.org"
    message["To"] = "reader@bench.example.org"
    message["Subject"] = "baseline"
    line = "All work and no play makes a digest a dull message to read at breakfast.\n"
    message.set_content(line * (size // 2 // len(line)))
    message.add_alternative("<p>" + line * (size // 2 // len(line)) + "</p>", subtype="html")
    data = message.as_bytes(policy=SMTP)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for _ in range(messages):
            client.sendmail("bench@example.org", ["reader@bench.example.org"], data)
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 6, 30))
    parser.add_argument("--baseline-messages", type=int, default=2_000)
    parser.add_argument(
        "--ingested",
        type=Path,
        help="Keep the ingested database here and reuse it next time (saves the ingest).",
    )
    args = parser.parse_args()

    port = free_port()
    count = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    relay = multiprocessing.Process(target=run_relay, args=(port, count, ready), daemon=True)
    relay.start()
    ready.wait(10)
    with tempfile.TemporaryDirectory(prefix="paperwire-bench-") as folder:
        database = Path(folder) / "bench.db"
        database_url = f"sqlite:///{database}"
        if args.ingested and args.ingested.exists():
            shutil.copyfile(args.ingested, database)
            ingest_seconds = 0.0
        else:
            console.print(f"Ingesting {args.data.name} ...")
            ingest_seconds = ingest(database_url, args.data)
            if args.ingested:
                shutil.copyfile(database, args.ingested)
        console.print(f"Ingest: {ingest_seconds:.0f} s")
        settings = Settings(
            database_url=database_url,
            smtp_host="127.0.0.1",
            smtp_port=port,
            mail_from="Paperwire <digest@bench.example.org>",
            base_url="https://papers.example.org",
            secret_key=SecretStr("bench"),
        )
        kinds = add_subscribers(settings, args.date, args.subscribers)
        baseline_before = transport_baseline(port, args.baseline_messages, MESSAGE_BYTES)
        time.sleep(0.5)
        counted_before = count.value
        console.print(f"Added {args.subscribers:,} subscribers; sending ...")
        engine = open_database(database_url)
        started = time.perf_counter()
        report = send_due(engine, settings, on_date=args.date, now=datetime.now(UTC))
        seconds = time.perf_counter() - started
        engine.dispose()
    time.sleep(0.5)
    received = count.value - counted_before
    rate = report.sent / seconds if seconds else 0.0
    console.print(
        f"Sent {report.sent:,} in {seconds:.1f} s ({rate:,.0f}/s); measuring the baseline"
    )
    baseline_after = transport_baseline(port, args.baseline_messages, MESSAGE_BYTES)
    baseline = (baseline_before + baseline_after) / 2
    drift = abs(baseline_before - baseline_after) / baseline
    relay.terminate()

    table = Table(title=f"Digest run for {args.date} over {args.data.name}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("subscribers", f"{args.subscribers:,}")
    for kind, number in sorted(kinds.items()):
        table.add_row(f"  {kind}", f"{number:,}")
    table.add_row("messages planned", f"{report.planned:,}")
    table.add_row("messages sent", f"{report.sent:,}")
    table.add_row("received by the relay", f"{received:,}")
    table.add_row("wall time (plan + render + send)", f"{seconds:.1f} s")
    table.add_row("messages/s", f"{rate:,.0f}")
    table.add_row(
        "baseline: bare smtplib messages/s", f"{baseline_before:,.0f} → {baseline_after:,.0f}"
    )
    table.add_row("baseline drift", f"{drift:.0%}")
    table.add_row("pipeline / bare transport", f"{rate / baseline:.2f}")
    table.add_row("target: 10,000 in ≤ 120 s", "met" if seconds <= TARGET_SECONDS else "MISSED")
    table.add_row("(ingest, not timed above)", f"{ingest_seconds:.0f} s")
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "subscribers": args.subscribers,
        "kinds": dict(kinds),
        "date": args.date.isoformat(),
        "planned": report.planned,
        "sent": report.sent,
        "received": received,
        "seconds": seconds,
        "messages_per_second": rate,
        "baseline_messages_per_second": [baseline_before, baseline_after],
        "baseline_drift": drift,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "ratio_to_baseline": rate / baseline,
        "ingest_seconds": ingest_seconds,
    }
    (RESULTS / f"digest-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
