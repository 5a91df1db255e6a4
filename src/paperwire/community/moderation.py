"""Moderation: hide papers and comments, disable users; every step goes into the log.

Hidden things stay in the database (an admin can undo), but every listing, page, feed
and API answer leaves them out. Each change bumps the data version so cached pages drop.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from paperwire.accounts.sessions import end_all_sessions
from paperwire.community.activity import ensure_activity
from paperwire.community.comments import change_visibility
from paperwire.store.ingest import bump_data_version
from paperwire.store.schema import Comment, ModerationAction, Paper, PaperActivity, User


def log_action(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    label: str,
    reason: str = "",
) -> None:
    session.add(
        ModerationAction(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=label[:500],
            reason=reason.strip()[:1000],
            created_at=datetime.now(UTC),
        )
    )


def set_user_disabled(
    session: Session, user: User, disabled: bool, *, actor_id: int | None, reason: str = ""
) -> None:
    """Disabling ends every session at once; API tokens stop working too."""
    user.disabled_at = datetime.now(UTC) if disabled else None
    if disabled:
        end_all_sessions(session, user.id)
    action = "disable-user" if disabled else "enable-user"
    log_action(
        session,
        actor_id=actor_id,
        action=action,
        target_type="user",
        target_id=user.id,
        label=user.username,
        reason=reason,
    )
    bump_data_version(session.connection())


def make_admin(session: Session, user: User, *, actor_id: int | None) -> None:
    user.is_admin = True
    log_action(
        session,
        actor_id=actor_id,
        action="make-admin",
        target_type="user",
        target_id=user.id,
        label=user.username,
    )


def set_paper_hidden(
    session: Session, paper: Paper, hidden: bool, *, actor_id: int | None, reason: str = ""
) -> None:
    ensure_activity(session, paper.id)
    session.execute(
        update(PaperActivity)
        .where(PaperActivity.paper_id == paper.id)
        .values(hidden_at=datetime.now(UTC) if hidden else None)
    )
    log_action(
        session,
        actor_id=actor_id,
        action="hide-paper" if hidden else "unhide-paper",
        target_type="paper",
        target_id=paper.id,
        label=f"{paper.arxiv_id} {paper.title}",
        reason=reason,
    )
    bump_data_version(session.connection())


def set_comment_hidden(
    session: Session, comment: Comment, hidden: bool, *, actor_id: int | None, reason: str = ""
) -> None:
    change_visibility(session, comment, hidden_at=datetime.now(UTC) if hidden else None)
    log_action(
        session,
        actor_id=actor_id,
        action="hide-comment" if hidden else "unhide-comment",
        target_type="comment",
        target_id=comment.id,
        label=comment.body[:200],
        reason=reason,
    )


def moderation_log(session: Session, *, limit: int = 100) -> Sequence[tuple[ModerationAction, str]]:
    """Newest first, with the actor's username ("command line" when none)."""
    rows = session.execute(
        select(ModerationAction, User.username)
        .outerjoin(User, User.id == ModerationAction.actor_id)
        .order_by(ModerationAction.id.desc())
        .limit(limit)
    ).all()
    return [(action, username or "command line") for action, username in rows]
