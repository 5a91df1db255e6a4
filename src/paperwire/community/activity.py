"""The per-paper activity row (counts, submitter, hidden flag), created on first use.

Counts change only by atomic ``+1``/``-1`` updates inside the transaction that changes
the vote or comment itself, so concurrent voters on both backends end with exact totals.
"""

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paperwire.store.schema import PaperActivity

ACTIVITY: Table = PaperActivity.__table__  # type: ignore[assignment]


def ensure_activity(session: Session, paper_id: int) -> None:
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(ACTIVITY)
        .values(paper_id=paper_id, upvotes=0, comments=0)
        .on_conflict_do_nothing(index_elements=["paper_id"])
    )


def add_to_count(session: Session, paper_id: int, column: str, delta: int) -> None:
    ensure_activity(session, paper_id)
    counter = ACTIVITY.c[column]
    session.execute(
        update(ACTIVITY).where(ACTIVITY.c.paper_id == paper_id).values({column: counter + delta})
    )
