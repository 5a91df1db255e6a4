"""Upserts through the production pipeline: idempotent, version-aware, never erasing data."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.ingest.pipeline import run_ingest
from paperwire.records import PaperRecord, make_record
from paperwire.store.papers import data_version, get_paper
from paperwire.store.schema import PaperAuthor, PaperCategory


def record(**overrides: Any) -> PaperRecord:
    fields: dict[str, Any] = {
        "raw_id": "2606.26651v1",
        "title": "Online resource  allocation\n with reusable goods",
        "abstract": "We study $\\ell_1$ allocation. Code: https://github.com/acme/alloc",
        "authors": ["Ada Lovelace", "Dirk Wübben"],
        "categories": ["cs.GT", "cs.DS"],
        "source": "test",
        "listing_date": date(2026, 6, 26),
    }
    fields.update(overrides)
    return make_record(**fields)


def test_insert_normalises_and_derives_links(engine: Engine) -> None:
    summary = run_ingest(engine, [record()])
    assert summary.as_dict() == {"inserted": 1, "updated": 0, "unchanged": 0, "quarantined": 0}
    with Session(engine) as session:
        paper = get_paper(session, "2606.26651")
        assert paper is not None
        assert paper.title == "Online resource allocation with reusable goods"
        assert paper.version == 1
        assert paper.primary_category == "cs.GT"
        assert paper.code_urls == ["https://github.com/acme/alloc"]
        assert paper.has_code is True
        assert paper.listing_date == date(2026, 6, 26)
        authors = session.execute(
            select(PaperAuthor.name, PaperAuthor.name_key).order_by(PaperAuthor.position)
        ).all()
        assert [tuple(row) for row in authors] == [
            ("Ada Lovelace", "ada lovelace"),
            ("Dirk Wübben", "dirk wubben"),
        ]
        categories = session.scalars(
            select(PaperCategory.category).order_by(PaperCategory.category)
        )
        assert list(categories) == ["cs.DS", "cs.GT"]


def test_rerun_changes_nothing(engine: Engine) -> None:
    run_ingest(engine, [record()])
    with Session(engine) as session:
        version_after_first = data_version(session)
    summary = run_ingest(engine, [record()])
    assert summary.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 1, "quarantined": 0}
    with Session(engine) as session:
        assert data_version(session) == version_after_first


def test_newer_version_updates_and_older_is_ignored(engine: Engine) -> None:
    run_ingest(engine, [record()])
    newer = record(raw_id="2606.26651v2", title="A better title", authors=["Ada Lovelace"])
    assert run_ingest(engine, [newer]).updated == 1
    older = record(raw_id="2606.26651v1", title="The first title")
    assert run_ingest(engine, [older]).unchanged == 1
    with Session(engine) as session:
        paper = get_paper(session, "2606.26651")
        assert paper is not None
        assert (paper.version, paper.title, paper.authors) == (
            2,
            "A better title",
            ["Ada Lovelace"],
        )
        names = session.scalars(select(PaperAuthor.name).where(PaperAuthor.paper_id == paper.id))
        assert list(names) == ["Ada Lovelace"]
        count = session.scalar(select(func.count()).select_from(PaperAuthor))
        assert count == 1


def test_a_poorer_source_never_erases_richer_fields(engine: Engine) -> None:
    published = datetime(2026, 6, 25, 17, 0, tzinfo=UTC)
    rich = record(doi="10.1000/xyz", journal_ref="J. Test 1 (2026)", published_at=published)
    run_ingest(engine, [rich])
    poor = record(raw_id="2606.26651", comment="12 pages", listing_date=date(2026, 7, 1))
    assert run_ingest(engine, [poor]).updated == 1
    with Session(engine) as session:
        paper = get_paper(session, "2606.26651")
        assert paper is not None
        assert paper.doi == "10.1000/xyz"
        assert paper.published_at == published
        assert paper.comment == "12 pages"
        assert paper.listing_date == date(2026, 6, 26), "a paper stays on its first listing day"


def test_the_same_paper_twice_in_one_batch(engine: Engine) -> None:
    summary = run_ingest(engine, [record(), record(raw_id="2606.26651v2", title="Second")])
    assert (summary.inserted, summary.updated) == (1, 1)
    with Session(engine) as session:
        paper = get_paper(session, "2606.26651")
        assert paper is not None and paper.title == "Second"


def test_msc_and_acm_classes_are_kept_apart_from_categories(engine: Engine) -> None:
    mixed = record(categories=["cs.CV, cs.MM", "62P10, 68T07", "I.2.6; I.2", "cs.CV"])
    assert mixed.categories == ["cs.CV", "cs.MM"]
    assert mixed.subject_classes == ["62P10, 68T07", "I.2.6; I.2"]
    run_ingest(engine, [mixed])
    with Session(engine) as session:
        paper = get_paper(session, "2606.26651")
        assert paper is not None
        assert paper.categories == ["cs.CV", "cs.MM"]
        assert paper.primary_category == "cs.CV"
        assert paper.subject_classes == ["62P10, 68T07", "I.2.6; I.2"]
