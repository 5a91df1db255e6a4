"""The search index files beside the database: tantivy for BM25, usearch HNSW for vectors.

The database stays the source of truth. Every change to a paper's searchable content,
and every new vector, is logged in ``search_changes`` in the same transaction as the
change; ``SearchIndex.sync`` applies the log to the files and only then deletes the log
rows it applied, so a crash anywhere means the next sync re-applies (idempotently) what
was not yet durable. An index built for another database, another model or an older
format is rebuilt from the database: no re-embedding is needed for that.

One process writes at a time (an exclusive ``flock``); readers in any number of worker
processes pick up a new ``generation`` of the files at their next search (reading the
small state file costs microseconds; the result cache is dropped by the data version
that every sync bumps).
"""

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import tantivy
from sqlalchemy import Connection, Engine, Table, delete, func, select
from usearch.index import Index as VectorIndex

from paperwire.authors import author_key
from paperwire.categories import category_name
from paperwire.search.embedding import DIMENSIONS
from paperwire.search.vectors import (
    EMBEDDINGS,
    PAPERS,
    current_vectors,
    embedding_text,
    vector_from_bytes,
)
from paperwire.search.vectors import text_hash as compute_text_hash
from paperwire.store.ingest import bump_data_version
from paperwire.store.schema import SearchChange, SearchState

FORMAT = 2
KEYWORD_DIR = "keyword-{generation}"  # a folder per rebuild: readers may still use the old
VECTORS_FILE = "vectors.usearch"
STATE_FILE = "state.json"
LOCK_FILE = "write.lock"
TEXT_ANALYZER = "paperwire_text"
NAME_ANALYZER = "paperwire_name"
CHUNK = 2000
WRITER_HEAP = 128_000_000
HNSW_CONNECTIVITY = 16
HNSW_EXPANSION_ADD = 64  # 128 doubles the build time (1M: 511 s at 64)
HNSW_EXPANSION_SEARCH = 512  # recall@10 at 1M: 0.81 at 128, 0.88 at 256, 0.96 at 512 (~1 ms)
REBUILD_SHARE = 0.5  # when more than this share of papers changed, rebuilding is faster

SEARCH_CHANGES: Table = SearchChange.__table__  # type: ignore[assignment]


def text_analyzer() -> tantivy.TextAnalyzer:
    """Titles, abstracts and category names: lower case, accents folded, English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def name_analyzer() -> tantivy.TextAnalyzer:
    """Author names: lower case and accents folded, never stemmed."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("abstract", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    builder.add_text_field("categories", tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("category", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_unsigned_field("has_code", indexed=True, fast=True)
    return builder.build()


def category_values(categories: Iterable[str]) -> set[str]:
    """``cs.CL`` is found by ``cat:cs.CL`` and by ``cat:cs`` alike."""
    values = set()
    for category in categories:
        values.add(category.lower())
        values.add(category.lower().split(".")[0])
    return values


@dataclass(frozen=True)
class IndexState:
    format: int
    database_id: str
    model: str
    generation: int
    papers: int
    vectors: int
    keyword_dir: str


@dataclass
class SyncReport:
    rebuilt: bool
    papers: int  # papers written to the index in this sync
    vectors: int  # vectors written
    seconds: float


SyncProgress = Callable[[int, int], None]


