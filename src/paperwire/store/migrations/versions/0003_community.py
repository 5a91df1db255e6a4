"""Accounts and community: users, sessions, API tokens, votes, comments, collections,
paper activity (counts, submitter, moderation), rate limits, moderation log, site keys.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _user_id(
    name: str = "user_id",
    *,
    ondelete: str = "CASCADE",
    primary_key: bool = False,
    nullable: bool = True,
) -> "sa.Column[int]":
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey("users.id", ondelete=ondelete),
        primary_key=primary_key,
        nullable=nullable and not primary_key,
    )


def _paper_id(*, primary_key: bool = False, nullable: bool = True) -> "sa.Column[int]":
    return sa.Column(
        "paper_id",
        sa.Integer(),
        sa.ForeignKey("papers.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=nullable and not primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(32), nullable=False, unique=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("display_name", sa.String(80)),
        sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("show_upvotes", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("email_verified_at", UTC_DATETIME),
        sa.Column("disabled_at", UTC_DATETIME),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _user_id(nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("user_agent", sa.String(200)),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_id(nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_used_at", UTC_DATETIME),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "site_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_rate_limit_hits_key_at", "rate_limit_hits", ["key", "at"])
    op.create_table(
        "paper_activity",
        _paper_id(primary_key=True),
        sa.Column("upvotes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("comments", sa.Integer(), nullable=False, server_default="0"),
        _user_id("submitted_by_id", ondelete="SET NULL"),
        sa.Column("submitted_at", UTC_DATETIME),
        sa.Column("hidden_at", UTC_DATETIME),
    )
    op.create_index("ix_paper_activity_submitted_by_id", "paper_activity", ["submitted_by_id"])
    op.create_table(
        "votes",
        _user_id(primary_key=True),
        _paper_id(primary_key=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_votes_paper_id", "votes", ["paper_id", "created_at"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        _paper_id(nullable=False),
        _user_id(nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE")),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("edited_at", UTC_DATETIME),
        sa.Column("deleted_at", UTC_DATETIME),
        sa.Column("hidden_at", UTC_DATETIME),
    )
    op.create_index("ix_comments_paper_id", "comments", ["paper_id", "created_at"])
    op.create_index("ix_comments_user_id", "comments", ["user_id"])
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_id(nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("is_public", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_collections_user_name"),
    )
    op.create_index("ix_collections_user_id", "collections", ["user_id"])
    op.create_table(
        "collection_items",
        sa.Column(
            "collection_id",
            sa.Integer(),
            sa.ForeignKey("collections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _paper_id(primary_key=True),
        sa.Column("added_at", UTC_DATETIME, nullable=False),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_id("actor_id", ondelete="SET NULL"),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("target_label", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "moderation_log",
        "collection_items",
        "collections",
        "comments",
        "votes",
        "paper_activity",
        "rate_limit_hits",
        "site_keys",
        "api_tokens",
        "user_sessions",
        "users",
    ):
        op.drop_table(table)
