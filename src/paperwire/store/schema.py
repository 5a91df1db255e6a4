"""Tables. Alembic migrations in ``migrations/`` create them; this module describes them.

A paper keeps its authors and categories twice on purpose: as JSON on the row, so a
page of papers is one query, and as rows of ``paper_authors`` / ``paper_categories``,
so "papers by this author" and "papers in cs.CL" are index lookups.
"""

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None) if _is_sqlite(dialect) else value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_sqlite(dialect: object) -> bool:
    return getattr(dialect, "name", "") == "sqlite"


class Base(DeclarativeBase):
    pass


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    primary_category: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listing_date: Mapped[date | None] = mapped_column(Date)
    code_urls: Mapped[list[str]] = mapped_column(JSON)
    project_urls: Mapped[list[str]] = mapped_column(JSON)
    has_code: Mapped[bool] = mapped_column(Boolean, default=False)
    ai_summary: Mapped[str | None] = mapped_column(Text)
    ai_keywords: Mapped[list[str]] = mapped_column(JSON)
    subject_classes: Mapped[list[str]] = mapped_column(JSON)  # MSC / ACM classes
    source: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(40))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_papers_listing_date", "listing_date", "published_at"),
        Index("ix_papers_changed_at", "changed_at"),
    )

    # Votes, comments, submitter and moderation state, loaded with every page of papers.
    activity: Mapped["PaperActivity | None"] = relationship(lazy="selectin", viewonly=True)

    @property
    def upvotes(self) -> int:
        return self.activity.upvotes if self.activity else 0

    @property
    def num_comments(self) -> int:
        return self.activity.comments if self.activity else 0

    @property
    def submitted_by(self) -> "User | None":
        return self.activity.submitted_by if self.activity else None

    @property
    def is_hidden(self) -> bool:
        return self.activity is not None and self.activity.hidden_at is not None


class PaperAuthor(Base):
    __tablename__ = "paper_authors"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_paper_authors_name_key", "name_key"),)


class PaperCategory(Base):
    __tablename__ = "paper_categories"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_paper_categories_category", "category", "paper_id"),)


class QuarantinedRecord(Base):
    """Input that could not become a paper, kept with the reason so nothing is lost."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    raw_hash: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    __table_args__ = (UniqueConstraint("source", "raw_hash", name="uq_quarantine_source_raw"),)


class HarvestCheckpoint(Base):
    """Where a resumable harvest stopped; written in the same transaction as its records."""

    __tablename__ = "harvest_checkpoints"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    token: Mapped[str | None] = mapped_column(Text)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoreState(Base):
    """One row whose ``data_version`` grows with every change, so caches know when to drop."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, default=0)


class Subscription(Base):
    """One thing one address gets by mail: a daily or weekly digest, or an alert.

    ``kind`` is daily, weekly, query, author or category; ``target`` is the query, author
    or category as typed and ``target_key`` its folded form, which matching and the
    uniqueness of (email, kind, target_key) use. ``status`` moves from pending (until
    the double opt-in link is followed) to active, and on to unsubscribed or paused.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text, default="")
    target_key: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hard_bounces: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("email", "kind", "target_key", name="uq_subscriptions_email_kind_target"),
        Index("ix_subscriptions_status_kind", "status", "kind"),
    )


class OutboxMessage(Base):
    """The one message a subscription gets for a period (a listing day or an ISO week).

    The unique (subscription_id, period) is what makes sending exactly-once: a run plans
    rows, and a rerun after a crash finds them instead of planning again. ``paper_ids``
    freezes what the message shows, so a resend shows the same papers.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    paper_ids: Mapped[list[int]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("subscription_id", "period", name="uq_outbox_subscription_period"),
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )


# ---- accounts and community (issue 4) ------------------------------------------------------


class User(Base):
    """A reader with an account; ``disabled_at`` set means every session and token stops."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(String(80))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    show_upvotes: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def name(self) -> str:
        return self.display_name or self.username


class UserSession(Base):
    """A signed-in browser; the cookie holds the token, the row only its hash."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))


class ApiToken(Base):
    """A personal token for the write API, stored as a hash; shown to its owner once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SiteKey(Base):
    """Secrets generated once per deployment (signing keys), shared by every worker."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RateLimitHit(Base):
    """One counted attempt; a sliding window counts rows, so every worker sees the same."""

    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_rate_limit_hits_key_at", "key", "at"),)


class PaperActivity(Base):
    """Community state of a paper: counts kept exact by increments, submitter, moderation."""

    __tablename__ = "paper_activity"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submitted_by: Mapped[User | None] = relationship(lazy="selectin", viewonly=True)


class Vote(Base):
    __tablename__ = "votes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_votes_paper_id", "paper_id", "created_at"),)


class Comment(Base):
    """Markdown source and its sanitised HTML; replies point at a top-level comment."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_comments_paper_id", "paper_id", "created_at"),)


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(lazy="joined", viewonly=True)

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_collections_user_name"),)


class CollectionItem(Base):
    __tablename__ = "collection_items"

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ModerationAction(Base):
    """Every moderation step, who took it (None: the command line) and why."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperEmbedding(Base):
    """A paper's sentence embedding, with what it was computed from and by which model.

    ``text_hash`` fingerprints the embedded text, ``paper_hash`` the paper row it was
    read from: a paper whose ``content_hash`` moved on is checked again, and re-embedded
    only if its title or abstract changed.
    """

    __tablename__ = "paper_embeddings"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(40))
    paper_hash: Mapped[str] = mapped_column(String(40))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    embedded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SearchChange(Base):
    """A log of papers whose searchable content changed, in commit order.

    Written in the same transaction as the change, so the search index files beside the
    database can always catch up, whatever crashed in between.
    """

    __tablename__ = "search_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's idiom


class SearchState(Base):
    """Identifies this database, so a search index built for another one is never reused."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    database_id: Mapped[str] = mapped_column(String(32))
