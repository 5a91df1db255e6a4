"""Subscriptions by email address: subscribe (double opt-in), confirm, unsubscribe, list.

Plain functions over a session, shared by the web pages and the CLI. An address is
checked for syntax only (no DNS look-up): the confirmation mail is the real test.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperwire.authors import author_key
from paperwire.categories import CATEGORY_NAMES, category_name
from paperwire.search.query import QueryError, parse_query
from paperwire.store.schema import Subscription

Kind = Literal["daily", "weekly", "query", "author", "category"]
KINDS: tuple[Kind, ...] = get_args(Kind)
MAX_TARGET_LENGTH = 200
_CATEGORY = re.compile(r"[A-Za-z\-]+(\.[A-Za-z\-]+)?")
_CANONICAL_CATEGORIES = {name.lower(): name for name in CATEGORY_NAMES}


class InvalidSubscription(ValueError):
    """Input that cannot become a subscription; the message says what to fix."""


@dataclass(frozen=True)
class Wish:
    """What someone asks to receive, checked and folded for matching."""

    kind: Kind
    target: str = ""
    target_key: str = ""


def normalise_email(text: str) -> str:
    try:
        checked = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        message = f"{text.strip()!r} is not a usable email address: {error}"
        raise InvalidSubscription(message) from None
    return checked.normalized


def make_wish(kind: str, target: str | None = None) -> Wish:
    if kind not in KINDS:
        raise InvalidSubscription(f"unknown kind of subscription {kind!r}")
    text = " ".join((target or "").split())
    if kind in ("daily", "weekly"):
        return Wish(kind)
    if not text:
        names = {"query": "a search query", "author": "an author's name", "category": "a category"}
        raise InvalidSubscription(f"an alert needs {names[kind]}")
    if len(text) > MAX_TARGET_LENGTH:
        raise InvalidSubscription(f"keep it under {MAX_TARGET_LENGTH} characters")
    if kind == "category":
        if not _CATEGORY.fullmatch(text):
            raise InvalidSubscription(f"{text!r} is not an arXiv category such as cs.CL")
        text = _CANONICAL_CATEGORIES.get(text.lower(), text)
        return Wish("category", text, text)
    if kind == "author":
        key = author_key(text)
        if not key:
            raise InvalidSubscription(f"{text!r} is not an author's name")
        return Wish("author", text, key)
    try:
        parse_query(text)
    except QueryError as error:
        raise InvalidSubscription(str(error)) from None
    return Wish("query", text, text.casefold())


def describe(kind: str, target: str) -> str:
    """How a subscription is named in pages and mail."""
    if kind == "daily":
        return "Daily digest of the top papers"
    if kind == "weekly":
        return "Weekly digest of the top papers"
    if kind == "query":
        return f"New papers matching “{target}”"
    if kind == "author":
        return f"New papers by {target}"
    return f"New papers in {target} ({category_name(target)})"


def subscribe(
    session: Session, email: str, wish: Wish, *, confirmed: bool, now: datetime
) -> Subscription:
    """Create the subscription, or bring back one that exists; committed on return.

    Without ``confirmed`` it stays pending until its confirmation link is followed; an
    active subscription stays active either way, so asking twice changes nothing.
    """
    existing = _find(session, email, wish)
    if existing is None:
        existing = Subscription(
            email=email,
            kind=wish.kind,
            target=wish.target,
            target_key=wish.target_key,
            status="pending",
            created_at=now,
            hard_bounces=0,
        )
        session.add(existing)
        try:
            session.commit()
        except IntegrityError:  # the same request twice at once: use the other's row
            session.rollback()
            existing = _find(session, email, wish)
            assert existing is not None
    if confirmed and existing.status != "active":
        _activate(existing, now)
    elif existing.status in ("unsubscribed", "paused"):
        existing.status = "pending"
    session.commit()
    return existing


def confirm(session: Session, subscription_id: int, email: str, now: datetime) -> Subscription:
    subscription = owned_subscription(session, subscription_id, email)
    if subscription.status in ("pending", "unsubscribed", "paused"):
        _activate(subscription, now)
        session.commit()
    return subscription


def unsubscribe(session: Session, subscription_id: int, email: str, now: datetime) -> Subscription:
    subscription = owned_subscription(session, subscription_id, email)
    if subscription.status != "unsubscribed":
        subscription.status = "unsubscribed"
        subscription.unsubscribed_at = now
        session.commit()
    return subscription


def subscriptions_of(session: Session, email: str) -> Sequence[Subscription]:
    statement = select(Subscription).where(Subscription.email == email).order_by(Subscription.id)
    return session.scalars(statement).all()


def _activate(subscription: Subscription, now: datetime) -> None:
    subscription.status = "active"
    subscription.confirmed_at = now
    subscription.unsubscribed_at = None
    subscription.hard_bounces = 0


def _find(session: Session, email: str, wish: Wish) -> Subscription | None:
    statement = select(Subscription).where(
        Subscription.email == email,
        Subscription.kind == wish.kind,
        Subscription.target_key == wish.target_key,
    )
    return session.scalars(statement).first()


def owned_subscription(session: Session, subscription_id: int, email: str) -> Subscription:
    """The subscription, if it belongs to ``email`` (the address a signed link names)."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.email != email:
        raise InvalidSubscription("That subscription no longer exists.")
    return subscription
