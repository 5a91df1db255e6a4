"""Queries for what people follow beyond a listing: one author's papers, newest first."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from paperwire.authors import author_key
from paperwire.store.papers import visible_only
from paperwire.store.schema import Paper, PaperAuthor


def papers_by_author(session: Session, name: str, *, limit: int = 50) -> list[Paper]:
    """Papers with an author whose name folds to the same key as ``name`` (any spelling)."""
    key = author_key(name)
    if not key:
        return []
    by_author = select(PaperAuthor.paper_id).where(PaperAuthor.name_key == key)
    statement = (
        visible_only(select(Paper))
        .where(Paper.id.in_(by_author))
        .order_by(Paper.listing_date.desc(), Paper.arxiv_id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))
