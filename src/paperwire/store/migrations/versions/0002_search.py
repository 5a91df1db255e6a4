"""Search: paper embeddings, the log of searchable changes, this database's identity.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_embeddings",
        sa.Column(
            "paper_id",
            sa.Integer(),
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(40), nullable=False),
        sa.Column("paper_hash", sa.String(40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "search_changes",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sqlite_autoincrement=True,  # never reuse a number the index has already applied
    )
    state = op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("database_id", sa.String(32), nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "database_id": uuid.uuid4().hex}])
    # Papers stored before this revision must reach the search index too.
    op.execute("INSERT INTO search_changes (paper_id) SELECT id FROM papers ORDER BY id")


def downgrade() -> None:
    for table in ("search_state", "search_changes", "paper_embeddings"):
        op.drop_table(table)
