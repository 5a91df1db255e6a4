"""Turning hits into what readers see: paper rows in rank order, and highlighted snippets."""

import re
from collections.abc import Sequence

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperwire.search.hybrid import SearchService
from paperwire.search.index import text_analyzer
from paperwire.search.query import ParsedQuery
from paperwire.store.papers import visible_only
from paperwire.store.schema import Paper

SNIPPET_WORDS = 48
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def load_papers(session: Session, paper_ids: Sequence[int]) -> list[Paper]:
    """The papers in the order given; ids the store lost, and papers hidden by the
    moderators, are skipped."""
    if not paper_ids:
        return []
    statement = visible_only(select(Paper)).where(Paper.id.in_(paper_ids))
    found = {paper.id: paper for paper in session.scalars(statement)}
    return [found[paper_id] for paper_id in paper_ids if paper_id in found]


def related_papers(
    service: SearchService, session: Session, paper: Paper, limit: int = 6
) -> list[Paper]:
    """Papers near this one by meaning (or by title words, before it has a vector)."""
    hits = service.related(paper.id, paper.title, limit=limit)
    return load_papers(session, [hit.paper_id for hit in hits])


class Highlighter:
    """Marks the query's words (by stem, as the index matched them) in an abstract."""

    def __init__(self, parsed: ParsedQuery) -> None:
        self._analyzer = text_analyzer()
        words = [*parsed.words, *(word for phrase in parsed.phrases for word in phrase.split())]
        self.stems = {stem for word in words for stem in self._analyzer.analyze(word)}

        self._seen: dict[str, bool] = {}

    def _matches(self, word: str) -> bool:
        seen = self._seen.get(word)
        if seen is None:
            seen = any(stem in self.stems for stem in self._analyzer.analyze(word))
            self._seen[word] = seen
        return seen

    def snippet(self, text: str) -> Markup:
        """The window of the text with most matches, query words in ``<mark>``."""
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        if not spans:
            return Markup("")
        hits = [i for i, (start, end) in enumerate(spans) if self._matches(text[start:end])]
        first = self._best_window(hits, len(spans))
        last = min(first + SNIPPET_WORDS, len(spans)) - 1
        begin = spans[first][0] if first else 0
        finish = spans[last][1] if last < len(spans) - 1 else len(text)
        marked = set(hits)
        pieces: list[str] = ["… " if begin else ""]
        cursor = begin
        for index in range(first, last + 1):
            start, end = spans[index]
            if index in marked:
                pieces.append(str(escape(text[cursor:start])))
                pieces.append(f"<mark>{escape(text[start:end])}</mark>")
                cursor = end
        pieces.append(str(escape(text[cursor:finish])))
        if finish < len(text):
            pieces.append(" …")
        return Markup("".join(pieces))

    @staticmethod
    def _best_window(hits: list[int], word_count: int) -> int:
        """Start of the window of ``SNIPPET_WORDS`` words holding most hits (0 if none)."""
        if not hits or word_count <= SNIPPET_WORDS:
            return 0
        best_start, best_count = 0, 0
        for start in hits:
            window_start = max(0, min(start - 8, word_count - SNIPPET_WORDS))
            count = sum(1 for hit in hits if window_start <= hit < window_start + SNIPPET_WORDS)
            if count > best_count:
                best_start, best_count = window_start, count
        return best_start
