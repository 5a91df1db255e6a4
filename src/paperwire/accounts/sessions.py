"""Server-side sessions and personal API tokens.

The session cookie carries a random token signed with the site key (so a forged cookie
is refused without a database read); the database keeps only the token's SHA-256. Each
request looks its session up, so signing out everywhere, or disabling the user, ends
every session at once.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from paperwire.store.schema import ApiToken, User, UserSession

SESSION_COOKIE = "paperwire_session"
API_TOKEN_PREFIX = "pw_"
TOUCH_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of a request, detached from any database session."""

    id: int
    username: str
    name: str
    email: str
    is_admin: bool
    verified: bool
    via_token: bool = False


def viewer_of(user: User, *, via_token: bool = False) -> Viewer:
    return Viewer(
        id=user.id,
        username=user.username,
        name=user.name,
        email=user.email,
        is_admin=user.is_admin,
        verified=user.email_verified_at is not None,
        via_token=via_token,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_signer(key: str) -> Signer:
    return Signer(key, salt="paperwire-session")


def start_session(session: Session, user: User, *, days: int, user_agent: str | None = None) -> str:
    """A new session for ``user``; returns the raw token (the caller commits)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    return token


def session_user(session: Session, token: str) -> User | None:
    """The enabled user of a live session, refreshing ``last_seen_at`` now and then."""
    now = datetime.now(UTC)
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    record, user = row
    if record.expires_at <= now or user.disabled_at is not None:
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
        session.commit()
    return user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_all_sessions(session: Session, user_id: int) -> int:
    ended = session.execute(
        delete(UserSession).where(UserSession.user_id == user_id).returning(UserSession.token_hash)
    )
    return len(ended.all())


def read_session_cookie(signer: Signer, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return signer.unsign(value).decode()
    except BadSignature:
        return None


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the raw value is returned once and never stored."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:80] or "token",
        token_hash=token_hash(raw),
        prefix=raw[: len(API_TOKEN_PREFIX) + 6],
        created_at=datetime.now(UTC),
    )
    session.add(token)
    session.flush()
    return token, raw


def api_token_user(session: Session, raw: str) -> User | None:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(raw))
    ).first()
    if row is None:
        return None
    token, user = row
    if user.disabled_at is not None:
        return None
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return user


def api_tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, user_id: int, token_id: int) -> bool:
    revoked = session.execute(
        delete(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        .returning(ApiToken.id)
    )
    return revoked.first() is not None
