"""The pipeline keeps bad records, commits checkpoints with their pages, survives failures."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.ingest.pipeline import run_ingest
from paperwire.records import Checkpoint, Rejected, SourceItem, make_record
from paperwire.store.ingest import load_checkpoint
from paperwire.store.schema import Paper, QuarantinedRecord


def paper(number: int) -> SourceItem:
    return make_record(
        raw_id=f"2606.{number:05d}",
        title=f"Paper {number}",
        abstract="",
        authors=["A. Author"],
        categories=["cs.LG"],
        source="test",
    )


def count_papers(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Paper)) or 0


def test_rejected_records_are_quarantined_once(engine: Engine) -> None:
    bad = Rejected("test", '{"title": "no id"}', "missing arXiv id", "file.jsonl:2")
    assert run_ingest(engine, [paper(1), bad]).quarantined == 1
    run_ingest(engine, [bad])
    with Session(engine) as session:
        rows = session.scalars(select(QuarantinedRecord)).all()
        assert [(row.source, row.reason, row.ref, row.raw) for row in rows] == [
            ("test", "missing arXiv id", "file.jsonl:2", '{"title": "no id"}')
        ]


def test_checkpoint_commits_with_its_page(engine: Engine) -> None:
    items = [paper(1), paper(2), Checkpoint("harvest", "token-2"), paper(3)]
    run_ingest(engine, items, batch_size=100)
    with Session(engine) as session, session.connection() as connection:
        saved = load_checkpoint(connection, "harvest")
    assert saved is not None and (saved.token, saved.finished) == ("token-2", False)
    run_ingest(engine, [Checkpoint("harvest", None)])
    with engine.connect() as connection:
        finished = load_checkpoint(connection, "harvest")
    assert finished is not None and finished.finished and finished.token is None


def test_a_failing_source_keeps_what_came_before(engine: Engine) -> None:
    def source() -> Iterator[SourceItem]:
        yield paper(1)
        yield Checkpoint("harvest", "after-page-1")
        yield paper(2)
        raise ConnectionError("network went away")

    with pytest.raises(ConnectionError):
        run_ingest(engine, source(), batch_size=100)
    assert count_papers(engine) == 2
    with engine.connect() as connection:
        saved = load_checkpoint(connection, "harvest")
    assert saved is not None and saved.token == "after-page-1"


def test_batches_commit_as_they_go(engine: Engine) -> None:
    seen: list[int] = []
    run_ingest(
        engine,
        [paper(number) for number in range(1, 26)],
        batch_size=10,
        on_batch=lambda summary: seen.append(summary.inserted),
    )
    assert seen == [10, 20, 25]
    assert count_papers(engine) == 25
