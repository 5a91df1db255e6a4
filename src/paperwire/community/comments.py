"""Comments on papers: one level of replies, edit and delete your own, counts kept exact.

A deleted comment loses its text but keeps its place while replies hang under it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from paperwire.community.activity import add_to_count
from paperwire.community.markdown import MAX_COMMENT_LENGTH, render_markdown
from paperwire.store.ingest import bump_data_version
from paperwire.store.schema import Comment, Paper, User

COMMENTS: Table = Comment.__table__  # type: ignore[assignment]


class CommentError(ValueError):
    """A comment that cannot be saved or changed; the message says why."""


class NotYourComment(CommentError):
    pass


@dataclass
class CommentView:
    comment: Comment
    author: User
    replies: list["CommentView"] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.comment.deleted_at is None and self.comment.hidden_at is None


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise CommentError("Write something first.")
    if len(text) > MAX_COMMENT_LENGTH:
        raise CommentError(f"Comments can be at most {MAX_COMMENT_LENGTH:,} characters long.")
    return text


def add_comment(
    session: Session, paper: Paper, user_id: int, body: str, parent_id: int | None = None
) -> Comment:
    text = _clean_body(body)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.paper_id != paper.id:
            raise CommentError("The comment you reply to is not on this paper.")
        if parent.deleted_at is not None or parent.hidden_at is not None:
            raise CommentError("The comment you reply to was removed.")
        parent_id = parent.parent_id or parent.id  # replies stay one level deep
    comment = Comment(
        paper_id=paper.id,
        user_id=user_id,
        parent_id=parent_id,
        body=text,
        body_html=render_markdown(text),
        created_at=datetime.now(UTC),
    )
    session.add(comment)
    session.flush()
    add_to_count(session, paper.id, "comments", +1)
    bump_data_version(session.connection())
    return comment


def edit_comment(session: Session, comment: Comment, user_id: int, body: str) -> None:
    _check_owner(comment, user_id)
    text = _clean_body(body)
    comment.body = text
    comment.body_html = render_markdown(text)
    comment.edited_at = datetime.now(UTC)
    bump_data_version(session.connection())


def delete_comment(session: Session, comment: Comment, user_id: int) -> None:
    _check_owner(comment, user_id)
    result = session.execute(
        update(COMMENTS)
        .where(COMMENTS.c.id == comment.id, COMMENTS.c.deleted_at.is_(None))
        .values(deleted_at=datetime.now(UTC), body="", body_html="")
        .returning(COMMENTS.c.id)
    )
    if result.first() is not None and comment.hidden_at is None:
        add_to_count(session, comment.paper_id, "comments", -1)
    bump_data_version(session.connection())
    session.refresh(comment)


def change_visibility(session: Session, comment: Comment, *, hidden_at: datetime | None) -> None:
    """Hide (a time) or unhide (None); the count follows only if visibility really changed."""
    hiding = hidden_at is not None
    condition = COMMENTS.c.hidden_at.is_(None) if hiding else COMMENTS.c.hidden_at.is_not(None)
    result = session.execute(
        update(COMMENTS)
        .where(COMMENTS.c.id == comment.id, condition)
        .values(hidden_at=hidden_at)
        .returning(COMMENTS.c.id)
    )
    if result.first() is not None and comment.deleted_at is None:
        add_to_count(session, comment.paper_id, "comments", -1 if hiding else +1)
    bump_data_version(session.connection())
    session.refresh(comment)


def _check_owner(comment: Comment, user_id: int) -> None:
    if comment.user_id != user_id:
        raise NotYourComment("You can only change your own comments.")
    if comment.deleted_at is not None:
        raise CommentError("That comment was deleted.")


def paper_comments(session: Session, paper_id: int, *, include_hidden: bool) -> list[CommentView]:
    """Threads oldest first; removed comments stay only as placeholders above their replies."""
    rows = session.execute(
        select(Comment, User)
        .join(User, User.id == Comment.user_id)
        .where(Comment.paper_id == paper_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    threads: dict[int, CommentView] = {}
    replies: list[CommentView] = []
    for comment, author in rows:
        view = CommentView(comment, author)
        if comment.parent_id is None:
            threads[comment.id] = view
        else:
            replies.append(view)
    for reply in replies:
        parent = threads.get(reply.comment.parent_id or 0)
        if parent is not None and _shown(reply, include_hidden):
            parent.replies.append(reply)
    return [
        thread for thread in threads.values() if _shown(thread, include_hidden) or thread.replies
    ]


def _shown(view: CommentView, include_hidden: bool) -> bool:
    if view.comment.deleted_at is not None:
        return False
    return view.comment.hidden_at is None or include_hidden
