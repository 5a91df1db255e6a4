"""The source-neutral shape of a paper, and what ingest sources yield.

Every source (JSON lines, arXiv Atom, OAI-PMH, the metadata snapshot, Hugging Face
daily papers) turns its input into ``PaperRecord`` values with ``make_record``, which
checks and normalises them in one place. A record that fails becomes ``Rejected`` and
is kept in quarantine; a ``Checkpoint`` tells the pipeline it may commit and remember
how far a resumable harvest got.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id

_CATEGORY_SEPARATORS = re.compile(r"[\s,;]+")
# arXiv's taxonomy: cs.CV, hep-th, physics.comp-ph, cond-mat.mes-hall, q-bio.NC ...
_ARXIV_CATEGORY = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?")


class RecordError(ValueError):
    """A record that cannot become a paper; the message is the quarantine reason."""


@dataclass
class PaperRecord:
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    source: str
    version: int | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    listing_date: date | None = None
    github_repo: str | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)
    subject_classes: list[str] = field(default_factory=list)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


@dataclass
class Rejected:
    """A record kept aside with the reason, so nothing from a source is silently lost."""

    source: str
    raw: str
    reason: str
    ref: str | None = None


@dataclass
class Checkpoint:
    """A point a harvest can resume from; ``token`` None means the harvest finished."""

    key: str
    token: str | None


SourceItem = PaperRecord | Rejected | Checkpoint


def clean_text(text: str | None) -> str:
    """Collapse the hard line breaks and runs of spaces that arXiv metadata carries."""
    return " ".join((text or "").split())


def parse_iso_time(value: object, field_name: str) -> datetime | None:
    """An ISO 8601 date-time from any source as aware UTC (no zone means UTC); None if empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"unparseable {field_name} date {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise RecordError(f"unparseable {field_name} date {value!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def optional_text(text: str | None) -> str | None:
    cleaned = clean_text(text)
    return cleaned or None


def make_record(
    *,
    raw_id: str | None,
    title: str | None,
    abstract: str | None,
    authors: list[str],
    categories: list[str],
    source: str,
    version: int | None = None,
    **optional: object,
) -> PaperRecord:
    """Check and normalise one paper; raise RecordError with a readable reason."""
    if not raw_id or not str(raw_id).strip():
        raise RecordError("missing arXiv id")
    try:
        parsed = parse_arxiv_id(str(raw_id))
    except InvalidArxivId as error:
        raise RecordError(f"malformed arXiv id {raw_id!r}") from error
    clean_title = clean_text(title)
    if not clean_title:
        raise RecordError(f"missing title for {parsed.base}")
    clean_categories, subject_classes = split_categories(categories)
    record = PaperRecord(
        arxiv_id=parsed.base,
        version=version if version is not None else parsed.version,
        title=clean_title,
        abstract=clean_text(abstract),
        authors=[name for name in (clean_text(author) for author in authors) if name],
        categories=clean_categories,
        subject_classes=subject_classes,
        source=source,
    )
    for name, value in optional.items():
        if not hasattr(record, name):
            raise TypeError(f"PaperRecord has no field {name!r}")
        setattr(record, name, optional_text(value) if isinstance(value, str) else value)
    return record


def split_categories(raw_categories: Iterable[str]) -> tuple[list[str], list[str]]:
    """arXiv categories, and the MSC/ACM classes that listings sometimes mix into them.

    "cs.CV, cs.MM" is two categories; "62P10, 68T07" or "I.2.6; I.2" is a subject
    class string, kept whole so nothing is lost.
    """
    categories: list[str] = []
    subject_classes: list[str] = []
    for raw in raw_categories:
        text = clean_text(raw)
        tokens = [token for token in _CATEGORY_SEPARATORS.split(text) if token]
        categories.extend(token for token in tokens if _ARXIV_CATEGORY.fullmatch(token))
        if any(not _ARXIV_CATEGORY.fullmatch(token) for token in tokens):
            subject_classes.append(text)
    return _unique(categories), _unique(subject_classes)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
