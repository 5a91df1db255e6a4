"""Paperwire's JSON-lines format: one paper an object, plain or gzipped.

It is the format of the shared arXiv listings (``id, title, abstract, authors,
categories, comment, listing_date``) plus optional fields that ``export_jsonl`` writes
so an export is a complete backup: ``version, journal_ref, doi, license,
published_at, updated_at, github_repo, project_page, ai_summary, ai_keywords``.
"""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO, TextIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from paperwire.ingest.files import text_lines
from paperwire.records import (
    PaperRecord,
    RecordError,
    Rejected,
    SourceItem,
    make_record,
    parse_iso_time,
)
from paperwire.store.schema import Paper

SOURCE = "jsonl"


def read_jsonl(stream: BinaryIO, name: str = "<stream>") -> Iterator[SourceItem]:
    for line_number, line in enumerate(text_lines(stream), start=1):
        if not line.strip():
            continue
        ref = f"{name}:{line_number}"
        try:
            yield parse_jsonl_object(json.loads(line))
        except json.JSONDecodeError as error:
            yield Rejected(SOURCE, line.rstrip("\n"), f"invalid JSON: {error.msg}", ref)
        except (RecordError, TypeError, ValueError) as error:
            yield Rejected(SOURCE, line.rstrip("\n"), str(error), ref)


def parse_jsonl_object(data: Any) -> PaperRecord:
    if not isinstance(data, dict):
        raise RecordError("a line must hold a JSON object")
    authors = _string_list(data, "authors")
    categories = _string_list(data, "categories") + _string_list(data, "subject_classes")
    return make_record(
        raw_id=_optional_str(data, "id"),
        title=_optional_str(data, "title"),
        abstract=_optional_str(data, "abstract"),
        authors=authors,
        categories=categories,
        source=SOURCE,
        version=_optional_int(data, "version"),
        comment=_optional_str(data, "comment"),
        journal_ref=_optional_str(data, "journal_ref"),
        doi=_optional_str(data, "doi"),
        license=_optional_str(data, "license"),
        published_at=parse_iso_time(data.get("published_at"), "published_at"),
        updated_at=parse_iso_time(data.get("updated_at"), "updated_at"),
        listing_date=_optional_date(data, "listing_date"),
        github_repo=_optional_str(data, "github_repo"),
        project_page=_optional_str(data, "project_page"),
        ai_summary=_optional_str(data, "ai_summary"),
        ai_keywords=_string_list(data, "ai_keywords"),
    )


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise RecordError(f"field {key!r} must be a string")
    return str(value)


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"field {key!r} must be an integer")
    return value


def _string_list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"field {key!r} must be a list of strings")
    return value


def _optional_date(data: dict[str, Any], key: str) -> date | None:
    text = _optional_str(data, key)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise RecordError(f"field {key!r} is not a YYYY-MM-DD date: {text!r}") from error


def paper_to_jsonl_object(paper: Paper) -> dict[str, Any]:
    """The inverse of ``parse_jsonl_object``: every field needed to rebuild the paper."""
    return {
        "id": paper.arxiv_id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": paper.authors,
        "categories": paper.categories,
        "comment": paper.comment,
        "listing_date": paper.listing_date.isoformat() if paper.listing_date else None,
        "version": paper.version,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "published_at": paper.published_at.isoformat() if paper.published_at else None,
        "updated_at": paper.updated_at.isoformat() if paper.updated_at else None,
        "github_repo": paper.code_urls[0] if paper.code_urls else None,
        "project_page": paper.project_urls[0] if paper.project_urls else None,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "subject_classes": paper.subject_classes,
    }


def export_jsonl(engine: Engine, out: TextIO, *, batch_size: int = 1000) -> int:
    """Write every paper in listing order; streams, so memory stays flat for any store size."""
    count = 0
    statement = select(Paper).order_by(Paper.listing_date, Paper.arxiv_id)
    with Session(engine) as session:
        for paper in session.scalars(statement.execution_options(yield_per=batch_size)):
            out.write(json.dumps(paper_to_jsonl_object(paper), ensure_ascii=False))
            out.write("\n")
            count += 1
    return count
