"""Ingest embeds by default, resumes after a crash; `paperwire search` answers. Real processes."""

import json
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select

from paperwire.search.embedding import Vectors
from paperwire.search.vectors import embed_papers
from paperwire.store.db import open_database
from paperwire.store.schema import PaperEmbedding
from support.samples import SAMPLE_PAPERS
from support.search import shared_embedder
from test_cli import run


def vector_count(database_url: str) -> int:
    engine = open_database(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(PaperEmbedding)) or 0
    engine.dispose()
    return count


def search_ids(database_url: str, *query: str) -> list[str]:
    result = run(database_url, "search", *query, "--json")
    assert result.returncode == 0, result.stderr
    return [item["id"] for item in json.loads(result.stdout)]


def test_ingest_embeds_so_both_kinds_of_search_work(database_url: str) -> None:
    result = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS))
    assert result.returncode == 0, result.stderr
    assert "Embedded 36 papers." in result.stderr
    assert "Search index: 36 papers, 36 vectors" in result.stderr
    assert search_ids(database_url, "robot", "--limit", "3") == [
        "2606.28692", "2606.27505", "2606.26122",
    ]  # fmt: skip
    again = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS))
    assert "Embedded 0 papers." in again.stderr


def test_no_embed_defers_vectors_and_keyword_search_still_works(database_url: str) -> None:
    result = run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS), "--no-embed")
    assert result.returncode == 0, result.stderr
    assert "searchable by keyword" in result.stderr
    assert vector_count(database_url) == 0
    assert search_ids(database_url, '"neural operator"') == ["2606.28122"]
    assert search_ids(database_url, "robot") == []  # no word matches, no vectors yet
    synced = run(database_url, "index", "sync")
    assert "Embedded 36 papers." in synced.stderr, synced.stderr
    assert search_ids(database_url, "robot", "--limit", "1") == ["2606.28692"]


class CrashingEmbedder:
    """The real model until the third batch, then a crash, as a killed process would."""

    def __init__(self) -> None:
        self.name = shared_embedder().name
        self.batches = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.batches += 1
        if self.batches == 3:
            raise KeyboardInterrupt
        return shared_embedder().embed(texts)


def test_embedding_resumes_after_a_crash(database_url: str) -> None:
    assert run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS), "--no-embed").returncode == 0
    engine = open_database(database_url)
    with pytest.raises(KeyboardInterrupt):
        embed_papers(engine, CrashingEmbedder(), chunk_size=10)
    engine.dispose()
    assert vector_count(database_url) == 20  # two chunks committed, the third lost
    resumed = run(database_url, "index", "sync")
    assert "Embedded 16 papers." in resumed.stderr, resumed.stderr
    assert vector_count(database_url) == 36


def test_index_rebuild_reembeds_everything(database_url: str) -> None:
    assert run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS)).returncode == 0
    rebuilt = run(database_url, "index", "rebuild")
    assert "Embedded 36 papers." in rebuilt.stderr, rebuilt.stderr
    assert "rebuilt" in rebuilt.stderr


def test_search_table_and_bad_queries(database_url: str) -> None:
    assert run(database_url, "ingest", "jsonl", str(SAMPLE_PAPERS), "--no-embed").returncode == 0
    table = run(database_url, "search", "cat:cs.CV has:code")
    assert table.returncode == 0 and "1 results (newest first)" in table.stdout
    assert "2606.28122" in table.stdout
    bad = run(database_url, "search", "after:soon")
    assert bad.returncode == 2
    assert "after:soon is not a date" in bad.stderr
