"""Saved-search alerts: which of a day's papers a query in the search language brings.

Ranking has no cut-off; an alert needs one. A paper matches when it meets every filter
and phrase and holds every word, or is close in meaning to the query (real MiniLM
vectors of the 36-paper sample).
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperwire.search.hybrid import SearchService
from paperwire.search.query import parse_query
from paperwire.store.schema import Paper


def arxiv_ids(service: SearchService, query: str) -> set[str]:
    with Session(service.engine) as session:
        papers = {paper.id: paper for paper in session.scalars(select(Paper))}
    found = service.matching(parse_query(query), list(papers))
    return {papers[paper_id].arxiv_id for paper_id in found}


def text_of(service: SearchService, arxiv_id: str) -> str:
    with Session(service.engine) as session:
        paper = session.scalars(select(Paper).where(Paper.arxiv_id == arxiv_id)).one()
        return f"{paper.title} {paper.abstract}".lower()


def test_every_word_present(service: SearchService) -> None:
    assert arxiv_ids(service, "neural operator PDE") == {"2606.28122"}
    assert arxiv_ids(service, "DNA storage synchronization") == {"2606.28802"}


def test_the_same_thing_in_other_words(service: SearchService) -> None:
    query = "solving partial differential equations with learned spectral operators"
    assert arxiv_ids(service, query) == {"2606.28122"}
    assert "solving" not in text_of(service, "2606.28122"), "found by meaning, not by words"


def test_unrelated_queries_bring_nothing(service: SearchService) -> None:
    assert arxiv_ids(service, "robots learning to grasp") == set()
    assert arxiv_ids(service, "zebrafish cryptocurrency") == set()


def test_filters_and_phrases_must_hold(service: SearchService) -> None:
    assert arxiv_ids(service, "neural operator PDE author:nobody") == set()
    assert arxiv_ids(service, '"neural operator" has:code') == {"2606.28122"}
    assert arxiv_ids(service, '"operator neural"') == set(), "a phrase keeps its word order"
