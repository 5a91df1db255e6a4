"""Community features under load, on SQLite and PostgreSQL.

Serves the bundled demo papers (``paperwire serve``, one worker) and measures with wrk
(2 threads, 32 connections):

- the trivial ``/api/health`` endpoint: the baseline every other figure is a ratio of;
- the daily page and ``/api/daily_papers`` for anonymous readers (the response cache);
- the same page for a signed-in reader (rendered per request with their votes);
- the anonymous daily page while votes keep arriving (each vote drops the cache);
- a vote storm: many clients voting at once through the API, then the counts checked.

Prints a table and writes ``bench/results/community.json``. Run: ``.venv/bin/python
bench/community.py [--seconds 5] [--backends sqlite,postgresql]``.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from paperwire.accounts.sessions import create_api_token  # noqa: E402
from paperwire.store.db import open_database  # noqa: E402
from paperwire.store.schema import User  # noqa: E402
from support.accounts import Reader, make_user  # noqa: E402
from support.postgres import TemporaryPostgres, postgres_available  # noqa: E402
from support.server import free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VOTERS = 32
VOTES_EACH = 20


def paperwire(database_url: str, *args: str) -> None:
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "paperwire", *args], env=env, check=True, capture_output=True
    )


@contextmanager
def served(database_url: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": database_url,
        "PAPERWIRE_RATE_LIMITS": json.dumps({"vote": "1000000/3600"}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "paperwire", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


def voters(database_url: str, count: int) -> list[str]:
    engine = open_database(database_url)
    tokens = []
    for number in range(count):
        user_id = make_user(engine, f"bench{number}")
        with Session(engine) as session:
            _, raw = create_api_token(session, session.get_one(User, user_id), "bench")
            session.commit()
        tokens.append(raw)
    engine.dispose()
    return tokens


def vote_storm(url: str, tokens: list[str], papers: list[str]) -> dict[str, Any]:
    start = threading.Barrier(len(tokens))

    def vote(token: str) -> int:
        failures = 0
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            start.wait()
            for arxiv_id in papers:
                failures += client.post(f"{url}/api/papers/{arxiv_id}/upvote").status_code != 200
        return failures

    started = time.perf_counter()
    with ThreadPoolExecutor(len(tokens)) as pool:
        failures = sum(pool.map(vote, tokens))
    seconds = time.perf_counter() - started
    counts = {
        item["id"]: item["upvotes"]
        for item in httpx.get(f"{url}/api/daily_papers", params={"limit": 100}).json()
    }
    exact = failures == 0 and all(counts.get(arxiv_id) == len(tokens) for arxiv_id in papers)
    votes = len(tokens) * len(papers)
    return {"votes": votes, "seconds": seconds, "votes_per_s": votes / seconds, "exact": exact}


def trickle_votes(url: str, token: str, papers: list[str], stop: threading.Event) -> int:
    """About 20 votes a second (toggling), to keep invalidating the cache."""
    sent = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            client.post(f"{url}/api/papers/{papers[sent % len(papers)]}/upvote")
            client.delete(f"{url}/api/papers/{papers[sent % len(papers)]}/upvote")
            sent += 2
            stop.wait(0.1)
    return sent


def run_backend(name: str, database_url: str, seconds: int) -> dict[str, Any]:
    paperwire(database_url, "ingest", "demo")
    tokens = voters(database_url, VOTERS + 1)
    with served(database_url) as url:
        latest = httpx.get(url + "/api/daily_papers", params={"limit": 1}).json()[0]
        day = latest["publishedAt"][:10]
        papers = [
            item["id"] for item in httpx.get(url + "/api/daily_papers", params={"date": day}).json()
        ][:VOTES_EACH]
        reader = Reader(url)
        reader.sign_in("bench0")
        cookie = f"paperwire_session={reader.session_cookie}"
        figures: dict[str, float] = {}
        figures["health (baseline)"] = wrk(url + "/api/health", seconds)
        figures["daily page, anonymous"] = wrk(url + "/", seconds)
        figures["daily API, anonymous"] = wrk(f"{url}/api/daily_papers?date={day}", seconds)
        figures["daily page, signed in"] = wrk(url + "/", seconds, {"Cookie": cookie})
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            trickle = pool.submit(trickle_votes, url, tokens[-1], papers, stop)
            figures["daily page, anonymous, votes arriving"] = wrk(url + "/", seconds)
            stop.set()
            trickled = trickle.result()
        storm = vote_storm(url, tokens[:VOTERS], papers)
    baseline = figures["health (baseline)"]
    return {
        "backend": name,
        "requests_per_s": figures,
        "ratio_to_baseline": {key: value / baseline for key, value in figures.items()},
        "votes_during_trickle": trickled,
        "vote_storm": storm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                results.append(run_backend(backend, f"sqlite:///{folder}/bench.db", args.seconds))
            elif backend == "postgresql" and postgres_available():
                with TemporaryPostgres() as cluster:
                    results.append(run_backend(backend, cluster.url, args.seconds))
    for result in results:
        print(f"\n{result['backend']}")
        print(f"{'endpoint':45} {'req/s':>9} {'x baseline':>11}")
        for key, value in result["requests_per_s"].items():
            print(f"{key:45} {value:9.0f} {result['ratio_to_baseline'][key]:11.2f}")
        storm = result["vote_storm"]
        print(
            f"vote storm: {storm['votes']} votes from {VOTERS} clients in {storm['seconds']:.1f} s"
            f" = {storm['votes_per_s']:.0f} votes/s, counts exact: {storm['exact']}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "community.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
