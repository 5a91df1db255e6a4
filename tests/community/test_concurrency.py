"""Many clients voting at the same moment end with exact counts, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.accounts.sessions import create_api_token
from paperwire.store.schema import User, Vote
from support.accounts import make_user
from support.samples import SAMPLE
from support.server import running_server

VOTERS = 24
PAPERS = [paper["id"] for paper in SAMPLE[:4]]


def tokens_for(engine: Engine, count: int) -> list[str]:
    tokens = []
    for number in range(count):
        user_id = make_user(engine, f"voter{number}")
        with Session(engine) as session:
            _, raw = create_api_token(session, session.get_one(User, user_id), "bench")
            session.commit()
        tokens.append(raw)
    return tokens


def test_concurrent_votes_are_counted_exactly(sample_engine: Engine, database_url: str) -> None:
    tokens = tokens_for(sample_engine, VOTERS)
    start = Barrier(VOTERS)

    def voter(token: str) -> list[int]:
        headers = {"Authorization": f"Bearer {token}"}
        statuses = []
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            start.wait()
            for arxiv_id in PAPERS[:3]:
                statuses.append(client.post(f"/api/papers/{arxiv_id}/upvote").status_code)
            statuses.append(client.post(f"/api/papers/{PAPERS[3]}/upvote").status_code)
            statuses.append(client.delete(f"/api/papers/{PAPERS[3]}/upvote").status_code)
            statuses.append(client.post(f"/api/papers/{PAPERS[0]}/upvote").status_code)
        return statuses

    limits = {"vote": f"{VOTERS * 10}/3600"}
    with running_server(sample_engine, database_url, rate_limits=limits) as server:
        with ThreadPoolExecutor(VOTERS) as pool:
            results = list(pool.map(voter, tokens))
        assert all(status == 200 for statuses in results for status in statuses)
        counts = {
            item["id"]: item["upvotes"]
            for item in httpx.get(server.url + "/api/daily_papers", params={"limit": 100}).json()
        }
    assert [counts[arxiv_id] for arxiv_id in PAPERS] == [VOTERS, VOTERS, VOTERS, 0]
    with Session(sample_engine) as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 3 * VOTERS
