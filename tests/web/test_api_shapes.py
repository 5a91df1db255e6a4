"""The raw JSON the API sends: bare arrays, both field placements, errors, paging headers."""

import httpx

from support.server import LiveServer


def test_daily_papers_is_a_bare_array_with_fields_in_both_places(sample_server: LiveServer) -> None:
    response = httpx.get(f"{sample_server.url}/api/daily_papers", params={"date": "2026-06-26"})
    assert response.status_code == 200
    items = response.json()
    assert isinstance(items, list) and items
    item = items[0]
    assert item["publishedAt"] == "2026-06-26T00:00:00.000Z"
    assert item["paper"]["id"] == item["id"]
    for key in ("upvotes", "githubRepo", "projectPage", "ai_summary", "ai_keywords"):
        assert key in item and key in item["paper"]
    assert item["paper"]["authors"][0]["name"]
    assert len(item["paper"]["authors"][0]["_id"]) == 24


def test_link_header_points_to_the_next_page(sample_server: LiveServer) -> None:
    response = httpx.get(f"{sample_server.url}/api/daily_papers", params={"limit": 10})
    assert response.headers["link"].endswith('rel="next"')
    next_url = response.headers["link"].split(";")[0].strip("<>")
    following = httpx.get(f"{sample_server.url}{next_url}").json()
    everything = httpx.get(f"{sample_server.url}/api/daily_papers", params={"limit": 20}).json()
    assert [item["id"] for item in following] == [item["id"] for item in everything[10:20]]
    last = httpx.get(f"{sample_server.url}/api/daily_papers", params={"limit": 100})
    assert "link" not in last.headers


def test_bad_parameters_are_400_with_a_message(sample_server: LiveServer) -> None:
    for params in (
        {"p": "-1"},
        {"limit": "0"},
        {"sort": "random"},
        {"week": "2026-27"},
        {"month": "2026-13"},
        {"date": "2026-06-26", "week": "2026-W26"},
    ):
        response = httpx.get(f"{sample_server.url}/api/daily_papers", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]
    too_long = httpx.get(f"{sample_server.url}/api/papers/search", params={"q": "x" * 251})
    assert too_long.status_code == 400


def test_unknown_and_malformed_papers_are_404(sample_server: LiveServer) -> None:
    for paper_id in ("2606.99999", "not-an-id", "0000.0000"):
        response = httpx.get(f"{sample_server.url}/api/papers/{paper_id}")
        assert response.status_code == 404
        assert "error" in response.json()
        assert "x-error-code" not in response.headers


def test_versioned_ids_find_the_paper(sample_server: LiveServer) -> None:
    listed = httpx.get(f"{sample_server.url}/api/daily_papers", params={"limit": 1}).json()[0]
    response = httpx.get(f"{sample_server.url}/api/papers/{listed['id']}v3")
    assert response.status_code == 200
    assert response.json()["id"] == listed["id"]


def test_category_filter(sample_server: LiveServer) -> None:
    items = httpx.get(
        f"{sample_server.url}/api/daily_papers", params={"category": "cs.CV", "limit": 100}
    ).json()
    assert items
    assert all("cs.CV" in item["paper"]["categories"] for item in items)


def test_openapi_docs_are_served(sample_server: LiveServer) -> None:
    schema = httpx.get(f"{sample_server.url}/openapi.json").json()
    assert "/api/daily_papers" in schema["paths"]
    assert httpx.get(f"{sample_server.url}/docs").status_code == 200
