"""Hybrid search: BM25 and embedding candidates, fused by a weighted sum of their scores.

Each side proposes its best ``CANDIDATES`` papers; scores are min-max normalised per
side and fused as ``KEYWORD_WEIGHT * bm25 + (1 - KEYWORD_WEIGHT) * cosine``. On SciFact
this beat reciprocal rank fusion (see bench/search_quality.py). Filters and quoted
phrases bind both sides: keyword hits are filtered inside tantivy, vector hits are
checked against the same tantivy query.
"""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import tantivy
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from paperwire.authors import author_key
from paperwire.config import Settings, default_data_dir
from paperwire.search.embedding import Embedder, ModelUnavailable, find_model_files
from paperwire.search.index import (
    SearchIndex,
    Snapshot,
    build_schema,
    name_analyzer,
    text_analyzer,
)
from paperwire.search.query import Filters, ParsedQuery
from paperwire.search.vectors import current_vectors

Mode = Literal["hybrid", "keyword", "semantic"]
MODES: tuple[Mode, ...] = ("hybrid", "keyword", "semantic")
FIELD_BOOSTS = {"title": 1.0, "abstract": 1.0, "authors": 1.0, "categories": 0.3}
KEYWORD_WEIGHT = 0.7  # best of 0.0-1.0 on SciFact train (bench/search_quality.py)
CANDIDATES = 100
FILTERED_CANDIDATES = 1000  # vector hits to draw from when filters will drop most of them
MAX_RESULTS = 1000  # how deep paging goes
MIN_SIMILARITY = 0.2  # vector hits below this are noise: any query has 100 nearest papers
SYNC_INTERVAL = 10.0  # seconds between background catch-ups in a server
# An alert brings a paper without all the query's words only when it is this close in
# meaning (MiniLM cosine); a relevant abstract scores about 0.45-0.7 against a short query.
ALERT_SIMILARITY = 0.5


@dataclass
class Hit:
    paper_id: int
    score: float
    keyword: float | None = None  # normalised BM25, when the keyword side found it
    semantic: float | None = None  # cosine similarity, when the vector side found it


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    by_date: bool = False  # no search words: filtered papers, newest first
    notes: list[str] = field(default_factory=list)


