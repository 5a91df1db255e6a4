"""Saved vectors stand in for the model: the demo starts in seconds, exports move databases."""

import gzip
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from paperwire.ingest.jsonl import parse_jsonl_object
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import clean_text
from paperwire.search.embedding import Vectors
from paperwire.search.hybrid import model_name
from paperwire.search.known_vectors import KnownVectors, WithKnownVectors
from paperwire.search.vectors import (
    EMBEDDINGS,
    PAPERS,
    embed_papers,
    embedding_text,
    text_hash,
    vector_from_bytes,
)
from paperwire.store.db import open_database
from support.samples import SAMPLE_PAPERS
from support.search import shared_embedder
from test_cli import run


class CountingEmbedder:
    """The real model, counting the texts it is asked for."""

    def __init__(self) -> None:
        self.name = shared_embedder().name
        self.asked = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.asked += len(texts)
        return shared_embedder().embed(texts)


def stored_vectors(engine: Engine) -> dict[str, Vectors]:
    statement = select(PAPERS.c.arxiv_id, EMBEDDINGS.c.vector).join(
        EMBEDDINGS, EMBEDDINGS.c.paper_id == PAPERS.c.id
    )
    with engine.connect() as connection:
        return {
            row.arxiv_id: vector_from_bytes(row.vector) for row in connection.execute(statement)
        }


def test_known_texts_skip_the_model_and_keep_their_vectors(
    sample_engine: Engine, tmp_path: Path
) -> None:
    embed_papers(sample_engine, shared_embedder())
    exported = tmp_path / "vectors.npz"
    KnownVectors.from_database(sample_engine, shared_embedder().name).save(exported)
    original = stored_vectors(sample_engine)

    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    lines = SAMPLE_PAPERS.read_text().splitlines()
    changed = json.loads(lines[0])
    changed["abstract"] += " An extra sentence makes this text new."
    run_ingest(fresh, [parse_jsonl_object(json.loads(line)) for line in lines[1:]])
    run_ingest(fresh, [parse_jsonl_object(changed)])
    model = CountingEmbedder()
    reusing = WithKnownVectors(model, KnownVectors.load(exported))
    assert embed_papers(fresh, reusing) == 36
    assert (model.asked, reusing.reused) == (1, 35), "only the changed paper meets the model"
    copied = stored_vectors(fresh)
    for arxiv_id, vector in copied.items():
        if arxiv_id != changed["id"]:
            assert float(np.dot(vector, original[arxiv_id])) > 0.9999


def test_vectors_of_another_model_are_not_used(sample_engine: Engine, tmp_path: Path) -> None:
    known = KnownVectors("some other model", {"x": np.zeros(384, dtype=np.float32)})
    model = CountingEmbedder()
    embed_papers(sample_engine, WithKnownVectors(model, known))
    assert model.asked == 36


def test_the_bundled_demo_vectors_fit_the_demo_and_the_model() -> None:
    data = resources.files("paperwire.data")
    known = KnownVectors.load(Path(str(data / "demo-vectors.npz")))
    assert known.model == model_name()
    with gzip.open(Path(str(data / "demo-papers.jsonl.gz")), "rt") as lines:
        papers = [json.loads(line) for line in lines]
    hashes = {
        text_hash(embedding_text(clean_text(p["title"]), clean_text(p["abstract"]))) for p in papers
    }
    assert hashes == set(known.by_text_hash)


def test_export_then_ingest_with_vectors_on_the_command_line(
    database_url: str, tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert run(source, "ingest", "jsonl", str(SAMPLE_PAPERS)).returncode == 0
    exported = tmp_path / "vectors.npz"
    saved = run(source, "index", "export-vectors", str(exported))
    assert saved.returncode == 0, saved.stderr
    assert "Saved 36 vectors" in saved.stderr
    moved = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS), "--vectors", str(exported))
    assert moved.returncode == 0, moved.stderr
    assert "Embedded 36 papers (36 from saved vectors)." in moved.stderr
