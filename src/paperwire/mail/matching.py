"""Which newly listed papers an alert matches.

``matching_papers`` is the one seam between alerts and search. For now it is a plain
keyword match (every word or "quoted phrase" must occur in the title, abstract or
authors, case-insensitively). It is to be replaced by the hybrid search's query language
(quoted phrases, author:, cat:, after:/before:, has:code) once that lands: keep the
signature, restrict the search to ``candidates``, and keep their order.
"""

import re
from collections.abc import Sequence
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from paperwire.authors import author_key
from paperwire.store.schema import Paper

_TERM = re.compile(r'"([^"]+)"|(\S+)')
_haystacks: WeakKeyDictionary[Paper, str] = WeakKeyDictionary()
_author_keys: WeakKeyDictionary[Paper, frozenset[str]] = WeakKeyDictionary()


def matching_papers(session: Session, query: str, candidates: Sequence[Paper]) -> list[Paper]:
    """The candidates (e.g. the papers of a listing day) that ``query`` finds, in order."""
    terms = query_terms(query)
    if not terms:
        return []
    return [paper for paper in candidates if all(term in _haystack(paper) for term in terms)]


def query_terms(query: str) -> list[str]:
    terms = []
    for phrase, word in _TERM.findall(query.casefold()):
        term = " ".join((phrase or word).strip('"').split())
        if term:
            terms.append(term)
    return terms


def papers_by_author(key: str, candidates: Sequence[Paper]) -> list[Paper]:
    """Candidates with an author whose folded name is ``key`` (see ``author_key``)."""
    return [paper for paper in candidates if key in _keys_of_authors(paper)]


def papers_in_category(category: str, candidates: Sequence[Paper]) -> list[Paper]:
    return [paper for paper in candidates if category in paper.categories]


def _haystack(paper: Paper) -> str:
    text = _haystacks.get(paper)
    if text is None:
        text = " ".join([paper.title, paper.abstract, *paper.authors]).casefold()
        text = _haystacks[paper] = " ".join(text.split())
    return text


def _keys_of_authors(paper: Paper) -> frozenset[str]:
    keys = _author_keys.get(paper)
    if keys is None:
        keys = _author_keys[paper] = frozenset(author_key(name) for name in paper.authors)
    return keys
