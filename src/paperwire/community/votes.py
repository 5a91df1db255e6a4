"""Upvotes: one per user and paper. The vote row and the count change in one transaction.

On SQLite the first statement of a vote is a write, so the transaction takes the write
lock before reading anything and never has to upgrade a stale snapshot; on PostgreSQL
the ``+1``/``-1`` update locks the paper's activity row. Either way concurrent voters
end with exact counts (see tests/community/test_concurrency.py and bench/votes.py).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paperwire.community.activity import add_to_count
from paperwire.store.ingest import bump_data_version
from paperwire.store.schema import Paper, PaperActivity, User, Vote

VOTES: Table = Vote.__table__  # type: ignore[assignment]


def set_vote(
    session: Session, paper_id: int, user_id: int, upvoted: bool | None
) -> tuple[bool, int]:
    """Upvote (True), withdraw (False) or toggle (None); returns the state and the new count.

    The caller's session must not have read anything yet in this transaction.
    """
    voted = False
    if upvoted is not False:
        connection = session.connection()
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        inserted = connection.execute(
            dialect.insert(VOTES)
            .values(user_id=user_id, paper_id=paper_id, created_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["user_id", "paper_id"])
            .returning(VOTES.c.paper_id)
        )
        voted = inserted.first() is not None
        if voted:
            add_to_count(session, paper_id, "upvotes", +1)
    if not voted and upvoted is not True:
        removed = session.execute(
            delete(VOTES)
            .where(VOTES.c.user_id == user_id, VOTES.c.paper_id == paper_id)
            .returning(VOTES.c.paper_id)
        )
        if removed.first() is not None:
            add_to_count(session, paper_id, "upvotes", -1)
        state = False
    else:
        state = True
    bump_data_version(session.connection())
    count = session.scalar(select(PaperActivity.upvotes).where(PaperActivity.paper_id == paper_id))
    session.commit()
    return state, count or 0


def voted_paper_ids(session: Session, user_id: int, paper_ids: Iterable[int]) -> set[int]:
    ids = list(paper_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Vote.paper_id).where(Vote.user_id == user_id, Vote.paper_id.in_(ids))
        )
    )


def upvoters(session: Session, paper_id: int, *, limit: int = 200) -> Sequence[User]:
    """Who upvoted a paper, earliest first (disabled users left out)."""
    return session.scalars(
        select(User)
        .join(Vote, Vote.user_id == User.id)
        .where(Vote.paper_id == paper_id, User.disabled_at.is_(None))
        .order_by(Vote.created_at, User.id)
        .limit(limit)
    ).all()


def upvoted_papers(session: Session, user_id: int, *, limit: int = 100) -> Sequence[Paper]:
    """A user's upvoted papers, most recent vote first, hidden papers left out."""
    hidden = select(PaperActivity.paper_id).where(PaperActivity.hidden_at.is_not(None))
    return session.scalars(
        select(Paper)
        .join(Vote, Vote.paper_id == Paper.id)
        .where(Vote.user_id == user_id, Paper.id.not_in(hidden))
        .order_by(Vote.created_at.desc())
        .limit(limit)
    ).all()
