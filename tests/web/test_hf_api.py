"""The Hugging Face client, unchanged, against a live Paperwire server on loopback."""

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

from support.samples import SAMPLE, SAMPLE_PAPERS, ids_listed_on
from support.server import LiveServer

PER_DAY = Counter(paper["listing_date"] for paper in SAMPLE)


@pytest.fixture
def api(sample_server: LiveServer) -> HfApi:
    return HfApi(endpoint=sample_server.url, token=False)


def test_list_daily_papers_by_date(api: HfApi) -> None:
    papers = list(api.list_daily_papers(date="2026-06-29"))
    assert {paper.id for paper in papers} == ids_listed_on("2026-06-29")
    first = papers[0]
    expected = next(p for p in SAMPLE if p["id"] == first.id)
    assert first.title == expected["title"]
    assert first.summary == expected["abstract"]
    assert [author.name for author in first.authors or []] == expected["authors"]
    assert first.submitted_at is not None and first.submitted_at.date() == date(2026, 6, 29)
    assert first.upvotes == 0
    assert first.comments == 0


def test_list_daily_papers_by_week_and_paging(api: HfApi) -> None:
    week = list(api.list_daily_papers(week="2026-W27"))
    assert {paper.id for paper in week} == ids_listed_on("2026-06-29") | ids_listed_on("2026-06-30")
    page_one = list(api.list_daily_papers(week="2026-W27", limit=5, p=1))
    assert [paper.id for paper in page_one] == [paper.id for paper in week[5:10]]


def test_list_daily_papers_trending_and_month(api: HfApi) -> None:
    trending = list(api.list_daily_papers(sort="trending", limit=100))
    assert len(trending) == sum(PER_DAY.values())
    assert trending[0].submitted_at is not None
    assert trending[0].submitted_at.date() == date(2026, 6, 30), "newest listing first"
    month = list(api.list_daily_papers(month="2026-06"))
    assert len(month) == len(SAMPLE)


def test_paper_info_and_code_links(api: HfApi) -> None:
    with_code = next(p for p in SAMPLE if "github.com/" in p["abstract"] + (p["comment"] or ""))
    info = api.paper_info(with_code["id"])
    assert info.id == with_code["id"]
    assert info.title == with_code["title"]
    assert info.github_repo is not None and info.github_repo.startswith("https://github.com/")
    assert info.published_at is not None
    assert info.linked_models == []


def test_list_papers_query(api: HfApi) -> None:
    target = SAMPLE[0]
    query = " ".join(target["title"].split()[:4])
    found = [paper.id for paper in api.list_papers(query=query)]
    assert target["id"] in found


def test_read_paper_markdown(api: HfApi) -> None:
    target = SAMPLE[3]
    text = api.read_paper(target["id"])
    assert text.startswith(f"# {target['title']}")
    assert "## Abstract" in text
    assert f"eprint = {{{target['id']}}}" in text


def test_errors_are_what_the_client_expects(api: HfApi) -> None:
    with pytest.raises(HfHubHTTPError) as missing:
        api.paper_info("2606.99999")
    assert missing.value.response.status_code == 404
    with pytest.raises(BadRequestError):
        list(api.list_daily_papers(date="2026-02-30"))
    with pytest.raises(BadRequestError):
        list(api.list_daily_papers(limit=101))


def test_fixture_is_what_the_tests_assume() -> None:
    assert Path(SAMPLE_PAPERS).exists()
    assert sorted(PER_DAY) == ["2026-06-26", "2026-06-29", "2026-06-30"]
