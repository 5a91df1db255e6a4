"""The arXiv Atom client against recorded arXiv answers served on loopback.

The recordings were made with other query parameters (``sortBy=relevance``); the server
is keyed by the parameters our client sends, which the tests also assert.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperwire.ingest.arxiv_api import build_search_query, fetch_by_ids, search
from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import HttpFetcher
from paperwire.records import PaperRecord, Rejected, SourceItem
from support.fixture_server import FixtureServer, Reply, recorded_reply

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-api"
HEAT_BATH = RECORDINGS / "id_1605.08386_s0_m100_199195aa31ad.json"
HOT_JUPITERS = RECORDINGS / "id_astro-ph_0601001_s0_m100_3150dca9dc76.json"
QUANTUM_C = RECORDINGS / "id_quant-ph_0201082v1_s0_m100_86989fe779ef.json"
BLS_ZERO = RECORDINGS / "id_2104.12255v1_s0_m100_6ae69987ffe1.json"
AEW10 = RECORDINGS / "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json"
BAD_ID = RECORDINGS / "id_abc_s0_m100_b79c8dcf6bc3.json"
EMPTY = RECORDINGS / "id_0000.0000_s0_m100_8b51d9633a68.json"
TESTING_PAGES = {
    0: RECORDINGS / "q_testing_s0_m10_bc5a6c384fe9.json",
    10: RECORDINGS / "q_testing_s10_m10_34e56e15aaac.json",
    20: RECORDINGS / "q_testing_s20_m10_348a237fecab.json",
}


def by_ids(ids: str) -> dict[str, str]:
    return {"id_list": ids, "start": "0", "max_results": str(len(ids.split(",")))}


def search_page(search_query: str, start: int, size: int = 10) -> dict[str, str]:
    return {
        "search_query": search_query,
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
        "start": str(start),
        "max_results": str(size),
    }


def only_records(items: list[SourceItem]) -> list[PaperRecord]:
    return [item for item in items if isinstance(item, PaperRecord)]


def test_every_field_of_an_entry(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(by_ids("1605.08386"), recorded_reply(HEAT_BATH))
    [paper] = list(fetch_by_ids(["1605.08386"], base_url=server.url, fetcher=fetcher))
    assert isinstance(paper, PaperRecord)
    assert paper.arxiv_id == "1605.08386"
    assert paper.version == 1
    assert paper.source == "arxiv-api"
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.abstract.startswith("Graphs on lattice points are studied whose edges come")
    assert paper.abstract.endswith("is an expander in fixed dimension.")
    assert paper.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert paper.categories == ["math.CO", "math.ST"]
    assert paper.comment == "20 pages, 3 figures"
    assert (paper.journal_ref, paper.doi, paper.license) == (None, None, None)
    assert paper.published_at == datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC)
    assert paper.updated_at == datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC)
    # Thursday 13:59:46 EDT, 14 seconds before the cutoff: listed on Friday.
    assert paper.listing_date == date(2016, 5, 27)
    assert server.requests[0].params == by_ids("1605.08386")


def test_old_style_ids_journal_refs_and_escaped_text(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(by_ids("astro-ph/0601001,quant-ph/0201082v1"), recorded_reply(HOT_JUPITERS))
    items = list(
        fetch_by_ids(
            ["astro-ph/0601001", "quant-ph/0201082v1"], base_url=server.url, fetcher=fetcher
        )
    )
    [paper, missing] = items
    assert isinstance(paper, PaperRecord)
    assert paper.arxiv_id == "astro-ph/0601001"
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.authors == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
        "Andrzej Udalski",
    ]
    assert paper.categories == ["astro-ph"]
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters")
    assert "limit of V_max<17.5. Hence" in paper.abstract
    assert paper.listing_date == date(2006, 1, 3)
    # The served page only holds the first paper: the second id is accounted for.
    assert missing == Rejected(
        "arxiv-api",
        raw="quant-ph/0201082v1",
        reason="arXiv has no paper quant-ph/0201082v1",
        ref=str(server.url)
        + "?id_list=astro-ph%2F0601001%2Cquant-ph%2F0201082v1&start=0&max_results=2",
    )


def test_versioned_old_style_id_with_two_categories(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(by_ids("quant-ph/0201082v1"), recorded_reply(QUANTUM_C))
    [paper] = only_records(
        list(fetch_by_ids(["arXiv:quant-ph/0201082v1"], base_url=server.url, fetcher=fetcher))
    )
    assert (paper.arxiv_id, paper.version) == ("quant-ph/0201082", 1)
    assert paper.categories == ["quant-ph", "cs.PL"]
    assert paper.comment == "32 pages"


def test_non_ascii_authors_arrive_intact(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(by_ids("1707.08567"), recorded_reply(AEW10))
    [paper] = list(fetch_by_ids(["1707.08567"], base_url=server.url, fetcher=fetcher))
    assert isinstance(paper, PaperRecord)
    assert len(paper.authors) == 34
    assert paper.authors[0] == "Kees A. Schouhamer Immink"
    assert "Dirk Wübben" in paper.authors
    assert paper.comment == (
        "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )


def test_malformed_ids_are_rejected_without_asking_arxiv(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(by_ids("1605.08386"), recorded_reply(HEAT_BATH))
    items = list(
        fetch_by_ids(["abc", "0808.05394", "1605.08386"], base_url=server.url, fetcher=fetcher)
    )
    assert items[:2] == [
        Rejected("arxiv-api", raw="abc", reason="malformed arXiv id 'abc'"),
        Rejected("arxiv-api", raw="0808.05394", reason="malformed arXiv id '0808.05394'"),
    ]
    assert [paper.arxiv_id for paper in only_records(items)] == ["1605.08386"]
    assert [request.params["id_list"] for request in server.requests] == ["1605.08386"]


def test_an_id_list_arxiv_refuses_rejects_each_id(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    # Served with the recorded HTTP 400 error feed, as if arXiv disagreed with our check.
    server.add(by_ids("2104.12255,1605.08386"), recorded_reply(BAD_ID))
    items = list(fetch_by_ids(["2104.12255", "1605.08386"], base_url=server.url, fetcher=fetcher))
    assert [(item.raw, item.reason) for item in items if isinstance(item, Rejected)] == [
        ("2104.12255", "arXiv refused the id list: incorrect id format for abc"),
        ("1605.08386", "arXiv refused the id list: incorrect id format for abc"),
    ]


def test_ids_are_sent_in_chunks_of_100(server: FixtureServer, fetcher: HttpFetcher) -> None:
    ids = [f"2501.{number:05d}" for number in range(1, 151)]
    server.add(by_ids(",".join(ids[:100])), recorded_reply(EMPTY))
    server.add(by_ids(",".join(ids[100:])), recorded_reply(EMPTY))
    items = list(fetch_by_ids(ids, base_url=server.url, fetcher=fetcher))
    assert [len(request.params["id_list"].split(",")) for request in server.requests] == [100, 50]
    assert [request.params["max_results"] for request in server.requests] == ["100", "50"]
    assert len(items) == 150
    assert all(isinstance(item, Rejected) and "has no paper" in item.reason for item in items)


def test_subject_class_of_old_ids_is_matched_loosely(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    # arXiv answers astro-ph.GA/0601001 as astro-ph/0601001; that is not a missing paper.
    server.add(by_ids("astro-ph.GA/0601001"), recorded_reply(HOT_JUPITERS))
    items = list(fetch_by_ids(["astro-ph.GA/0601001"], base_url=server.url, fetcher=fetcher))
    assert [type(item) for item in items] == [PaperRecord]


def test_search_pages_with_start_and_max_results(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(search_page("testing", 0), recorded_reply(TESTING_PAGES[0]))
    server.add(search_page("testing", 10), recorded_reply(TESTING_PAGES[10]))
    # Only 5 more are wanted; the recorded page of 10 also shows a server may send more.
    server.add(search_page("testing", 20, 5), recorded_reply(TESTING_PAGES[20]))
    items = list(
        search(query="testing", page_size=10, max_results=25, base_url=server.url, fetcher=fetcher)
    )
    papers = only_records(items)
    assert len(items) == len(papers) == 25
    assert papers[0].arxiv_id == "2202.12139"
    assert papers[0].doi == "10.1109/ICSTW55395.2022.00035"
    assert papers[0].journal_ref is not None
    assert papers[0].journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022")
    assert [request.params["start"] for request in server.requests] == ["0", "10", "20"]
    assert [request.params["max_results"] for request in server.requests] == ["10", "10", "5"]
    assert server.requests[0].params == search_page("testing", 0)
    assert (papers[24].arxiv_id, papers[24].version) == ("2109.07960", 2)


def test_search_stops_at_total_results(server: FixtureServer, fetcher: HttpFetcher) -> None:
    query = "cat:math.CO AND submittedDate:[201605260000 TO 201605262359]"
    server.add(search_page(query, 0, 100), recorded_reply(HEAT_BATH))
    items = list(
        search(
            "math.CO",
            date(2016, 5, 26),
            date(2016, 5, 26),
            base_url=server.url,
            fetcher=fetcher,
        )
    )
    assert [paper.arxiv_id for paper in only_records(items)] == ["1605.08386"]
    assert len(server.requests) == 1


def test_search_of_nothing_found_yields_nothing(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(search_page("ti:zzzz", 0, 100), recorded_reply(EMPTY))
    assert list(search(query="ti:zzzz", base_url=server.url, fetcher=fetcher)) == []


def test_search_query_syntax() -> None:
    assert (
        build_search_query("cs.CL", date(2025, 1, 1), date(2025, 1, 7), None)
        == "cat:cs.CL AND submittedDate:[202501010000 TO 202501072359]"
    )
    assert (
        build_search_query("cs.CL", None, None, "ti:transformer OR abs:attention")
        == "cat:cs.CL AND (ti:transformer OR abs:attention)"
    )
    assert build_search_query(None, None, date(1995, 3, 1), None) == (
        "submittedDate:[199108010000 TO 199503012359]"
    )
    with pytest.raises(ValueError, match="needs a category"):
        build_search_query(None, None, None, None)


def test_search_error_feed_raises(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(search_page("id:abc", 0, 100), recorded_reply(BAD_ID))
    with pytest.raises(SourceError, match="arXiv API error for 'id:abc': incorrect id format"):
        list(search(query="id:abc", base_url=server.url, fetcher=fetcher))


def test_a_broken_page_is_rejected_and_paging_goes_on(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    broken = recorded_reply(TESTING_PAGES[10]).body[:3000]
    server.add(search_page("testing", 0), recorded_reply(TESTING_PAGES[0]))
    server.add(search_page("testing", 10), Reply(broken))
    server.add(search_page("testing", 20), recorded_reply(TESTING_PAGES[20]))
    items = list(
        search(query="testing", page_size=10, max_results=30, base_url=server.url, fetcher=fetcher)
    )
    assert [type(item).__name__ for item in items] == ["PaperRecord"] * 10 + ["Rejected"] + [
        "PaperRecord"
    ] * 10
    rejected = items[10]
    assert isinstance(rejected, Rejected)
    assert rejected.raw == broken.decode()
    assert rejected.reason.startswith("unreadable Atom XML: ")
    assert rejected.ref is not None
    assert "start=10" in rejected.ref


def test_an_entry_with_a_bad_date_is_rejected_alone(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    body = recorded_reply(HEAT_BATH).body.replace(
        b"<published>2016-05-26T17:59:46Z</published>", b"<published>yesterday</published>"
    )
    server.add(by_ids("1605.08386"), Reply(body))
    [rejected] = list(fetch_by_ids(["1605.08386"], base_url=server.url, fetcher=fetcher))
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "unparseable published date 'yesterday'"
    assert "Heat-bath random walks with Markov bases" in rejected.raw


def test_an_empty_page_before_the_total_is_asked_again_then_raises(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    body = recorded_reply(EMPTY).body.replace(
        b"<opensearch:totalResults>0<", b"<opensearch:totalResults>5<"
    )
    server.add(search_page("testing", 0, 100), Reply(body))
    with pytest.raises(SourceError, match="empty page at start=0 although it reported 5 results"):
        list(search(query="testing", base_url=server.url, fetcher=fetcher))
    assert len(server.requests) == 3


def test_503_then_success(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(by_ids("2104.12255"), recorded_reply(BLS_ZERO))
    server.fail_next(2)
    [paper] = list(fetch_by_ids(["2104.12255"], base_url=server.url, fetcher=fetcher))
    assert isinstance(paper, PaperRecord)
    assert (paper.title, paper.categories) == ("0", ["cs.CR"])
    assert len(server.requests) == 3


def test_persistent_503_raises(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.fail_next(3)
    with pytest.raises(SourceError, match="failed after 3 attempts: HTTP 503"):
        list(fetch_by_ids(["2104.12255"], base_url=server.url, fetcher=fetcher))


def test_the_doi_link_stands_in_for_a_missing_doi_element(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    body = recorded_reply(TESTING_PAGES[0]).body.replace(
        b"<arxiv:doi>10.1109/ICSTW55395.2022.00035</arxiv:doi>", b"", 1
    )
    server.add(search_page("testing", 0, 1), Reply(body))
    [paper] = list(search(query="testing", max_results=1, base_url=server.url, fetcher=fetcher))
    assert isinstance(paper, PaperRecord)
    assert paper.doi == "10.1109/ICSTW55395.2022.00035"
