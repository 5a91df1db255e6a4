"""Papers in the JSON shapes of the Hugging Face papers API.

``huggingface_hub`` reads some fields from the nested ``paper`` object and others only
from the top level (see ``shared/notes/hf-papers-api.md``), so list items carry the
fields it reads in both places.
"""

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.store.schema import Paper, User


def iso_z(moment: datetime | date | None) -> str | None:
    """Times as HF writes them: UTC, milliseconds, a trailing Z."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def object_id(*parts: str) -> str:
    """A stable 24-hex identifier in the style of HF's ids."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:24]


def user_object(user: User) -> dict[str, Any]:
    """A user as HF describes one; ``user`` is the username the client reads."""
    return {
        "_id": object_id("user", str(user.id)),
        "user": user.username,
        "fullname": user.name,
        "avatarUrl": None,
        "type": "user",
        "isPro": False,
    }


def paper_object(paper: Paper) -> dict[str, Any]:
    """The flat paper object of ``GET /api/papers/{id}`` and of ``item["paper"]``."""
    submitter = paper.submitted_by
    submitted_at = paper.activity.submitted_at if paper.activity else None
    return {
        "id": paper.arxiv_id,
        "title": paper.title,
        "summary": paper.abstract,
        "authors": [
            {"_id": f"{paper.id:016x}{position:08x}", "name": name, "hidden": False}
            for position, name in enumerate(paper.authors)
        ],
        "publishedAt": iso_z(paper.published_at or paper.listing_date),
        "submittedOnDailyAt": iso_z(submitted_at or paper.listing_date),
        "submittedOnDailyBy": user_object(submitter) if submitter else None,
        "upvotes": paper.upvotes,
        "discussionId": object_id("discussion", paper.arxiv_id),
        "projectPage": paper.project_urls[0] if paper.project_urls else None,
        "githubRepo": paper.code_urls[0] if paper.code_urls else None,
        "githubStars": None,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "organization": None,
        "version": paper.version,
        "categories": paper.categories,
        "primaryCategory": paper.primary_category,
        "comment": paper.comment,
        "journalRef": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "listingDate": paper.listing_date.isoformat() if paper.listing_date else None,
        "updatedAt": iso_z(paper.updated_at),
        "codeUrls": paper.code_urls,
        "projectUrls": paper.project_urls,
        "arxivUrl": abs_url(paper.arxiv_id),
        "pdfUrl": pdf_url(paper.arxiv_id),
    }


def paper_detail(paper: Paper) -> dict[str, Any]:
    """``GET /api/papers/{id}``: the paper object plus the (empty) linked repositories."""
    return {
        **paper_object(paper),
        "linkedModels": [],
        "numTotalModels": 0,
        "linkedDatasets": [],
        "numTotalDatasets": 0,
        "linkedSpaces": [],
        "numTotalSpaces": 0,
    }


_TOP_LEVEL_COPIES = (
    "id",
    "upvotes",
    "projectPage",
    "githubRepo",
    "githubStars",
    "ai_summary",
    "ai_keywords",
    "organization",
)


def daily_item(paper: Paper) -> dict[str, Any]:
    """One item of ``/api/daily_papers`` and ``/api/papers/search``."""
    inner = paper_object(paper)
    item: dict[str, Any] = {
        "paper": inner,
        "publishedAt": iso_z(paper.listing_date),
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": None,
        "numComments": paper.num_comments,
        "submittedBy": inner["submittedOnDailyBy"],
        "isAuthorParticipating": False,
    }
    item.update({key: inner[key] for key in _TOP_LEVEL_COPIES})
    return item
