"""The arXiv query API (Atom): fetch papers by id, or search by category, dates and text.

Search errors (arXiv answers them as a feed whose single entry has an ``/api/errors#``
id) stop the search with ``SourceError``, since no page of it can be right. For an id
list the ids are checked locally first and a malformed one is yielded as ``Rejected``
without asking arXiv; if arXiv still refuses a chunk, every id of that chunk is rejected
with arXiv's message, and an id arXiv does not know is rejected as missing, so each
requested id ends up as a paper or in quarantine (alone, or inside an unreadable page).

Only the DOI is read from an entry's links: abs and pdf links follow from the id.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx

from paperwire.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import HttpFetcher, using_fetcher
from paperwire.ingest.schedule import announcement_date
from paperwire.records import (
    PaperRecord,
    RecordError,
    Rejected,
    SourceItem,
    clean_text,
    make_record,
    parse_iso_time,
)

SOURCE = "arxiv-api"
DEFAULT_BASE_URL = "https://export.arxiv.org/api/query"
MAX_IDS_PER_REQUEST = 100
# arXiv's API sometimes answers a page with no entries although more results exist.
EMPTY_PAGE_ATTEMPTS = 3
# Give up when this many pages in a row are unreadable: the server is not answering Atom.
MAX_BROKEN_PAGES_IN_A_ROW = 3
# arXiv opened in August 1991; an open-ended date range starts there.
ARXIV_FIRST_DAY = date(1991, 8, 1)

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ERROR_ID_MARKER = "/api/errors"


@dataclass
class _Feed:
    total: int
    entries: list[ET.Element]
    error: str | None


def fetch_by_ids(
    ids: Iterable[str],
    *,
    base_url: str = DEFAULT_BASE_URL,
    fetcher: HttpFetcher | None = None,
) -> Iterator[SourceItem]:
    """Yield the papers with these ids, asking arXiv for at most 100 ids per request."""
    with using_fetcher(fetcher) as http:
        chunk: list[tuple[str, ArxivId]] = []
        seen: set[str] = set()
        for raw_id in ids:
            try:
                parsed = parse_arxiv_id(raw_id)
            except InvalidArxivId:
                yield Rejected(SOURCE, raw=raw_id, reason=f"malformed arXiv id {raw_id!r}")
                continue
            if str(parsed) in seen:
                continue
            seen.add(str(parsed))
            chunk.append((raw_id, parsed))
            if len(chunk) == MAX_IDS_PER_REQUEST:
                yield from _fetch_chunk(http, base_url, chunk)
                chunk = []
        if chunk:
            yield from _fetch_chunk(http, base_url, chunk)


def _fetch_chunk(
    http: HttpFetcher, base_url: str, chunk: list[tuple[str, ArxivId]]
) -> Iterator[SourceItem]:
    params = {
        "id_list": ",".join(str(parsed) for _, parsed in chunk),
        "start": "0",
        "max_results": str(len(chunk)),
    }
    response = http.get(base_url, params)
    ref = str(response.url)
    feed = _read_feed(response)
    if isinstance(feed, Rejected):
        yield feed
        return
    if feed.error is not None:
        for raw_id, _ in chunk:
            yield Rejected(
                SOURCE, raw=raw_id, reason=f"arXiv refused the id list: {feed.error}", ref=ref
            )
        return
    found: set[str] = set()
    for entry in feed.entries:
        found.add(_match_key(_entry_base_id(entry)))
        yield _entry_item(entry, ref)
    for raw_id, parsed in chunk:
        if _match_key(parsed.base) not in found:
            yield Rejected(SOURCE, raw=raw_id, reason=f"arXiv has no paper {parsed}", ref=ref)


def _entry_base_id(entry: ET.Element) -> str:
    """The id an entry answers for, even when the entry itself is rejected."""
    text = entry.findtext("atom:id", default="", namespaces=_NS)
    try:
        return parse_arxiv_id(text).base
    except InvalidArxivId:
        return text


def _match_key(base: str) -> str:
    """arXiv answers ``math.AG/0601001`` as ``math/0601001``; compare old ids without subject."""
    if "/" not in base:
        return base
    archive, number = base.split("/")
    return f"{archive.split('.')[0]}/{number}"


def build_search_query(
    category: str | None, start_date: date | None, end_date: date | None, query: str | None
) -> str:
    """Combine the filters into arXiv's ``search_query`` syntax.

    One open end of the date range is filled with arXiv's first day or today (UTC).
    """
    parts: list[str] = []
    if category:
        parts.append(f"cat:{category}")
    if start_date is not None or end_date is not None:
        first = start_date or ARXIV_FIRST_DAY
        last = end_date or datetime.now(UTC).date()
        parts.append(f"submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]")
    if query:
        parts.append(f"({query})" if parts else query)
    if not parts:
        raise ValueError("a search needs a category, a date range or a query")
    return " AND ".join(parts)


def search(
    category: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    query: str | None = None,
    *,
    page_size: int = 100,
    max_results: int | None = None,
    base_url: str = DEFAULT_BASE_URL,
    fetcher: HttpFetcher | None = None,
) -> Iterator[SourceItem]:
    """Yield the papers matching the filters, oldest submission first, page by page.

    Ascending submission order keeps pages stable while new papers arrive at the end.
    ``max_results`` caps how many results are gone through (an unreadable page counts
    as the ``page_size`` results it should have held).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    search_query = build_search_query(category, start_date, end_date, query)
    limit: float = math.inf if max_results is None else max_results
    with using_fetcher(fetcher) as http:
        start = 0
        broken_in_a_row = 0
        while start < limit:
            params = {
                "search_query": search_query,
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
                "start": str(start),
                "max_results": str(int(min(page_size, limit - start))),
            }
            response, feed = _fetch_search_page(http, base_url, params)
            if isinstance(feed, Rejected):
                yield feed
                broken_in_a_row += 1
                if broken_in_a_row == MAX_BROKEN_PAGES_IN_A_ROW:
                    raise SourceError(f"arXiv answered {broken_in_a_row} unreadable pages in a row")
                start += page_size
                continue
            broken_in_a_row = 0
            limit = min(limit, feed.total)
            entries = feed.entries[: int(min(len(feed.entries), limit - start))]
            for entry in entries:
                yield _entry_item(entry, str(response.url))
            # A short page is not the end: the next request starts after what arrived.
            start += len(entries) or page_size


