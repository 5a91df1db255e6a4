"""Creating, finding and changing users: the functions behind sign-up, the CLI and admin pages."""

import re
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from paperwire.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    spend_verification_time,
    verify_password,
)
from paperwire.store.schema import User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
RESERVED_USERNAMES = frozenset({"admin", "api", "static", "settings", "account", "me", "new"})


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is shown to the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_account(email: str, username: str, password: str) -> str | None:
    if not EMAIL.match(email) or len(email) > 254:
        return "That does not look like an email address."
    if not USERNAME.match(username):
        return (
            "Usernames are 2 to 32 characters: lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit."
        )
    if username in RESERVED_USERNAMES:
        return "That username is reserved; choose another."
    return password_problem(password)


def create_user(
    session: Session,
    *,
    email: str,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    display_name: str | None = None,
    verified: bool = False,
    is_admin: bool = False,
) -> User:
    """Add a user (the caller commits); raise AccountError with a reason people can act on."""
    email, username = normalise_email(email), username.strip().lower()
    if password_hash is None:
        problem = check_new_account(email, username, password or "")
        if problem:
            raise AccountError(problem)
        password_hash = hash_password(password or "")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"The username {username!r} is taken.")
    if email_taken(session, email):
        raise AccountError("An account with that email address exists already.")
    now = datetime.now(UTC)
    user = User(
        email=email,
        username=username,
        password_hash=password_hash,
        display_name=(display_name or "").strip()[:80] or None,
        is_admin=is_admin,
        show_upvotes=False,
        email_verified_at=now if verified else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def find_user(session: Session, login: str) -> User | None:
    """By email address or username, case-insensitively."""
    key = login.strip().lower()
    if not key:
        return None
    return session.scalars(select(User).where(or_(User.email == key, User.username == key))).first()


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.lower())).first()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The user if the password is right and the account is enabled; same cost either way."""
    user = find_user(session, login)
    if user is None:
        spend_verification_time(password)
        return None
    if not verify_password(user.password_hash, password) or user.disabled_at is not None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
