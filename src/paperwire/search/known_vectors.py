"""Vectors computed ahead of time, used instead of the model for texts already seen.

The demo ships the vectors of its 5,603 papers, so `make demo` starts in seconds instead
of embedding for minutes; what they were computed from is checked text by text (a
sha1 of the embedded text) and model by model, so a changed paper or model is simply
embedded anew. Vectors are kept as float16: cosine against the float32 original is
above 0.9999, far below what moves a ranking.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from paperwire.search.embedding import DIMENSIONS, Vectors
from paperwire.search.vectors import (
    EMBEDDINGS,
    PAPERS,
    TextEmbedder,
    embedding_text,
    text_hash,
    vector_from_bytes,
)


@dataclass
class KnownVectors:
    model: str
    by_text_hash: dict[str, Vectors]

    @classmethod
    def load(cls, path: Path) -> "KnownVectors":
        with np.load(path, allow_pickle=False) as data:
            hashes = [str(value) for value in data["text_hashes"]]
            vectors = data["vectors"].astype(np.float32)
            model = str(data["model"])
        if vectors.shape != (len(hashes), DIMENSIONS):
            raise ValueError(f"{path}: {vectors.shape} vectors for {len(hashes)} texts")
        return cls(model, dict(zip(hashes, vectors, strict=True)))

    def save(self, path: Path) -> None:
        hashes = sorted(self.by_text_hash)
        np.savez_compressed(
            path,
            model=np.array(self.model),
            text_hashes=np.array(hashes),
            vectors=np.stack([self.by_text_hash[h] for h in hashes]).astype(np.float16),
        )

    @classmethod
    def from_database(cls, engine: Engine, model: str) -> "KnownVectors":
        """Every stored vector of ``model``, keyed by the text it was computed from."""
        statement = select(
            PAPERS.c.title, PAPERS.c.abstract, EMBEDDINGS.c.text_hash, EMBEDDINGS.c.vector
        ).join(EMBEDDINGS, EMBEDDINGS.c.paper_id == PAPERS.c.id)
        known: dict[str, Vectors] = {}
        with engine.connect() as connection:
            for row in connection.execute(statement.where(EMBEDDINGS.c.model == model)):
                if row.text_hash == text_hash(embedding_text(row.title, row.abstract)):
                    known[row.text_hash] = vector_from_bytes(row.vector)
        return cls(model, known)


class WithKnownVectors:
    """An embedder that asks the model only for texts the known vectors lack."""

    def __init__(self, embedder: TextEmbedder, known: KnownVectors) -> None:
        self.name = embedder.name
        self._embedder = embedder
        self._known = known.by_text_hash if known.model == embedder.name else {}
        self.reused = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        hashes = [text_hash(text) for text in texts]
        missing = [i for i, digest in enumerate(hashes) if digest not in self._known]
        computed = self._embedder.embed([texts[i] for i in missing]) if missing else None
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for position, digest in enumerate(hashes):
            if digest in self._known:
                vectors[position] = self._known[digest]
        if computed is not None:
            vectors[missing] = computed
        self.reused += len(texts) - len(missing)
        return vectors
