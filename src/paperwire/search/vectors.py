"""Paper vectors in the database: which papers need embedding, and embedding them in batches.

Each chunk of papers is committed with its vectors and its search-log entries, so an
interrupted run loses at most one chunk and a re-run embeds only what is still missing.
"""

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection, Engine, Row, Table, and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from paperwire.search.embedding import DIMENSIONS, Vectors
from paperwire.store.ingest import log_search_changes
from paperwire.store.schema import Paper, PaperEmbedding

EMBEDDINGS: Table = PaperEmbedding.__table__  # type: ignore[assignment]
PAPERS: Table = Paper.__table__  # type: ignore[assignment]
CHUNK_SIZE = 256  # papers per transaction: a few seconds of embedding
BATCH_SIZE = 32  # texts per model call


class TextEmbedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> Vectors: ...


@dataclass
class EmbedProgress:
    done: int
    total: int


ProgressCallback = Callable[[EmbedProgress], None]


def embedding_text(title: str, abstract: str) -> str:
    """What a paper's vector is computed from: its title, then its abstract."""
    if not abstract:
        return title
    separator = " " if title.endswith((".", "?", "!")) else ". "
    return f"{title}{separator}{abstract}"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def vector_to_bytes(vector: Vectors) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> Vectors:
    return np.frombuffer(data, dtype="<f4").reshape(DIMENSIONS)


def stale_ids(connection: Connection, model: str, *, everything: bool = False) -> list[int]:
    """Papers with no vector from ``model`` for their current row, newest first."""
    statement = select(PAPERS.c.id).outerjoin(EMBEDDINGS, EMBEDDINGS.c.paper_id == PAPERS.c.id)
    if not everything:
        statement = statement.where(
            or_(
                EMBEDDINGS.c.paper_id.is_(None),
                EMBEDDINGS.c.model != model,
                EMBEDDINGS.c.paper_hash != PAPERS.c.content_hash,
            )
        )
    return list(connection.scalars(statement.order_by(PAPERS.c.id.desc())))


def embed_papers(
    engine: Engine,
    embedder: TextEmbedder,
    *,
    everything: bool = False,
    on_progress: ProgressCallback | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Embed every paper that needs it (all of them with ``everything``); return how many."""
    with engine.connect() as connection:
        ids = stale_ids(connection, embedder.name, everything=everything)
    progress = EmbedProgress(0, len(ids))
    if on_progress is not None:
        on_progress(progress)
    embedded = 0
    for start in range(0, len(ids), chunk_size):
        with engine.begin() as connection:
            rows = _chunk_rows(connection, ids[start : start + chunk_size])
            todo, unchanged = _split_unchanged(rows, embedder.name, everything=everything)
            _refresh_paper_hashes(connection, unchanged)
            for batch in _batches(todo):
                vectors = embedder.embed([text for _, text in batch])
                _store(connection, embedder.name, batch, vectors)
                embedded += len(batch)
                progress.done += len(batch)
                if on_progress is not None:
                    on_progress(progress)
            progress.done += len(unchanged)
        if on_progress is not None:
            on_progress(progress)
    return embedded


def _chunk_rows(connection: Connection, ids: list[int]) -> list[Row[Any]]:
    statement = (
        select(
            PAPERS.c.id,
            PAPERS.c.title,
            PAPERS.c.abstract,
            PAPERS.c.content_hash,
            EMBEDDINGS.c.model,
            EMBEDDINGS.c.text_hash,
        )
        .outerjoin(EMBEDDINGS, EMBEDDINGS.c.paper_id == PAPERS.c.id)
        .where(PAPERS.c.id.in_(ids))
    )
    return list(connection.execute(statement))


@dataclass
class _Todo:
    paper_id: int
    paper_hash: str
    text: str
    text_hash: str


def _split_unchanged(
    rows: list[Row[Any]], model: str, *, everything: bool
) -> tuple[list[_Todo], list[_Todo]]:
    """Papers whose row changed but whose title and abstract did not keep their vector."""
    todo: list[_Todo] = []
    unchanged: list[_Todo] = []
    for row in rows:
        text = embedding_text(row.title, row.abstract)
        item = _Todo(row.id, row.content_hash, text, text_hash(text))
        same = row.model == model and row.text_hash == item.text_hash
        (unchanged if same and not everything else todo).append(item)
    # Similar lengths in one model call waste less work on padding.
    todo.sort(key=lambda item: len(item.text))
    return todo, unchanged


def _batches(todo: list[_Todo]) -> Iterator[list[tuple[_Todo, str]]]:
    for start in range(0, len(todo), BATCH_SIZE):
        yield [(item, item.text) for item in todo[start : start + BATCH_SIZE]]


def _refresh_paper_hashes(connection: Connection, unchanged: list[_Todo]) -> None:
    if not unchanged:
        return
    connection.execute(
        update(EMBEDDINGS)
        .where(EMBEDDINGS.c.paper_id == bindparam("pid"))
        .values(paper_hash=bindparam("hash")),
        [{"pid": item.paper_id, "hash": item.paper_hash} for item in unchanged],
    )


def _store(
    connection: Connection, model: str, batch: list[tuple[_Todo, str]], vectors: Vectors
) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "paper_id": item.paper_id,
            "model": model,
            "text_hash": item.text_hash,
            "paper_hash": item.paper_hash,
            "vector": vector_to_bytes(vector),
            "embedded_at": now,
        }
        for (item, _), vector in zip(batch, vectors, strict=True)
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(EMBEDDINGS)
    statement = statement.on_conflict_do_update(
        index_elements=["paper_id"],
        set_={
            name: statement.excluded[name]
            for name in ("model", "text_hash", "paper_hash", "vector", "embedded_at")
        },
    )
    connection.execute(statement, rows)
    log_search_changes(connection, [item.paper_id for item, _ in batch])


def current_vectors(
    connection: Connection, paper_ids: Sequence[int], model: str
) -> dict[int, Vectors]:
    """The vectors of these papers that ``model`` computed from their present text."""
    if not paper_ids:
        return {}
    statement = (
        select(
            PAPERS.c.id,
            PAPERS.c.title,
            PAPERS.c.abstract,
            EMBEDDINGS.c.text_hash,
            EMBEDDINGS.c.vector,
        )
        .join(EMBEDDINGS, EMBEDDINGS.c.paper_id == PAPERS.c.id)
        .where(and_(PAPERS.c.id.in_(list(paper_ids)), EMBEDDINGS.c.model == model))
    )
    return {
        row.id: vector_from_bytes(row.vector)
        for row in connection.execute(statement)
        if row.text_hash == text_hash(embedding_text(row.title, row.abstract))
    }
