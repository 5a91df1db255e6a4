"""arXiv's OAI-PMH interface: resumable ListRecords harvests and single GetRecord lookups.

A harvest yields each page's records followed by a ``Checkpoint`` holding the token for
the next page (None once the list is complete), so the pipeline commits a page together
with the token that follows it and a crashed harvest restarts from the saved token.

OAI-PMH error answers stop the harvest with ``SourceError`` carrying the error code,
except ``noRecordsMatch``, which is an empty but successful harvest. A page whose XML
cannot be parsed is quarantined as ``Rejected`` when its resumption token can still be
read from the text; otherwise the harvest cannot go on and raises, to be resumed later
from the last checkpoint.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime
from xml.sax.saxutils import unescape

import httpx

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import HttpFetcher, using_fetcher
from paperwire.ingest.schedule import read_version_history
from paperwire.records import (
    Checkpoint,
    PaperRecord,
    RecordError,
    Rejected,
    SourceItem,
    clean_text,
    make_record,
)

SOURCE = "oai"
DEFAULT_BASE_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_METADATA_PREFIX = "arXivRaw"
NO_RECORDS_MATCH = "noRecordsMatch"

_OAI = "http://www.openarchives.org/OAI/2.0/"
_ARXIV_RAW = "http://arxiv.org/OAI/arXivRaw/"
_ARXIV = "http://arxiv.org/OAI/arXiv/"
_NS = {"oai": _OAI, "raw": _ARXIV_RAW, "arxiv": _ARXIV}
_TOKEN_IN_TEXT = re.compile(
    r"<(?:\w+:)?resumptionToken\b[^>]*?(?:/>|>(?P<token>[^<]*)</(?:\w+:)?resumptionToken>)"
)
_PARENTHESISED = re.compile(r"\([^()]*\)")
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def checkpoint_key(
    *,
    base_url: str = DEFAULT_BASE_URL,
    metadata_prefix: str = DEFAULT_METADATA_PREFIX,
    set_spec: str | None = None,
    from_date: date | None = None,
    until: date | None = None,
) -> str:
    """The key under which a harvest with these arguments saves its resumption token."""
    parts = [
        base_url.rstrip("/"),
        metadata_prefix,
        f"set={set_spec or ''}",
        f"from={from_date.isoformat() if from_date else ''}",
        f"until={until.isoformat() if until else ''}",
    ]
    return "oai:" + "|".join(parts)


def harvest(
    *,
    base_url: str = DEFAULT_BASE_URL,
    metadata_prefix: str = DEFAULT_METADATA_PREFIX,
    set_spec: str | None = None,
    from_date: date | None = None,
    until: date | None = None,
    resume_token: str | None = None,
    fetcher: HttpFetcher | None = None,
) -> Iterator[SourceItem]:
    """Harvest ListRecords page by page, starting at ``resume_token`` when one is given.

    Resume with the same arguments as the first run: they make the checkpoint key, and
    ``metadata_prefix`` is not resent with a token (OAI-PMH forbids it).
    """
    key = checkpoint_key(
        base_url=base_url,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        from_date=from_date,
        until=until,
    )
    if resume_token is not None:
        params = _resume_params(resume_token)
    else:
        params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if from_date is not None:
            params["from"] = from_date.isoformat()
        if until is not None:
            params["until"] = until.isoformat()
        if set_spec:
            params["set"] = set_spec
    with using_fetcher(fetcher) as http:
        while True:
            response = http.get(base_url, params)
            ref = str(response.url)
            root = _parse_answer(response)
            if root is None:
                token = _salvage_token(response)
                yield Rejected(
                    SOURCE, raw=response.text, reason="unreadable OAI-PMH XML page", ref=ref
                )
            else:
                error = _oai_error(root)
                if error is not None and error[0] == NO_RECORDS_MATCH:
                    yield Checkpoint(key=key, token=None)
                    return
                _raise_for(error, response)
                page = root.find("oai:ListRecords", _NS)
                if page is None:
                    raise SourceError(f"OAI-PMH answer without ListRecords from {ref}")
                for record in page.findall("oai:record", _NS):
                    yield _record_item(record, ref)
                token = clean_text(page.findtext("oai:resumptionToken", namespaces=_NS)) or None
            yield Checkpoint(key=key, token=token)
            if token is None:
                return
            params = _resume_params(token)


def _resume_params(token: str) -> dict[str, str]:
    """OAI-PMH forbids any other argument next to a resumption token."""
    return {"verb": "ListRecords", "resumptionToken": token}


def get_record(
    identifier: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    metadata_prefix: str = DEFAULT_METADATA_PREFIX,
    fetcher: HttpFetcher | None = None,
) -> PaperRecord | Rejected:
    """Fetch one paper by arXiv id (any spelling); unknown ids raise with ``idDoesNotExist``."""
    try:
        arxiv_id = parse_arxiv_id(identifier)
    except InvalidArxivId:
        return Rejected(SOURCE, raw=identifier, reason=f"malformed arXiv id {identifier!r}")
    params = {
        "verb": "GetRecord",
        "identifier": f"oai:arXiv.org:{arxiv_id.base}",
        "metadataPrefix": metadata_prefix,
    }
    with using_fetcher(fetcher) as http:
        response = http.get(base_url, params)
    ref = str(response.url)
    root = _parse_answer(response)
    if root is None:
        return Rejected(SOURCE, raw=response.text, reason="unreadable OAI-PMH XML", ref=ref)
    _raise_for(_oai_error(root), response)
    record = root.find("oai:GetRecord/oai:record", _NS)
    if record is None:
        raise SourceError(f"OAI-PMH answer without GetRecord from {ref}")
    return _record_item(record, ref)


def _parse_answer(response: httpx.Response) -> ET.Element | None:
    """The parsed answer, or None for unreadable XML in a successful answer."""
    try:
        return ET.fromstring(response.content)
    except ET.ParseError as error:
        if not response.is_success:
            raise SourceError(
                f"OAI-PMH server answered HTTP {response.status_code} for {response.url}"
            ) from error
        return None


def _oai_error(root: ET.Element) -> tuple[str, str] | None:
    element = root.find("oai:error", _NS)
    if element is None:
        return None
    return element.get("code", "unknown"), clean_text(element.text)


def _raise_for(error: tuple[str, str] | None, response: httpx.Response) -> None:
    if error is not None:
        code, message = error
        raise SourceError(f"OAI-PMH error {code}: {message}", code=code)
    if not response.is_success:
        raise SourceError(f"OAI-PMH server answered HTTP {response.status_code} for {response.url}")


def _salvage_token(response: httpx.Response) -> str | None:
    """Read the next token from an unparseable page, or raise if the page does not show one."""
    match = _TOKEN_IN_TEXT.search(response.text)
    if match is None:
        raise SourceError(
            f"unreadable OAI-PMH page from {response.url} and no resumption token in it; "
            "resume later from the last checkpoint"
        )
    return clean_text(unescape(match.group("token") or "")) or None


def _record_item(record: ET.Element, ref: str) -> PaperRecord | Rejected:
    raw = ET.tostring(record, encoding="unicode")
    header = record.find("oai:header", _NS)
    identifier = header.findtext("oai:identifier", namespaces=_NS) if header is not None else None
    if header is not None and header.get("status") == "deleted":
        return Rejected(SOURCE, raw=raw, reason=f"deleted at the source: {identifier}", ref=ref)
    try:
        raw_format = record.find("oai:metadata/raw:arXivRaw", _NS)
        if raw_format is not None:
            return _arxiv_raw_record(raw_format, identifier)
        arxiv_format = record.find("oai:metadata/arxiv:arXiv", _NS)
        if arxiv_format is not None:
            return _arxiv_record(arxiv_format, identifier)
        raise RecordError("no arXivRaw or arXiv metadata in the record")
    except RecordError as error:
        return Rejected(SOURCE, raw=raw, reason=str(error), ref=ref)


def _arxiv_raw_record(metadata: ET.Element, identifier: str | None) -> PaperRecord:
    def text(name: str) -> str | None:
        return metadata.findtext(f"raw:{name}", namespaces=_NS)

    history = read_version_history(
        (version.get("version", ""), version.findtext("raw:date", default="", namespaces=_NS))
        for version in metadata.findall("raw:version", _NS)
    )
    return make_record(
        raw_id=text("id") or identifier,
        title=text("title"),
        abstract=text("abstract"),
        authors=split_authors(text("authors") or ""),
        categories=(text("categories") or "").split(),
        source=SOURCE,
        version=history.version if history else None,
        comment=text("comments"),
        journal_ref=text("journal-ref"),
        doi=text("doi"),
        license=text("license"),
        published_at=history.published_at if history else None,
        updated_at=history.updated_at if history else None,
        listing_date=history.listing_date if history else None,
    )


def _arxiv_record(metadata: ET.Element, identifier: str | None) -> PaperRecord:
    """The ``arXiv`` format has dates without times, so the listing date stays unknown."""

    def text(name: str) -> str | None:
        return metadata.findtext(f"arxiv:{name}", namespaces=_NS)

    created = _day_start(text("created"), "created")
    authors = [
        " ".join(
            part
            for part in (
                clean_text(author.findtext(f"arxiv:{name}", namespaces=_NS))
                for name in ("forenames", "keyname", "suffix")
            )
            if part
        )
        for author in metadata.findall("arxiv:authors/arxiv:author", _NS)
    ]
    return make_record(
        raw_id=text("id") or identifier,
        title=text("title"),
        abstract=text("abstract"),
        authors=authors,
        categories=(text("categories") or "").split(),
        source=SOURCE,
        comment=text("comments"),
        journal_ref=text("journal-ref"),
        doi=text("doi"),
        license=text("license"),
        published_at=created,
        updated_at=_day_start(text("updated"), "updated") or created,
    )


def _day_start(value: str | None, field_name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as error:
        raise RecordError(f"unparseable {field_name} date {value!r}") from error
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def split_authors(text: str) -> list[str]:
    """Split arXiv's author string into names.

    arXiv writes ``A, B, and C`` or ``A and B``; parenthesised affiliations such as
    ``A (MIT)`` or ``A (1), B (2) ((1) MIT, (2) CfA)`` are dropped, and a split-off
    ``Jr.`` or ``III`` goes back onto the name before it.
    """
    without_affiliations = clean_text(text)
    while True:
        stripped = _PARENTHESISED.sub(" ", without_affiliations)
        if stripped == without_affiliations:
            break
        without_affiliations = stripped
    names: list[str] = []
    for part in _AUTHOR_SEPARATOR.split(clean_text(without_affiliations)):
        name = clean_text(part)
        if not name:
            continue
        if names and name.lower() in _NAME_SUFFIXES:
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return names
