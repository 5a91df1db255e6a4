"""A saved answer of Hugging Face's ``/api/daily_papers``: curated papers with extras.

The answer is one JSON array of items ``{"paper": {...}, "publishedAt", "title", ...}``.
Such files are small, so the array is loaded whole; a file that is not a JSON array
cannot be used and raises ``SourceError``. Each item becomes a paper or a ``Rejected``
whose ``ref`` is ``path#index`` (the item's position, as arrays have no line numbers).
HF does not give arXiv categories, so they stay empty; the store keeps any it knows.
"""

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from paperwire.ingest.errors import SourceError
from paperwire.records import (
    PaperRecord,
    RecordError,
    Rejected,
    SourceItem,
    make_record,
    parse_iso_time,
)

SOURCE = "hf-daily"


def read_daily_papers(stream: BinaryIO, name: str = "<stream>") -> Iterator[SourceItem]:
    """Yield the papers of a saved daily-papers answer (small enough to parse whole)."""
    try:
        items = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SourceError(f"{name} is not JSON: {error}") from error
    if not isinstance(items, list):
        raise SourceError(f"{name} is not a JSON array of daily papers")
    for index, item in enumerate(items):
        ref = f"{name}#{index}"
        try:
            yield _item_record(item)
        except RecordError as error:
            yield Rejected(
                SOURCE, raw=json.dumps(item, ensure_ascii=False), reason=str(error), ref=ref
            )


def _item_record(item: object) -> PaperRecord:
    if not isinstance(item, dict):
        raise RecordError("a daily-papers item must be a JSON object")
    paper = item.get("paper")
    if not isinstance(paper, dict):
        paper = {}

    def first_text(key: str) -> str | None:
        """Prefer the inner paper, as HF does, then the item's top level."""
        for container in (paper, item):
            value = container.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return None

    listed_at = parse_iso_time(item.get("publishedAt"), "publishedAt") or parse_iso_time(
        paper.get("submittedOnDailyAt"), "submittedOnDailyAt"
    )
    keywords = paper.get("ai_keywords") or item.get("ai_keywords") or []
    return make_record(
        raw_id=first_text("id"),
        title=_text(item.get("title")) or _text(paper.get("title")),
        abstract=first_text("summary"),
        authors=_author_names(paper.get("authors")),
        categories=[],
        source=SOURCE,
        published_at=parse_iso_time(paper.get("publishedAt"), "paper.publishedAt"),
        listing_date=_utc_day(listed_at),
        github_repo=first_text("githubRepo"),
        project_page=first_text("projectPage"),
        ai_summary=first_text("ai_summary"),
        ai_keywords=[word for word in keywords if isinstance(word, str)]
        if isinstance(keywords, list)
        else [],
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _author_names(authors: Any) -> list[str]:
    if not isinstance(authors, list):
        return []
    return [
        author["name"]
        for author in authors
        if isinstance(author, dict) and isinstance(author.get("name"), str)
    ]


def _utc_day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None