class Snapshot:
    """One generation of the index files, safe to search from many threads."""

    def __init__(self, directory: Path, state: IndexState | None) -> None:
        self.state = state
        self.schema = build_schema()
        self.searcher: tantivy.Searcher | None = None
        self.vectors: VectorIndex | None = None
        if state is None:
            return
        keyword_dir = directory / state.keyword_dir
        if not (keyword_dir / "meta.json").is_file():
            # tantivy crashes the process (SIGSEGV) on a missing folder: never let it see one.
            raise FileNotFoundError(keyword_dir)
        keyword = tantivy.Index(self.schema, path=str(keyword_dir), reuse=True)
        _register_analyzers(keyword)
        self.searcher = keyword.searcher()
        vectors_path = directory / VECTORS_FILE
        if state.vectors and vectors_path.is_file():
            self.vectors = VectorIndex.restore(str(vectors_path), view=True)
            if self.vectors is not None:
                # Not kept in the file; the setter is real but typed as read-only.
                self.vectors.expansion_search = HNSW_EXPANSION_SEARCH  # type: ignore[misc]

    @property
    def generation(self) -> int:
        return self.state.generation if self.state else -1

    def keyword(self, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
        """(paper id, BM25 score) of the best ``limit`` matches."""
        if self.searcher is None or limit <= 0:
            return []
        hits = self.searcher.search(query, limit, count=False).hits
        ids = self.searcher.fast_field_values("id", [address for _, address in hits])
        return [
            (_int(paper_id), float(score)) for (score, _), paper_id in zip(hits, ids, strict=True)
        ]

    def newest(self, query: tantivy.Query, offset: int, limit: int) -> tuple[list[int], int]:
        """Matches ordered by listing day, newest first, and how many there are."""
        if self.searcher is None:
            return [], 0
        result = self.searcher.search(query, limit, count=True, order_by_field="day", offset=offset)
        ids = self.searcher.fast_field_values("id", [address for _, address in result.hits])
        return [_int(paper_id) for paper_id in ids], _count(result)

    def count(self, query: tantivy.Query) -> int:
        if self.searcher is None:
            return 0
        return _count(self.searcher.search(query, 0, count=True))

    def nearest(self, vector: np.ndarray[Any, Any], limit: int) -> list[tuple[int, float]]:
        """(paper id, cosine similarity) of the ``limit`` nearest vectors."""
        if self.vectors is None or len(self.vectors) == 0 or limit <= 0:
            return []
        matches = self.vectors.search(vector, min(limit, len(self.vectors)))
        return [
            (int(key), 1.0 - float(distance))
            for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]

    def among(self, paper_ids: Sequence[int], query: tantivy.Query) -> set[int]:
        """Which of ``paper_ids`` also match ``query`` (filters checked for vector hits)."""
        if self.searcher is None or not paper_ids:
            return set()
        restricted = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_set_query(self.schema, "id", list(paper_ids)),
                ),
                (tantivy.Occur.Must, query),
            ]
        )
        hits = self.searcher.search(restricted, len(paper_ids), count=False).hits
        return {_int(i) for i in self.searcher.fast_field_values("id", [a for _, a in hits])}


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _count(result: tantivy.SearchResult) -> int:
    """Matches counted by a search with ``count=True`` (an attribute the stubs omit)."""
    count: int = getattr(result, "count", 0) or 0
    return count


def _register_analyzers(index: tantivy.Index) -> None:
    index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
    index.register_tokenizer(NAME_ANALYZER, name_analyzer())


