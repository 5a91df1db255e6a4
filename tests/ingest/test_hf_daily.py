import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperwire.ingest.errors import SourceError
from paperwire.ingest.hf_daily import read_daily_papers as read_daily_papers_stream
from paperwire.records import PaperRecord, Rejected, SourceItem

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "hf-daily" / "daily_papers.json"


def read_daily_papers(path: Path) -> list[SourceItem]:
    with path.open("rb") as stream:
        return list(read_daily_papers_stream(stream, str(path)))


def test_every_field_of_an_item() -> None:
    items = list(read_daily_papers(SAMPLE))
    assert [type(item) for item in items] == [PaperRecord, PaperRecord, Rejected, PaperRecord]
    loopdb = items[0]
    assert isinstance(loopdb, PaperRecord)
    assert loopdb.source == "hf-daily"
    assert loopdb.arxiv_id == "2506.06771"
    assert loopdb.version is None
    assert loopdb.title == (
        "LoopDB: A Loop Closure Dataset for Large Scale Simultaneous Localization and Mapping"
    )
    assert loopdb.abstract.startswith("In this study, we introduce LoopDB")
    assert loopdb.authors == [
        "Mohammad-Maher Nakshbandi",
        "Ziad Sharawy",
        "Dorian Cojocaru",
        "Sorin Grigorescu",
    ]
    assert loopdb.categories == []
    assert loopdb.published_at == datetime(2025, 6, 7, 11, 23, 52, tzinfo=UTC)
    assert loopdb.listing_date == date(2025, 6, 10)
    assert loopdb.github_repo == "https://github.com/RovisLab/LoopDB"
    assert loopdb.project_page is None
    assert loopdb.ai_summary is not None
    assert loopdb.ai_summary.startswith("LoopDB is a loop")
    assert loopdb.ai_keywords == [
        "loop closure",
        "SLAM",
        "LoopDB",
        "benchmarking",
        "deep neural networks",
    ]

    flat = items[3]
    assert isinstance(flat, PaperRecord)
    assert flat.arxiv_id == "2506.07558"
    assert flat.project_page == "https://fabianlander.github.io/apps/raymarchingflatsurfacesapp/"
    assert flat.github_repo == "https://github.com/FabianLander/RayMarchingFlatSurfaces"


def test_an_item_without_id_is_rejected_with_its_position() -> None:
    rejected = list(read_daily_papers(SAMPLE))[2]
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "missing arXiv id"
    assert rejected.ref == f"{SAMPLE}#2"
    assert json.loads(rejected.raw)["title"] == "An item that lost its arXiv id"


def test_listing_date_falls_back_to_submitted_on_daily(tmp_path: Path) -> None:
    item = json.loads(SAMPLE.read_text(encoding="utf-8"))[0]
    del item["publishedAt"]
    item["paper"]["submittedOnDailyAt"] = "2025-06-11T23:59:00.000Z"
    saved = tmp_path / "daily.json"
    saved.write_text(json.dumps([item]), encoding="utf-8")
    [paper] = list(read_daily_papers(saved))
    assert isinstance(paper, PaperRecord)
    assert paper.listing_date == date(2025, 6, 11)


def test_an_unreadable_date_rejects_the_item(tmp_path: Path) -> None:
    item = json.loads(SAMPLE.read_text(encoding="utf-8"))[0]
    item["paper"]["publishedAt"] = "last Tuesday"
    saved = tmp_path / "daily.json"
    saved.write_text(json.dumps([item, "not an object"]), encoding="utf-8")
    rejected = list(read_daily_papers(saved))
    assert all(isinstance(item, Rejected) for item in rejected)
    assert [(item.reason, item.ref) for item in rejected if isinstance(item, Rejected)] == [
        ("unparseable paper.publishedAt date 'last Tuesday'", f"{saved}#0"),
        ("a daily-papers item must be a JSON object", f"{saved}#1"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"paper": {}}', "is not a JSON array"),
        ("[{", "is not JSON"),
    ],
)
def test_a_file_that_is_not_a_json_array_raises(tmp_path: Path, content: str, message: str) -> None:
    saved = tmp_path / "daily.json"
    saved.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        list(read_daily_papers(saved))
