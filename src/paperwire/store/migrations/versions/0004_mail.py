"""Mail: subscriptions, the outbox that makes sending exactly-once, signing secrets.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("confirmed_at", UTC_DATETIME),
        sa.Column("unsubscribed_at", UTC_DATETIME),
        sa.Column("hard_bounces", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.UniqueConstraint(
            "email", "kind", "target_key", name="uq_subscriptions_email_kind_target"
        ),
    )
    op.create_index("ix_subscriptions_status_kind", "subscriptions", ["status", "kind"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paper_ids", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("claimed_at", UTC_DATETIME),
        sa.Column("sent_at", UTC_DATETIME),
        sa.Column("last_error", sa.Text()),
        sa.UniqueConstraint("subscription_id", "period", name="uq_outbox_subscription_period"),
    )
    op.create_index("ix_outbox_status_next_attempt", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("outbox", "subscriptions"):
        op.drop_table(table)