class SearchIndex:
    """The index files of one database, in ``directory``."""

    def __init__(self, directory: Path, model: str, *, check_interval: float = 0.0) -> None:
        self.directory = directory
        self.model = model
        self.check_interval = check_interval
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    # ---- reading ----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The newest generation on disk, checked at most once per ``check_interval``."""
        now = time.monotonic()
        with self._lock:
            if self._snapshot is not None and now - self._checked_at < self.check_interval:
                return self._snapshot
            self._checked_at = now
            state = self.read_state()
            if self._snapshot is None or self._snapshot.generation != (
                state.generation if state else -1
            ):
                try:
                    self._snapshot = Snapshot(self.directory, state)
                except (OSError, ValueError):
                    # Caught between a rebuild's swap and its new state file: answer from
                    # nothing this once, and try again on the next search.
                    self._checked_at = float("-inf")
                    return Snapshot(self.directory, None)
            return self._snapshot

    def read_state(self) -> IndexState | None:
        try:
            data = json.loads((self.directory / STATE_FILE).read_text())
            return IndexState(**data)
        except (OSError, ValueError, TypeError):
            return None

    def is_current(self, engine: Engine) -> bool:
        """Whether the files match this database and no logged change is waiting."""
        state = self.read_state()
        with engine.connect() as connection:
            if not self._usable(state, _database_id(connection)):
                return False
            pending = connection.scalar(select(SEARCH_CHANGES.c.seq).limit(1))
        return pending is None

    # ---- writing ----------------------------------------------------------------------------

    def sync(
        self,
        engine: Engine,
        *,
        rebuild: bool = False,
        wait: bool = True,
        on_progress: SyncProgress | None = None,
    ) -> SyncReport | None:
        """Bring the files up to date with the database; None if another writer is busy."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.directory / LOCK_FILE, wait=wait) as acquired:
            if not acquired:
                return None
            started = time.perf_counter()
            with engine.connect() as connection:
                database_id = _database_id(connection)
                state = self.read_state()
                pending = list(
                    connection.execute(
                        select(SEARCH_CHANGES.c.seq, SEARCH_CHANGES.c.paper_id).order_by(
                            SEARCH_CHANGES.c.seq
                        )
                    )
                )
                paper_count = connection.scalar(select(func.count()).select_from(PAPERS)) or 0
            changed_ids = sorted({paper_id for _, paper_id in pending})
            rebuild = (
                rebuild
                or not self._usable(state, database_id)
                or len(changed_ids) > REBUILD_SHARE * paper_count
            )
            generation = (state.generation if state else 0) + 1
            if rebuild:
                keyword_dir = KEYWORD_DIR.format(generation=generation)
                papers, vectors = self._rebuild(engine, keyword_dir, paper_count, on_progress)
            elif changed_ids:
                assert state is not None
                keyword_dir = state.keyword_dir
                papers, vectors = self._apply(engine, state, changed_ids, on_progress)
            else:
                return SyncReport(False, 0, 0, time.perf_counter() - started)
            new_state = IndexState(
                FORMAT, database_id, self.model, generation, papers, vectors, keyword_dir
            )
            self._write_state(new_state)
            self._remove_old_keyword_dirs(keyword_dir, state)
            _forget(engine, [seq for seq, _ in pending])
            return SyncReport(rebuild, papers, vectors, time.perf_counter() - started)

    def _usable(self, state: IndexState | None, database_id: str) -> bool:
        return (
            state is not None
            and state.format == FORMAT
            and state.database_id == database_id
            and state.model == self.model
            and (self.directory / state.keyword_dir / "meta.json").is_file()
        )

    def _rebuild(
        self,
        engine: Engine,
        keyword_name: str,
        paper_count: int,
        on_progress: SyncProgress | None,
    ) -> tuple[int, int]:
        """Write a new keyword folder and vector file beside the ones readers may be using."""
        keyword_dir = self.directory / keyword_name
        shutil.rmtree(keyword_dir, ignore_errors=True)
        keyword_dir.mkdir(parents=True)
        keyword = tantivy.Index(build_schema(), path=str(keyword_dir))
        _register_analyzers(keyword)
        writer = keyword.writer(WRITER_HEAP, 1)
        vectors = _new_vector_index()
        papers = 0
        with engine.connect() as connection:
            for rows in _paper_rows(connection, self.model):
                keys, batch = [], []
                for row in rows:
                    writer.add_document(_document(row))
                    if row.vector is not None and row.text_hash == compute_text_hash(
                        embedding_text(row.title, row.abstract)
                    ):
                        keys.append(row.id)
                        batch.append(vector_from_bytes(row.vector))
                if keys:
                    vectors.add(np.array(keys, dtype=np.uint64), np.stack(batch), threads=2)
                papers += len(rows)
                if on_progress is not None:
                    on_progress(papers, paper_count)
        writer.commit()
        writer.wait_merging_threads()
        self._save_vectors(vectors)
        return papers, len(vectors)

    def _remove_old_keyword_dirs(self, current: str, previous: IndexState | None) -> None:
        """Keep the current folder and the one before it (a reader may have just opened it)."""
        keep = {current, previous.keyword_dir if previous else current}
        for folder in self.directory.glob("keyword*"):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _apply(
        self,
        engine: Engine,
        state: IndexState,
        changed_ids: list[int],
        on_progress: SyncProgress | None,
    ) -> tuple[int, int]:
        keyword = tantivy.Index(build_schema(), path=str(self.directory / state.keyword_dir))
        _register_analyzers(keyword)
        writer = keyword.writer(WRITER_HEAP, 1)
        vectors = self._load_vectors(state)
        done = 0
        with engine.connect() as connection:
            for start in range(0, len(changed_ids), CHUNK):
                chunk = changed_ids[start : start + CHUNK]
                rows = {row.id: row for row in _papers_by_id(connection, chunk)}
                fresh = current_vectors(connection, chunk, self.model)
                for paper_id in chunk:
                    writer.delete_documents_by_term("id", paper_id)
                    if paper_id in rows:
                        writer.add_document(_document(rows[paper_id]))
                    if paper_id in vectors:
                        vectors.remove(paper_id)
                if fresh:
                    keys = np.array(list(fresh), dtype=np.uint64)
                    vectors.add(keys, np.stack(list(fresh.values())), threads=2)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, len(changed_ids))
        writer.commit()
        writer.wait_merging_threads()
        self._save_vectors(vectors)
        with engine.connect() as connection:
            papers = connection.scalar(select(func.count()).select_from(PAPERS)) or 0
        return papers, len(vectors)

    def _load_vectors(self, state: IndexState) -> VectorIndex:
        path = self.directory / VECTORS_FILE
        if state.vectors and path.is_file():
            loaded = VectorIndex.restore(str(path))
            if loaded is not None:
                return loaded
        return _new_vector_index()

    def _save_vectors(self, vectors: VectorIndex) -> None:
        """Write to a new file and rename it, so readers keep a valid view of the old one."""
        temporary = self.directory / (VECTORS_FILE + ".new")
        vectors.save(str(temporary))
        os.replace(temporary, self.directory / VECTORS_FILE)

    def _write_state(self, state: IndexState) -> None:
        temporary = self.directory / (STATE_FILE + ".new")
        temporary.write_text(json.dumps(asdict(state)))
        os.replace(temporary, self.directory / STATE_FILE)


def _new_vector_index() -> VectorIndex:
    return VectorIndex(
        ndim=DIMENSIONS,
        metric="cos",
        dtype="f16",
        connectivity=HNSW_CONNECTIVITY,
        expansion_add=HNSW_EXPANSION_ADD,
        expansion_search=HNSW_EXPANSION_SEARCH,
    )


@contextmanager
def _exclusive(path: Path, *, wait: bool) -> Iterator[bool]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _database_id(connection: Connection) -> str:
    value = connection.scalar(select(SearchState.database_id).where(SearchState.id == 1))
    return value or ""


_PAPER_COLUMNS = (
    PAPERS.c.id,
    PAPERS.c.title,
    PAPERS.c.abstract,
    PAPERS.c.authors,
    PAPERS.c.categories,
    PAPERS.c.listing_date,
    PAPERS.c.published_at,
    PAPERS.c.has_code,
)


def _paper_rows(connection: Connection, model: str) -> Iterator[list[Any]]:
    """Every paper with its vector (if ``model`` made one), in chunks, by id."""
    last_id = 0
    while True:
        statement = (
            select(*_PAPER_COLUMNS, EMBEDDINGS.c.vector, EMBEDDINGS.c.text_hash)
            .outerjoin(
                EMBEDDINGS,
                (EMBEDDINGS.c.paper_id == PAPERS.c.id) & (EMBEDDINGS.c.model == model),
            )
            .where(PAPERS.c.id > last_id)
            .order_by(PAPERS.c.id)
            .limit(CHUNK)
        )
        rows = list(connection.execute(statement))
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _papers_by_id(connection: Connection, paper_ids: list[int]) -> list[Any]:
    return list(connection.execute(select(*_PAPER_COLUMNS).where(PAPERS.c.id.in_(paper_ids))))


def listing_day(row: Any) -> int:
    """Days since 0001-01-01 of the listing (or else submission) date; 0 when unknown."""
    day: date | None = row.listing_date or (row.published_at.date() if row.published_at else None)
    return day.toordinal() if day else 0


def _document(row: Any) -> tantivy.Document:
    document = tantivy.Document()
    document.add_unsigned("id", row.id)
    document.add_text("title", row.title)
    document.add_text("abstract", row.abstract or "")
    for name in row.authors:
        document.add_text("authors", author_key(name))
    described = [f"{category} {category_name(category)}" for category in row.categories]
    document.add_text("categories", " ".join(described))
    for value in category_values(row.categories):
        document.add_text("category", value)
    document.add_integer("day", listing_day(row))
    document.add_unsigned("has_code", 1 if row.has_code else 0)
    return document


def _forget(engine: Engine, seqs: list[int]) -> None:
    """Drop the log rows that are now applied (only those read: later ones stay pending).

    The data version moves too: cached search answers from before this sync are stale.
    """
    with engine.begin() as connection:
        bump_data_version(connection)
        for start in range(0, len(seqs), 5000):
            chunk = seqs[start : start + 5000]
            connection.execute(delete(SEARCH_CHANGES).where(SEARCH_CHANGES.c.seq.in_(chunk)))
