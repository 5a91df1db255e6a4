"""Submitting papers by id or URL, fetched from (recorded) arXiv answers on loopback."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi
from sqlalchemy import Engine

from support.accounts import make_user, signed_in
from support.fixture_server import FixtureServer, recorded_reply
from support.samples import SAMPLE
from support.server import LiveServer, free_port, running_server

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-api"
HEAT_BATH = RECORDINGS / "id_1605.08386_s0_m100_199195aa31ad.json"
EMPTY = RECORDINGS / "id_0000.0000_s0_m100_8b51d9633a68.json"


def by_id(arxiv_id: str) -> dict[str, str]:
    return {"id_list": arxiv_id, "start": "0", "max_results": "1"}


@pytest.fixture
def arxiv() -> Iterator[FixtureServer]:
    with FixtureServer() as server:
        server.add(by_id("1605.08386"), recorded_reply(HEAT_BATH))
        server.add(by_id("2501.99999"), recorded_reply(EMPTY))
        yield server


@pytest.fixture
def server(sample_engine: Engine, database_url: str, arxiv: FixtureServer) -> Iterator[LiveServer]:
    make_user(sample_engine, "ada", email="ada@example.org")
    with running_server(sample_engine, database_url, arxiv_api_url=arxiv.url) as live:
        yield live


def submit(server: LiveServer, text: str) -> httpx.Response:
    reader = signed_in(server.url, "ada")
    return reader.submit("/submit", "/submit", {"paper": text})


def test_submit_by_url_puts_the_paper_on_todays_list(
    server: LiveServer, arxiv: FixtureServer
) -> None:
    response = submit(server, "https://arxiv.org/abs/1605.08386v1")
    assert response.status_code == 303
    assert response.headers["location"] == "/papers/1605.08386?submitted=1"
    assert arxiv.requests[0].params == by_id("1605.08386")

    page = httpx.get(server.url + "/papers/1605.08386").text
    assert "Heat-bath random walks with Markov bases" in page
    assert 'Submitted by <a href="/users/ada">' in page
    today = datetime.now(UTC).date()
    home = httpx.get(server.url + "/").text
    assert today.strftime("%B %-d, %Y") in home
    assert 'data-arxiv-id="1605.08386"' in home and "submitted by" in home

    mine = httpx.get(server.url + "/api/daily_papers", params={"submitter": "ada"}).json()
    assert [item["id"] for item in mine] == ["1605.08386"]
    assert mine[0]["submittedBy"]["user"] == "ada"
    assert mine[0]["paper"]["submittedOnDailyBy"]["user"] == "ada"
    assert mine[0]["publishedAt"].startswith(today.isoformat())
    [paper] = HfApi(endpoint=server.url).list_daily_papers(submitter="ada")
    assert paper.submitted_by is not None and paper.submitted_by.username == "ada"
    assert httpx.get(server.url + "/api/daily_papers", params={"submitter": "bob"}).json() == []
    profile = httpx.get(server.url + "/users/ada").text
    assert "Heat-bath random walks" in profile


def test_each_failure_says_what_went_wrong(server: LiveServer) -> None:
    malformed = submit(server, "see my paper!")
    assert malformed.status_code == 400
    assert "is not an arXiv identifier or arXiv link" in malformed.text
    assert 'value="see my paper!"' in malformed.text, "what was typed stays in the form"

    unknown = submit(server, "2501.99999")
    assert unknown.status_code == 400 and "arXiv does not know a paper 2501.99999" in unknown.text

    listed = SAMPLE[0]
    already = submit(server, f"arXiv:{listed['id']}")
    assert already.status_code == 400
    assert f"{listed['id']} is already listed on June" in already.text
    assert f'href="/papers/{listed["id"]}"' in already.text

    assert submit(server, "1605.08386").status_code == 303
    twice = submit(server, "1605.08386")
    assert twice.status_code == 400 and "already listed" in twice.text


def test_arxiv_out_of_reach(sample_engine: Engine, database_url: str) -> None:
    make_user(sample_engine, "ada")
    closed = f"http://127.0.0.1:{free_port()}/api/query"
    with running_server(sample_engine, database_url, arxiv_api_url=closed) as live:
        response = submit(live, "1605.08386")
    assert response.status_code == 400
    assert "arXiv could not be reached just now" in response.text


def test_submit_through_the_api(server: LiveServer) -> None:
    reader = signed_in(server.url, "ada")
    page = reader.submit("/account", "/account/tokens", {"name": "script"}).text
    token = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    bearer = {"Authorization": f"Bearer {token}"}
    created = httpx.post(server.url + "/api/submit", json={"id": "1605.08386"}, headers=bearer)
    assert created.status_code == 201
    assert created.json()["id"] == "1605.08386" and created.json()["submittedBy"]["user"] == "ada"
    again = httpx.post(server.url + "/api/submit", json={"id": "1605.08386"}, headers=bearer)
    assert again.status_code == 409 and again.json()["id"] == "1605.08386"
    bad = httpx.post(server.url + "/api/submit", json={"id": "nope"}, headers=bearer)
    assert bad.status_code == 400 and "not an arXiv identifier" in bad.json()["error"]
