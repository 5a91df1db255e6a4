"""Which newly listed papers an alert matches.

Saved searches are matched with Paperwire's search language (quoted phrases, author:,
cat:, after:/before:, has:code) through the search index: a paper matches when it
meets every filter and phrase and holds every word or says the same in other words
(``SearchService.matching``). Followed authors and categories are plain comparisons.
"""

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from paperwire.authors import author_key
from paperwire.search.hybrid import SearchService
from paperwire.search.query import QueryError, parse_query
from paperwire.store.schema import Paper

_author_keys: WeakKeyDictionary[Paper, frozenset[str]] = WeakKeyDictionary()


def matching_papers(search: SearchService, query: str, candidates: Sequence[Paper]) -> list[Paper]:
    """The candidates (the papers of a listing day) that a saved search finds, in order."""
    try:
        parsed = parse_query(query)
    except QueryError:
        return []  # refused when subscribing; an old row's query matches nothing
    found = search.matching(parsed, [paper.id for paper in candidates])
    return [paper for paper in candidates if paper.id in found]


def papers_by_author(key: str, candidates: Sequence[Paper]) -> list[Paper]:
    """Candidates with an author whose folded name is ``key`` (see ``author_key``)."""
    return [paper for paper in candidates if key in _keys_of_authors(paper)]


def papers_in_category(category: str, candidates: Sequence[Paper]) -> list[Paper]:
    return [paper for paper in candidates if category in paper.categories]


def _keys_of_authors(paper: Paper) -> frozenset[str]:
    keys = _author_keys.get(paper)
    if keys is None:
        keys = _author_keys[paper] = frozenset(author_key(name) for name in paper.authors)
    return keys
