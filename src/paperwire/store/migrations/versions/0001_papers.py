"""Papers with their authors and categories, quarantine, harvest checkpoints, store state.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False, unique=True),
        sa.Column("version", sa.Integer()),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("primary_category", sa.String(64)),
        sa.Column("comment", sa.Text()),
        sa.Column("journal_ref", sa.Text()),
        sa.Column("doi", sa.Text()),
        sa.Column("license", sa.Text()),
        sa.Column("published_at", UTC_DATETIME),
        sa.Column("updated_at", UTC_DATETIME),
        sa.Column("listing_date", sa.Date()),
        sa.Column("code_urls", sa.JSON(), nullable=False),
        sa.Column("project_urls", sa.JSON(), nullable=False),
        sa.Column("has_code", sa.Boolean(), nullable=False),
        sa.Column("ai_summary", sa.Text()),
        sa.Column("ai_keywords", sa.JSON(), nullable=False),
        sa.Column("subject_classes", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("changed_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_papers_listing_date", "papers", ["listing_date", "published_at"])
    op.create_index("ix_papers_changed_at", "papers", ["changed_at"])

    op.create_table(
        "paper_authors",
        sa.Column(
            "paper_id",
            sa.Integer(),
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
    )
    op.create_index("ix_paper_authors_name_key", "paper_authors", ["name_key"])

    op.create_table(
        "paper_categories",
        sa.Column(
            "paper_id",
            sa.Integer(),
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("category", sa.String(64), primary_key=True),
    )
    op.create_index("ix_paper_categories_category", "paper_categories", ["category", "paper_id"])

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("ref", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("raw_hash", sa.String(40), nullable=False),
        sa.Column("created_at", UTC_DATETIME, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("source", "raw_hash", name="uq_quarantine_source_raw"),
    )

    op.create_table(
        "harvest_checkpoints",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("token", sa.Text()),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    )

    store_state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("data_version", sa.Integer(), nullable=False),
    )
    op.bulk_insert(store_state, [{"id": 1, "data_version": 0}])


def downgrade() -> None:
    for table in (
        "store_state",
        "harvest_checkpoints",
        "quarantine",
        "paper_categories",
        "paper_authors",
        "papers",
    ):
        op.drop_table(table)