def _fetch_search_page(
    http: HttpFetcher, base_url: str, params: dict[str, str]
) -> tuple[httpx.Response, _Feed | Rejected]:
    """Fetch one page, asking again when arXiv answers an empty page it should have filled."""
    start = int(params["start"])
    reported_total = 0
    for _ in range(EMPTY_PAGE_ATTEMPTS):
        response = http.get(base_url, params)
        feed = _read_feed(response)
        if isinstance(feed, Rejected):
            return response, feed
        if feed.error is not None:
            raise SourceError(f"arXiv API error for {params['search_query']!r}: {feed.error}")
        if feed.entries or start >= feed.total:
            return response, feed
        reported_total = feed.total
    raise SourceError(
        f"arXiv kept answering an empty page at start={start} although it reported "
        f"{reported_total} results; try again later"
    )


def _read_feed(response: httpx.Response) -> _Feed | Rejected:
    """Parse an Atom answer; an unreadable 2xx page is Rejected, any other failure raises."""
    ref = str(response.url)
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError as error:
        if not response.is_success:
            raise SourceError(
                f"arXiv API answered HTTP {response.status_code} for {ref}"
            ) from error
        return Rejected(SOURCE, raw=response.text, reason=f"unreadable Atom XML: {error}", ref=ref)
    if root.tag != f"{{{_NS['atom']}}}feed":
        if not response.is_success:
            raise SourceError(f"arXiv API answered HTTP {response.status_code} for {ref}")
        return Rejected(
            SOURCE, raw=response.text, reason=f"not an Atom feed: <{root.tag}>", ref=ref
        )
    entries = root.findall("atom:entry", _NS)
    message = _error_message(entries)
    if message is None and not response.is_success:
        raise SourceError(f"arXiv API answered HTTP {response.status_code} for {ref}")
    total_text = root.findtext("opensearch:totalResults", default="", namespaces=_NS).strip()
    total = int(total_text) if total_text.isdigit() else len(entries)
    return _Feed(total=total, entries=entries, error=message)


def _error_message(entries: list[ET.Element]) -> str | None:
    for entry in entries:
        if _ERROR_ID_MARKER in (entry.findtext("atom:id", default="", namespaces=_NS)):
            return clean_text(entry.findtext("atom:summary", namespaces=_NS)) or "unknown error"
    return None


def _entry_item(entry: ET.Element, ref: str) -> PaperRecord | Rejected:
    try:
        return _entry_record(entry)
    except RecordError as error:
        return Rejected(
            SOURCE, raw=ET.tostring(entry, encoding="unicode"), reason=str(error), ref=ref
        )


def _entry_record(entry: ET.Element) -> PaperRecord:
    def text(path: str) -> str | None:
        return entry.findtext(path, namespaces=_NS)

    published = parse_iso_time(text("atom:published"), "published")
    updated = parse_iso_time(text("atom:updated"), "updated") or published
    primary = entry.find("arxiv:primary_category", _NS)
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [element.get("term", "") for element in entry.findall("atom:category", _NS)]
    return make_record(
        raw_id=text("atom:id"),
        title=text("atom:title"),
        abstract=text("atom:summary"),
        authors=[
            author.findtext("atom:name", default="", namespaces=_NS)
            for author in entry.findall("atom:author", _NS)
        ],
        categories=categories,
        source=SOURCE,
        comment=text("arxiv:comment"),
        journal_ref=text("arxiv:journal_ref"),
        doi=text("arxiv:doi") or _doi_from_links(entry),
        published_at=published,
        updated_at=updated,
        listing_date=announcement_date(published) if published else None,
    )


def _doi_from_links(entry: ET.Element) -> str | None:
    """The DOI is also given as a doi.org link; use it when ``arxiv:doi`` is missing."""
    for link in entry.findall("atom:link", _NS):
        href = link.get("href", "")
        if link.get("title") == "doi" and "doi.org/" in href:
            return href.split("doi.org/", 1)[1]
    return None
