"""Search over HTTP: the HF-compatible API, the search page, related papers, bad queries."""

import httpx
import pytest

from support.server import LiveServer


def api_ids(server: LiveServer, **params: object) -> list[str]:
    response = httpx.get(f"{server.url}/api/papers/search", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_api_ranks_by_hybrid_score_in_the_hf_shape(search_server: LiveServer) -> None:
    response = httpx.get(
        f"{search_server.url}/api/papers/search",
        params={"q": "neural operator for PDE", "limit": 5},
    )
    items = response.json()
    assert [item["id"] for item in items] == [
        "2606.28122", "2606.27442", "2606.27604", "2606.28471", "2606.29047",
    ]  # fmt: skip
    first = items[0]
    assert first["paper"]["id"] == first["id"] == "2606.28122"
    assert first["title"] == first["paper"]["title"]
    assert {"publishedAt", "summary", "numComments", "upvotes"} <= first.keys()


def test_api_filters_as_parameters_and_in_the_query(search_server: LiveServer) -> None:
    assert api_ids(search_server, q="neural", category="cs.CV", has_code="true") == ["2606.28122"]
    assert api_ids(search_server, q="neural cat:cs.CV has:code") == ["2606.28122"]
    assert api_ids(search_server, q="transformer", after="2026-06-30") == ["2606.28778"]
    assert api_ids(search_server, q="robot", mode="keyword") == []
    assert api_ids(search_server, q="robot", mode="semantic", limit=1) == ["2606.28692"]
    assert len(api_ids(search_server, author="li", limit=50)) == 5


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 20),  # empty: the latest papers, as before
        ("   ", 20),
        ("cat:cs.IT", 8),  # only operators: filtered, newest first
        ('"unbalanced quote', 0),
        ("' OR 1=1; DROP TABLE papers; --", 18),  # words "1", "DROP", "TABLE", "papers"
        ("title:x AND NOT y* NEAR(a b) ^2 {}", 14),
        ("'; SELECT * FROM paper_embeddings --", 20),
    ],
)
def test_odd_queries_get_answers(search_server: LiveServer, query: str, count: int) -> None:
    response = httpx.get(f"{search_server.url}/api/papers/search", params={"q": query})
    assert response.status_code == 200
    assert len(response.json()) == count


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 251}, "q: String should have at most 250 characters"),
        ({"q": "after:soon"}, "after:soon is not a date; write YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"q": "x", "category": "cs.CL;--"}, "'cs.CL;--' is not an arXiv category"),
        ({"q": "author:"}, "author: needs a value"),
        ({"q": "x", "mode": "magic"}, "mode: Input should be 'hybrid', 'keyword' or 'semantic'"),
    ],
)
def test_bad_queries_get_a_json_error(
    search_server: LiveServer, params: dict[str, str], message: str
) -> None:
    response = httpx.get(f"{search_server.url}/api/papers/search", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_search_page_shows_marked_snippets_filters_and_pages(search_server: LiveServer) -> None:
    page = httpx.get(f"{search_server.url}/search", params={"q": "language models"})
    assert page.status_code == 200
    assert "<mark>language</mark>" in page.text or "<mark>Language</mark>" in page.text
    assert 'name="q" value="language models"' in page.text
    assert (
        "Page 1 of 2" in page.text
        and 'rel="next" href="/search?q=language+models&amp;page=2"' in page.text
    )
    second = httpx.get(f"{search_server.url}/search", params={"q": "language models", "page": 2})
    assert "Page 2 of 2" in second.text
    filtered = httpx.get(
        f"{search_server.url}/search", params={"q": "neural", "cat": "cs.CV", "has_code": "1"}
    )
    assert filtered.text.count('class="paper-card"') == 1 and "2606.28122" in filtered.text
    empty = httpx.get(f"{search_server.url}/search")
    assert empty.status_code == 200 and "Type some words" in empty.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 300}, "The query is 300 characters long; the limit is 250."),
        ({"q": "x", "after": "2026-13-01"}, "after:2026-13-01 is not a real date."),
        ({"q": "has:pdf"}, "has:pdf is not known; has:code is."),
    ],
)
def test_search_page_explains_bad_queries(
    search_server: LiveServer, params: dict[str, str], message: str
) -> None:
    page = httpx.get(f"{search_server.url}/search", params=params)
    assert page.status_code == 400
    assert f'<p class="search-error" role="alert">{message}</p>' in page.text


def test_related_papers_on_the_api_and_the_paper_page(search_server: LiveServer) -> None:
    related = httpx.get(f"{search_server.url}/api/papers/2606.26651/related", params={"limit": 3})
    assert related.status_code == 200
    assert [item["id"] for item in related.json()] == ["2606.26948", "2606.26564", "2606.27557"]
    page = httpx.get(f"{search_server.url}/papers/2606.26651")
    assert "Related papers" in page.text
    assert page.text.index("/papers/2606.26948") < page.text.index("/papers/2606.26564")
    missing = httpx.get(f"{search_server.url}/api/papers/2606.99999/related")
    assert missing.status_code == 404 and missing.json() == {"error": "Paper not found: 2606.99999"}
    # The catch-all paper route still answers for the paper itself.
    assert httpx.get(f"{search_server.url}/api/papers/2606.26651").json()["id"] == "2606.26651"


def test_header_search_box_on_every_page(search_server: LiveServer) -> None:
    home = httpx.get(f"{search_server.url}/")
    assert '<form class="nav-search" action="/search" method="get" role="search">' in home.text
