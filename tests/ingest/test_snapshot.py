import gzip
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperwire.ingest.errors import SourceError
from paperwire.ingest.snapshot import read_snapshot as read_snapshot_stream
from paperwire.records import PaperRecord, Rejected, SourceItem

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-snapshot" / "sample.jsonl"


def read_snapshot(path: Path) -> Iterator[SourceItem]:
    with path.open("rb") as stream:
        yield from read_snapshot_stream(stream, str(path))


def papers_by_id(items: list[SourceItem]) -> dict[str, PaperRecord]:
    return {item.arxiv_id: item for item in items if isinstance(item, PaperRecord)}


def describe(item: SourceItem) -> str:
    if isinstance(item, PaperRecord):
        return item.arxiv_id
    if isinstance(item, Rejected):
        return f"rejected {item.ref}"
    return "checkpoint"


def test_records_and_rejects_in_file_order() -> None:
    items = list(read_snapshot(SAMPLE))
    assert [describe(item) for item in items] == [
        "0704.0471",
        "0704.0716",
        "astro-ph/0601001",
        "quant-ph/0201082",
        "1302.2146",
        f"rejected {SAMPLE}:6",
        f"rejected {SAMPLE}:7",
        f"rejected {SAMPLE}:9",
    ]
    assert all(item.source == "arxiv-snapshot" for item in items if isinstance(item, PaperRecord))


def test_every_field_of_a_record() -> None:
    paper = papers_by_id(list(read_snapshot(SAMPLE)))["0704.0716"]
    assert paper.title == "Limit distributions and scaling functions"
    assert paper.authors == ["Christoph Richard"]
    assert paper.categories == ["math-ph", "math.MP"]
    assert paper.version == 4
    assert paper.published_at == datetime(2007, 4, 5, 12, 45, 3, tzinfo=UTC)
    assert paper.updated_at == datetime(2008, 11, 14, 9, 7, 25, tzinfo=UTC)
    assert paper.listing_date == date(2007, 4, 6)
    assert paper.comment == (
        "54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some proofs; "
        "v4 slightly expanded"
    )
    assert paper.journal_ref is not None
    assert paper.journal_ref.startswith("Polygons, polyominoes")
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert paper.doi is None
    assert paper.abstract.startswith("We discuss the asymptotic behaviour of models")


def test_authors_come_from_authors_parsed_or_the_authors_string() -> None:
    papers = papers_by_id(list(read_snapshot(SAMPLE)))
    assert papers["0704.0471"].authors == ["D. V. Shetty", "S. J. Yennello", "G. A. Souliotis"]
    assert papers["0704.0471"].doi == "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902"
    # authors_parsed carries affiliations as a fourth element; they are not part of names.
    assert papers["astro-ph/0601001"].authors == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
        "Andrzej Udalski",
    ]
    # No authors_parsed: the "A, B, C and D" string is split.
    assert papers["1302.2146"].authors == [
        "Joshua Berger",
        "Maxim Perelstein",
        "Michael Saelim",
        "Philip Tanedo",
    ]


def test_old_style_ids() -> None:
    papers = papers_by_id(list(read_snapshot(SAMPLE)))
    jupiters = papers["astro-ph/0601001"]
    assert jupiters.categories == ["astro-ph"]
    assert jupiters.journal_ref == "ActaAstron.56:1-50,2006"
    assert jupiters.published_at == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)
    assert jupiters.listing_date == date(2006, 1, 3)
    assert papers["quant-ph/0201082"].categories == ["quant-ph", "cs.PL"]
    assert papers["quant-ph/0201082"].version == 1


def test_bad_lines_are_rejected_with_their_line_number() -> None:
    rejected = [item for item in read_snapshot(SAMPLE) if isinstance(item, Rejected)]
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert [(item.ref, item.reason) for item in rejected] == [
        (f"{SAMPLE}:6", "not JSON: Unterminated string starting at (column 88)"),
        (f"{SAMPLE}:7", "missing title for 1605.08386"),
        (f"{SAMPLE}:9", "unparseable version date '2021-04-20 16:07:14'"),
    ]
    assert [item.raw for item in rejected] == [lines[5], lines[6], lines[8]]


def test_gzip_is_detected_by_its_magic_bytes(tmp_path: Path) -> None:
    packed = tmp_path / "snapshot.data"  # no .gz suffix on purpose
    with SAMPLE.open("rb") as plain, gzip.open(packed, "wb") as compressed:
        shutil.copyfileobj(plain, compressed)
    from_gzip = [item for item in read_snapshot(packed) if isinstance(item, PaperRecord)]
    from_plain = [item for item in read_snapshot(SAMPLE) if isinstance(item, PaperRecord)]
    assert from_gzip == from_plain
    assert len(from_gzip) == 5


def test_a_cut_gzip_file_raises_after_what_it_could_read(tmp_path: Path) -> None:
    packed = gzip.compress(SAMPLE.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    items: list[SourceItem] = []
    with pytest.raises(SourceError, match="is damaged"):
        items.extend(read_snapshot(cut))
    assert isinstance(items[0], PaperRecord)
    assert items[0].arxiv_id == "0704.0471"
