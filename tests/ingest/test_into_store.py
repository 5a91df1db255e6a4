"""Each source through the production pipeline into a real database, on both backends.

Re-runs change nothing, newer versions update, bad records land in quarantine, and an
OAI harvest killed mid-way resumes from its saved token without loss or duplicates.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.ingest.arxiv_api import fetch_by_ids
from paperwire.ingest.http import HttpFetcher
from paperwire.ingest.oai import checkpoint_key, harvest
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import make_record
from paperwire.store.ingest import load_checkpoint
from paperwire.store.papers import get_paper
from paperwire.store.schema import Paper, QuarantinedRecord
from support.fixture_server import FixtureServer, recorded_reply
from support.oai_pages import FIRST_PAGE_IDS, SECOND_PAGE_PARAMS, TOKEN, serve_both_pages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SNAPSHOT = FIXTURES / "arxiv-snapshot" / "sample.jsonl"
HF_DAILY = FIXTURES / "hf-daily" / "daily_papers.json"
PAPERWIRE = [sys.executable, "-m", "paperwire"]


def paper_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.scalars(select(Paper.arxiv_id)))


def quarantine_reasons(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.scalars(select(QuarantinedRecord.reason)))


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [*PAPERWIRE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_arxiv_api_ids_into_the_store(engine: Engine, server: FixtureServer) -> None:
    recordings = FIXTURES / "arxiv-api"
    server.add(
        {"id_list": "1605.08386", "start": "0", "max_results": "1"},
        recorded_reply(recordings / "id_1605.08386_s0_m100_199195aa31ad.json"),
    )
    with HttpFetcher(min_interval=0, backoff_base=0.01) as fetcher:
        ids = ["1605.08386", "abc"]
        first = run_ingest(engine, fetch_by_ids(ids, base_url=server.url, fetcher=fetcher))
        again = run_ingest(engine, fetch_by_ids(ids, base_url=server.url, fetcher=fetcher))
    assert first.as_dict() == {"inserted": 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert again.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 1, "quarantined": 1}
    assert paper_ids(engine) == ["1605.08386"]
    assert len(quarantine_reasons(engine)) == 1, "the same bad id is kept once"
    with Session(engine) as session:
        paper = get_paper(session, "1605.08386")
        assert paper is not None
        assert paper.title == "Heat-bath random walks with Markov bases"
        assert paper.listing_date == date(2016, 5, 27)
        assert paper.published_at is not None


def test_oai_harvest_rerun_and_version_update(engine: Engine, server: FixtureServer) -> None:
    serve_both_pages(server)
    older = make_record(
        raw_id="0704.0716v1",
        title="An older title",
        abstract="",
        authors=["Christoph Richard"],
        categories=["math-ph"],
        source="test",
    )
    run_ingest(engine, [older])
    with HttpFetcher(min_interval=0) as fetcher:
        first = run_ingest(
            engine, harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher)
        )
        again = run_ingest(
            engine, harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher)
        )
    assert (first.inserted, first.updated) == (6, 1)
    assert again.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 7, "quarantined": 0}
    assert paper_ids(engine) == sorted([*FIRST_PAGE_IDS, "1302.2146"])
    with Session(engine) as session:
        updated = get_paper(session, "0704.0716")
        assert updated is not None
        assert (updated.version, updated.title) == (4, "Limit distributions and scaling functions")
    key = checkpoint_key(base_url=server.url, from_date=date(2014, 10, 1))
    with engine.connect() as connection:
        saved = load_checkpoint(connection, key)
    assert saved is not None and saved.finished


def test_oai_harvest_killed_mid_run_resumes_without_loss(
    engine: Engine, database_url: str, server: FixtureServer
) -> None:
    serve_both_pages(server, second_page_delay=60)
    args = ["ingest", "oai", "--from", "2014-10-01", "--base-url", server.url, "--pause", "0"]
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [*PAPERWIRE, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    key = checkpoint_key(base_url=server.url, from_date=date(2014, 10, 1))
    deadline = time.monotonic() + 60
    try:
        while True:
            with engine.connect() as connection:
                saved = load_checkpoint(connection, key)
            if saved is not None:
                break
            assert time.monotonic() < deadline, "the first page was never committed"
            assert process.poll() is None, "the harvester exited early"
            time.sleep(0.05)
        assert saved.token == TOKEN
        while not any(request.params == SECOND_PAGE_PARAMS for request in server.requests):
            assert time.monotonic() < deadline, "the second page was never asked for"
            time.sleep(0.05)  # the harvester asks for page two after committing page one
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert paper_ids(engine) == sorted(FIRST_PAGE_IDS)

    serve_both_pages(server)
    requests_before = len(server.requests)
    resumed = cli(database_url, *args)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming the harvest" in resumed.stderr
    assert [request.params for request in server.requests[requests_before:]] == [SECOND_PAGE_PARAMS]
    assert paper_ids(engine) == sorted([*FIRST_PAGE_IDS, "1302.2146"])


def test_snapshot_and_bad_lines(engine: Engine, database_url: str) -> None:
    first = cli(database_url, "ingest", "arxiv-snapshot", str(SNAPSHOT))
    assert first.returncode == 0, first.stderr
    again = cli(database_url, "ingest", "arxiv-snapshot", str(SNAPSHOT))
    assert "│ unchanged   │ 5" in again.stderr
    assert "│ inserted    │ 0" in again.stderr
    assert len(paper_ids(engine)) == 5
    assert "quant-ph/0201082" in paper_ids(engine), "old-style ids are kept"
    reasons = quarantine_reasons(engine)
    assert len(reasons) == 3
    assert any("missing title" in reason for reason in reasons)


def test_hf_daily_file(engine: Engine, database_url: str) -> None:
    result = cli(database_url, "ingest", "hf-daily", str(HF_DAILY))
    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        papers = list(session.scalars(select(Paper)))
        assert papers
        assert any(paper.ai_summary for paper in papers)
        assert all(paper.listing_date is not None for paper in papers)
        count = session.scalar(select(func.count()).select_from(QuarantinedRecord))
    assert count == 1
