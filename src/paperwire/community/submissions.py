"""Submitting a paper the feed missed: fetch it from arXiv and put it on today's list.

The paper comes through the same arXiv API client and ingest pipeline as every other
paper, then gets a submitter. Each way this can fail has its own message: the text is
not an arXiv id or URL, arXiv does not know the id, the paper is listed already, or
arXiv cannot be reached right now.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.community.activity import ensure_activity
from paperwire.ingest import arxiv_api
from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import HttpFetcher
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import PaperRecord, Rejected
from paperwire.store.ingest import bump_data_version
from paperwire.store.papers import get_paper
from paperwire.store.schema import PaperActivity


class SubmissionError(ValueError):
    """Why a submission did not go through; ``arxiv_id`` is set when the paper is here."""

    def __init__(self, message: str, arxiv_id: str | None = None) -> None:
        super().__init__(message)
        self.arxiv_id = arxiv_id


@dataclass(frozen=True)
class Submitted:
    arxiv_id: str
    title: str
    listing_date: date


def submit_paper(
    engine: Engine,
    text: str,
    user_id: int,
    *,
    arxiv_url: str,
    fetcher: HttpFetcher | None = None,
    today: date | None = None,
) -> Submitted:
    try:
        arxiv_id = parse_arxiv_id(text).base
    except InvalidArxivId:
        shown = text.strip()[:100]
        raise SubmissionError(
            f"{shown!r} is not an arXiv identifier or arXiv link. "
            "Try something like 2406.12345 or https://arxiv.org/abs/2406.12345."
        ) from None
    _refuse_if_listed(engine, arxiv_id)
    record = _fetch(arxiv_id, arxiv_url, fetcher)
    record.listing_date = today or datetime.now(UTC).date()
    run_ingest(engine, [record])
    with Session(engine) as session:
        paper = get_paper(session, arxiv_id, include_hidden=True)
        assert paper is not None
        ensure_activity(session, paper.id)
        claimed = session.execute(
            update(PaperActivity)
            .where(PaperActivity.paper_id == paper.id, PaperActivity.submitted_by_id.is_(None))
            .values(submitted_by_id=user_id, submitted_at=datetime.now(UTC))
            .returning(PaperActivity.paper_id)
        )
        if claimed.first() is None:
            session.rollback()
            raise SubmissionError(f"{arxiv_id} was just submitted by someone else.", arxiv_id)
        bump_data_version(session.connection())
        session.commit()
        assert paper.listing_date is not None
        return Submitted(paper.arxiv_id, paper.title, paper.listing_date)


def _refuse_if_listed(engine: Engine, arxiv_id: str) -> None:
    with Session(engine) as session:
        paper = get_paper(session, arxiv_id, include_hidden=True)
        if paper is None:
            return
        if paper.is_hidden:
            raise SubmissionError(f"{arxiv_id} was removed by the moderators.")
        when = f" on {paper.listing_date:%B %-d, %Y}" if paper.listing_date else ""
        raise SubmissionError(f"{arxiv_id} is already listed{when}.", arxiv_id)


def _fetch(arxiv_id: str, arxiv_url: str, fetcher: HttpFetcher | None) -> PaperRecord:
    own = fetcher or HttpFetcher(min_interval=0, max_attempts=2, timeout=20)
    try:
        items = list(arxiv_api.fetch_by_ids([arxiv_id], base_url=arxiv_url, fetcher=own))
    except SourceError as error:
        raise SubmissionError(
            f"arXiv could not be reached just now ({error}); please try again later."
        ) from None
    finally:
        if fetcher is None:
            own.close()
    for item in items:
        if isinstance(item, PaperRecord) and item.arxiv_id == arxiv_id:
            return item
    reasons = [item.reason for item in items if isinstance(item, Rejected)]
    if any("has no paper" in reason for reason in reasons) or not reasons:
        raise SubmissionError(f"arXiv does not know a paper {arxiv_id}.")
    raise SubmissionError(f"arXiv's answer for {arxiv_id} could not be read: {reasons[0]}")
