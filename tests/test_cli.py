"""The command line as scripts use it: real processes, real files, both backends."""

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.samples import SAMPLE_PAPERS
from support.server import free_port

PAPERWIRE = [sys.executable, "-m", "paperwire"]


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [*PAPERWIRE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_ingest_jsonl_then_rerun(database_url: str) -> None:
    first = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS))
    assert first.returncode == 0, first.stderr
    assert "inserted" in first.stderr and "36" in first.stderr
    again = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS))
    assert again.returncode == 0
    assert "│ unchanged   │ 36" in again.stderr


def test_bad_lines_are_quarantined_and_listed(database_url: str, tmp_path: Path) -> None:
    good = SAMPLE_PAPERS.read_text().splitlines()[0]
    lines = [
        good,
        "{not json",
        json.dumps({"title": "A paper without an id"}),
        json.dumps({"id": "abc", "title": "Malformed id"}),
        json.dumps({"id": "2606.00001"}),
        json.dumps({"id": "2606.00002", "title": "Bad date", "listing_date": "June 1st"}),
    ]
    path = tmp_path / "mixed.jsonl.gz"
    with gzip.open(path, "wt") as out:
        out.write("\n".join(lines) + "\n")
    result = run(database_url, "ingest", "jsonl", str(path))
    assert result.returncode == 0, result.stderr
    assert "│ quarantined │ 5" in result.stderr
    assert "│ inserted    │ 1" in result.stderr
    listed = run(database_url, "ingest", "errors")
    assert listed.returncode == 0
    for reason in (
        "invalid JSON",
        "missing arXiv id",
        "malformed arXiv id 'abc'",
        "missing title for 2606.00001",
        "is not a YYYY-MM-DD date",
    ):
        assert reason in listed.stdout, reason
    assert f"{path}:2" in listed.stdout


def test_export_round_trips(database_url: str, tmp_path: Path) -> None:
    assert run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS)).returncode == 0
    exported = tmp_path / "backup.jsonl.gz"
    result = run(database_url, "export", "jsonl", str(exported))
    assert result.returncode == 0, result.stderr
    with gzip.open(exported, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    originals = {row["id"]: row for row in map(json.loads, SAMPLE_PAPERS.read_text().splitlines())}
    assert {row["id"] for row in rows} == set(originals)
    for row in rows:
        original = originals[row["id"]]
        for key in ("title", "abstract", "authors", "categories", "listing_date"):
            assert row[key] == original[key]
    fresh = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = run(fresh, "ingest", "jsonl", str(exported))
    assert "│ inserted    │ 36" in restored.stderr
    again = run(fresh, "export", "jsonl", str(tmp_path / "again.jsonl.gz"))
    assert again.returncode == 0
    with gzip.open(tmp_path / "again.jsonl.gz") as second, gzip.open(exported) as first:
        assert second.read() == first.read()


def test_missing_file_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    result = run(database_url, "ingest", "jsonl", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_serve_honours_host_port_and_database(database_url: str) -> None:
    assert run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS)).returncode == 0
    port = free_port()
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url}
    server = subprocess.Popen(
        [*PAPERWIRE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/daily_papers?limit=100")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                assert server.poll() is None, "server exited"
                time.sleep(0.2)
        assert response.status_code == 200
        assert len(response.json()) == 36
    finally:
        server.terminate()
        server.wait(timeout=20)