class QueryBuilder:
    """Tantivy queries built term by term: user text never reaches a query parser."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema
        self._text = text_analyzer()
        self._names = name_analyzer()

    def words(self, words: tuple[str, ...]) -> tantivy.Query | None:
        """Any of the words, in any field, each field with its BM25 boost."""
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        seen: set[tuple[str, str]] = set()
        for word in words:
            for field_name, boost in FIELD_BOOSTS.items():
                analyzer = self._names if field_name == "authors" else self._text
                for token in analyzer.analyze(word):
                    if (field_name, token) in seen:
                        continue
                    seen.add((field_name, token))
                    term = tantivy.Query.term_query(self.schema, field_name, token)
                    clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, boost)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def phrase(self, phrase: str) -> tantivy.Query | None:
        tokens: list[str | tuple[int, str]] = list(self._text.analyze(phrase))
        if not tokens:
            return None
        options = []
        for field_name in ("title", "abstract"):
            query = (
                tantivy.Query.phrase_query(self.schema, field_name, tokens)
                if len(tokens) > 1
                else tantivy.Query.term_query(self.schema, field_name, phrase_token(tokens[0]))
            )
            boost = FIELD_BOOSTS[field_name]
            options.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        return tantivy.Query.boolean_query(options)

    def filters(self, filters: Filters) -> list[tantivy.Query]:
        """One query per restriction; every one must hold."""
        queries = []
        for author in filters.authors:
            tokens: list[str | tuple[int, str]] = list(self._names.analyze(author_key(author)))
            if len(tokens) == 1:
                term = phrase_token(tokens[0])
                queries.append(tantivy.Query.term_query(self.schema, "authors", term))
            elif tokens:
                queries.append(tantivy.Query.phrase_query(self.schema, "authors", tokens))
        if filters.categories:
            values = [category.lower() for category in filters.categories]
            queries.append(tantivy.Query.term_set_query(self.schema, "category", values))
        if filters.after or filters.before:
            queries.append(
                tantivy.Query.range_query(
                    self.schema,
                    "day",
                    tantivy.FieldType.Integer,
                    _ordinal(filters.after),
                    _ordinal(filters.before),
                )
            )
        if filters.has_code:
            queries.append(tantivy.Query.term_query(self.schema, "has_code", 1))
        return queries

    def required(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """What every result must match: the filters and the quoted phrases."""
        queries = self.filters(parsed.filters)
        queries += [q for q in (self.phrase(p) for p in parsed.phrases) if q is not None]
        if not queries:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query) for query in queries])

    def keyword(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """Scored by the words and phrases; filters count for nothing in the score."""
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        words = self.words(parsed.words)
        if words is not None:
            clauses.append((tantivy.Occur.Must, words))
        for phrase in parsed.phrases:
            query = self.phrase(phrase)
            if query is not None:
                clauses.append((tantivy.Occur.Must, query))
        if not clauses:
            return None
        for restriction in self.filters(parsed.filters):
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(restriction, 0.0)))
        return tantivy.Query.boolean_query(clauses)


def phrase_token(token: str | tuple[int, str]) -> str:
    return token if isinstance(token, str) else token[1]


def _ordinal(day: date | None) -> int | None:
    return day.toordinal() if day else None


def normalised(scored: list[tuple[int, float]]) -> dict[int, float]:
    """Min-max scale to [0, 1]; a single hit, or all equal, scores 1."""
    if not scored:
        return {}
    values = [score for _, score in scored]
    low, high = min(values), max(values)
    span = high - low
    return {paper_id: (score - low) / span if span else 1.0 for paper_id, score in scored}


def fuse(
    keyword: list[tuple[int, float]],
    semantic: list[tuple[int, float]],
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[Hit]:
    """Weighted sum of normalised scores; ties go to the newer paper (higher id)."""
    keyword_scores = normalised(keyword)
    semantic_scores = normalised(semantic)
    cosine = dict(semantic)
    hits = [
        Hit(
            paper_id,
            keyword_weight * keyword_scores.get(paper_id, 0.0)
            + (1 - keyword_weight) * semantic_scores.get(paper_id, 0.0),
            keyword=keyword_scores.get(paper_id),
            semantic=cosine.get(paper_id),
        )
        for paper_id in keyword_scores.keys() | semantic_scores.keys()
    ]
    hits.sort(key=lambda hit: (-hit.score, -hit.paper_id))
    return hits


class SearchService:
    """Search over one database's index files, shared by the web app, the CLI and benches."""

    def __init__(
        self,
        engine: Engine,
        index: SearchIndex,
        embedder: Callable[[], Embedder],
        *,
        keyword_weight: float = KEYWORD_WEIGHT,
    ) -> None:
        self.engine = engine
        self.index = index
        self.keyword_weight = keyword_weight
        self._load_embedder = embedder
        self._embedder: Embedder | None = None
        self._embedder_error: str | None = None
        self._builder = QueryBuilder(build_schema())
        self._sync_lock = threading.Lock()
        self._sync_thread: threading.Thread | None = None
        self._synced_at = float("-inf")

    def embedder(self) -> Embedder | None:
        """The model, loaded on first use; None (keyword search only) if it is missing."""
        if self._embedder is None and self._embedder_error is None:
            try:
                self._embedder = self._load_embedder()
            except ModelUnavailable as error:
                self._embedder_error = str(error)
        return self._embedder

    def search(
        self, parsed: ParsedQuery, *, mode: Mode = "hybrid", offset: int = 0, limit: int = 20
    ) -> SearchResult:
        snapshot = self.index.snapshot()
        notes = list(parsed.notes)
        if not parsed.has_text:
            required = self._builder.required(parsed) or tantivy.Query.all_query()
            ids, total = snapshot.newest(required, offset, limit)
            return SearchResult([Hit(i, 0.0) for i in ids], total, by_date=True, notes=notes)
        depth = min(max(CANDIDATES, offset + limit), MAX_RESULTS)
        keyword: list[tuple[int, float]] = []
        semantic: list[tuple[int, float]] = []
        if mode != "semantic":
            query = self._builder.keyword(parsed)
            keyword = snapshot.keyword(query, depth) if query is not None else []
        if mode != "keyword":
            semantic, note = self._semantic(snapshot, parsed, depth)
            if note:
                notes.append(note)
        if mode == "keyword":
            hits = fuse(keyword, [], 1.0)
        elif mode == "semantic":
            hits = fuse([], semantic, 0.0)
        else:
            hits = fuse(keyword, semantic, self.keyword_weight)
        return SearchResult(hits[offset : offset + limit], len(hits), notes=notes)

    def _semantic(
        self, snapshot: Snapshot, parsed: ParsedQuery, depth: int
    ) -> tuple[list[tuple[int, float]], str | None]:
        embedder = self.embedder()
        if embedder is None:
            return [], f"Keyword search only: {self._embedder_error}"
        if snapshot.vectors is None:
            return [], None
        vector = embedder.embed_query(parsed.text)
        required = self._builder.required(parsed)
        if required is None:
            return _similar(snapshot.nearest(vector, depth)), None
        candidates = _similar(snapshot.nearest(vector, max(depth, FILTERED_CANDIDATES)))
        allowed = snapshot.among([paper_id for paper_id, _ in candidates], required)
        return [hit for hit in candidates if hit[0] in allowed][:depth], None

    def related(self, paper_id: int, title: str, *, limit: int = 6) -> list[Hit]:
        """Nearest papers by vector; by the title's words when the paper has no vector yet."""
        snapshot = self.index.snapshot()
        with self.engine.connect() as connection:
            own = current_vectors(connection, [paper_id], self.index.model).get(paper_id)
        if own is not None and snapshot.vectors is not None:
            near = snapshot.nearest(own, limit + 1)
            return [Hit(i, s, semantic=s) for i, s in near if i != paper_id][:limit]
        words = tuple(title.split())
        query = self._builder.words(words)
        found = snapshot.keyword(query, limit + 1) if query is not None else []
        return [Hit(i, s, keyword=s) for i, s in found if i != paper_id][:limit]

    def matching(self, parsed: ParsedQuery, paper_ids: Sequence[int]) -> set[int]:
        """Which of ``paper_ids`` a saved-search alert for ``parsed`` brings.

        Each meets every filter and quoted phrase, and holds every word of the query (in
        any field, stemmed) or says the same thing in other words (cosine of at least
        ``ALERT_SIMILARITY``). A ranking has no cut-off; an alert needs one.
        """
        if not paper_ids:
            return set()
        snapshot = self.index.snapshot()
        required = self._builder.required(parsed)
        allowed = snapshot.among(paper_ids, required) if required is not None else set(paper_ids)
        if not parsed.words or not allowed:
            return allowed
        per_word = [self._builder.words((word,)) for word in parsed.words]
        every_word = [(tantivy.Occur.Must, query) for query in per_word if query is not None]
        by_words = (
            snapshot.among(sorted(allowed), tantivy.Query.boolean_query(every_word))
            if every_word
            else set()
        )
        embedder = self.embedder()
        rest = sorted(allowed - by_words)
        if embedder is None or not rest:
            return by_words
        wanted = embedder.embed_query(parsed.text)
        with self.engine.connect() as connection:
            vectors = current_vectors(connection, rest, self.index.model)
        close = {
            paper_id
            for paper_id, vector in vectors.items()
            if float(np.dot(vector, wanted)) >= ALERT_SIMILARITY
        }
        return by_words | close

    def saved_search(self, parsed: ParsedQuery, *, limit: int) -> list[int]:
        """The best-ranked papers that also pass the alert test (``matching``): what a
        saved search's feed shows, and empty when nothing really matches yet."""
        ranked = [hit.paper_id for hit in self.search(parsed, limit=limit).hits]
        kept = self.matching(parsed, ranked)
        return [paper_id for paper_id in ranked if paper_id in kept]

    def catch_up(self) -> None:
        """Apply logged changes in a background thread, at most every ``SYNC_INTERVAL``."""
        now = time.monotonic()
        with self._sync_lock:
            if now - self._synced_at < SYNC_INTERVAL:
                return
            if self._sync_thread is not None and self._sync_thread.is_alive():
                return
            self._synced_at = now
            self._sync_thread = threading.Thread(target=self._sync_quietly, daemon=True)
            self._sync_thread.start()

    def _sync_quietly(self) -> None:
        if not self.index.is_current(self.engine):
            self.index.sync(self.engine, wait=False)


def _similar(hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
    return [hit for hit in hits if hit[1] >= MIN_SIMILARITY]


def index_directory(settings: Settings) -> Path:
    """Where a database's index files live: beside a SQLite file, else in the data folder."""
    if settings.search_index_dir is not None:
        return settings.search_index_dir
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        return path.with_name(path.name + ".search")
    name = "-".join(str(part) for part in (url.host or "local", url.port or "", url.database))
    return default_data_dir() / "search" / name


def model_name() -> str:
    """The name vectors are stored under; works without loading the model."""
    try:
        return find_model_files().name
    except ModelUnavailable:
        return "unavailable"


def open_search(settings: Settings, engine: Engine, *, threads: int = 1) -> SearchService:
    from paperwire.search.embedding import load_embedder

    index = SearchIndex(index_directory(settings), model_name())
    return SearchService(engine, index, lambda: load_embedder(threads))
