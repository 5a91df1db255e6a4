"""The public arXiv metadata snapshot: millions of JSON lines, read one at a time.

The file (plain or gzip) is streamed line by line so memory stays constant however big
it is. Each line becomes a paper or, if it is not a JSON object or fails the record
checks, a ``Rejected`` pointing at ``path:line``. Dates come from the version list, so
published and updated times, the latest version and the listing date are all known.
"""

import json
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from paperwire.ingest.errors import SourceError
from paperwire.ingest.files import text_lines
from paperwire.ingest.oai import split_authors
from paperwire.ingest.schedule import read_version_history
from paperwire.records import PaperRecord, RecordError, Rejected, SourceItem, make_record

SOURCE = "arxiv-snapshot"


def read_snapshot(stream: BinaryIO, name: str = "<stream>") -> Iterator[SourceItem]:
    """Yield every paper of a snapshot stream; a damaged gzip raises SourceError."""
    lines = enumerate(text_lines(stream), start=1)
    while True:
        try:
            line_number, line = next(lines)
        except StopIteration:
            return
        except (OSError, EOFError, zlib.error) as error:
            raise SourceError(f"snapshot {name} is damaged: {error}") from error
        if line.strip():
            yield _line_item(line.rstrip("\r\n"), f"{name}:{line_number}")


def _line_item(line: str, ref: str) -> PaperRecord | Rejected:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return Rejected(
            SOURCE, raw=line, reason=f"not JSON: {error.msg} (column {error.colno})", ref=ref
        )
    if not isinstance(data, dict):
        return Rejected(SOURCE, raw=line, reason="not a JSON object", ref=ref)
    try:
        return _snapshot_record(data)
    except RecordError as error:
        return Rejected(SOURCE, raw=line, reason=str(error), ref=ref)


def _snapshot_record(data: dict[str, Any]) -> PaperRecord:
    history = read_version_history(_versions(data.get("versions")))
    return make_record(
        raw_id=_text(data, "id"),
        title=_text(data, "title"),
        abstract=_text(data, "abstract"),
        authors=_authors(data),
        categories=(_text(data, "categories") or "").split(),
        source=SOURCE,
        version=history.version if history else None,
        comment=_text(data, "comments"),
        journal_ref=_text(data, "journal-ref"),
        doi=_text(data, "doi"),
        license=_text(data, "license"),
        published_at=history.published_at if history else None,
        updated_at=history.updated_at if history else None,
        listing_date=history.listing_date if history else None,
    )


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _versions(value: object) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RecordError("versions must be a list of objects")
    return [(str(item.get("version", "")), str(item.get("created", ""))) for item in value]


def _authors(data: dict[str, Any]) -> list[str]:
    """Prefer ``authors_parsed`` (``[last, first, suffix, ...]``): it needs no guessing."""
    parsed = data.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(item, list) for item in parsed):
        names = []
        for parts in parsed:
            last, first, suffix = (*parts, "", "", "")[:3]
            names.append(" ".join(str(part) for part in (first, last, suffix) if part))
        return names
    return split_authors(_text(data, "authors") or "")
