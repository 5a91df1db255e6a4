"""Trending: the documented gravity score, with concrete orderings, and where it is served."""

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from paperwire.community.comments import add_comment
from paperwire.community.votes import set_vote
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import make_record
from paperwire.store.papers import get_paper, trending_papers, trending_score
from paperwire.store.schema import Paper
from support.accounts import make_user
from support.server import running_server

DAY = date(2026, 6, 30)
NOW = datetime(2026, 7, 1, tzinfo=UTC)  # the end of the latest listing day


def test_score_formula() -> None:
    assert trending_score(0, 0, 0) == pytest.approx(1 / 2**1.5)
    assert trending_score(3, 2, 23) == pytest.approx((3 + 1 + 1) / 25**1.5)
    assert trending_score(5, 0, 96) == pytest.approx(6 / 98**1.5)
    assert trending_score(1, 0, 24) > trending_score(1, 0, 48), "older papers sink"
    assert trending_score(1, 0, 24) > trending_score(0, 1, 24), "a comment weighs half a vote"


@pytest.fixture
def papers(engine: Engine) -> dict[str, int]:
    """Today's A, yesterday's B, and C from three days before."""
    listed = {"A": DAY, "B": date(2026, 6, 29), "C": date(2026, 6, 27)}
    records = [
        make_record(
            raw_id=f"2606.0000{n}",
            title=f"Paper {name}",
            abstract="",
            authors=["X. Author"],
            categories=["cs.LG"],
            source="test",
            listing_date=day,
        )
        for n, (name, day) in enumerate(listed.items(), start=1)
    ]
    run_ingest(engine, records)
    with Session(engine) as session:
        return {
            name: get_paper(session, f"2606.0000{n}").id  # type: ignore[union-attr]
            for n, name in enumerate(listed, start=1)
        }


def order(engine: Engine, now: datetime = NOW) -> list[str]:
    with Session(engine) as session:
        page = trending_papers(session, now=now)
        return [paper.title.removeprefix("Paper ") for paper in page.papers]


def vote(engine: Engine, paper_id: int, voters: list[int]) -> None:
    for user_id in voters:
        with Session(engine) as session:
            set_vote(session, paper_id, user_id, True)


def test_orderings(engine: Engine, papers: dict[str, int]) -> None:
    users = [make_user(engine, f"voter{n}") for n in range(8)]
    assert order(engine) == ["A", "B", "C"], "without votes, newest first"

    # C: 6 / 98^1.5 = 0.00618 beats B (1 / 50^1.5 = 0.00283) but not A (1 / 26^1.5 = 0.00754).
    vote(engine, papers["C"], users[:5])
    assert order(engine) == ["A", "C", "B"]

    # Two more: 8 / 98^1.5 = 0.00825 passes A.
    vote(engine, papers["C"], users[5:7])
    assert order(engine) == ["C", "A", "B"]

    # Comments count half: B with 9 comments has (4.5 + 1) / 50^1.5 = 0.01556, top.
    with Session(engine) as session:
        paper_b = session.get_one(Paper, papers["B"])
        for _ in range(9):
            add_comment(session, paper_b, users[0], "Worth reading.")
        session.commit()
    assert order(engine) == ["B", "C", "A"]


def test_a_day_later_everything_has_aged(engine: Engine, papers: dict[str, int]) -> None:
    users = [make_user(engine, "voter")]
    vote(engine, papers["B"], users[:1])
    # At the end of the latest day: A 1/26^1.5 = 0.00754 vs B 2/50^1.5 = 0.00566.
    assert order(engine) == ["A", "B", "C"]
    # Six hours into that day: A 1/8^1.5 = 0.0442 still leads B 2/32^1.5 = 0.0110.
    assert order(engine, datetime(2026, 6, 30, 6, tzinfo=UTC)) == ["A", "B", "C"]
    # "now" is capped at the end of the latest listing day, so a store that is not fed
    # any more ranks as it did then.
    assert order(engine, datetime(2027, 1, 1, tzinfo=UTC)) == order(engine)


def test_trending_page_and_api_follow_the_score(
    engine: Engine, papers: dict[str, int], database_url: str
) -> None:
    users = [make_user(engine, f"voter{n}") for n in range(7)]
    vote(engine, papers["C"], users)
    expected = order(engine, datetime.now(UTC))
    assert expected[0] == "C"
    with running_server(engine, database_url) as server:
        html = httpx.get(server.url + "/papers/trending").text
        shown = [title for title in ("A", "B", "C") if f">Paper {title}<" in html]
        assert sorted(shown, key=lambda t: html.index(f">Paper {t}<")) == expected
        api = httpx.get(server.url + "/api/daily_papers", params={"sort": "trending"}).json()
        assert [item["title"].removeprefix("Paper ") for item in api] == expected
        assert api[0]["upvotes"] == 7
        dated = httpx.get(
            server.url + "/api/daily_papers", params={"sort": "trending", "week": "2026-W26"}
        ).json()
        assert [item["title"] for item in dated] == ["Paper C"], "a period narrows trending"
