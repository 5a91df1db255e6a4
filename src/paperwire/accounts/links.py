"""Signed, expiring links for email verification and password reset (itsdangerous).

A reset link also carries a fingerprint of the current password hash, so it stops
working once the password has changed: each link can be used once.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from paperwire.accounts.users import AccountError
from paperwire.store.schema import User

VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 3600

UserLookup = Callable[[int], User | None]


def _serializer(key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=f"paperwire-{purpose}")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def verification_token(key: str, user: User) -> str:
    return _serializer(key, "verify").dumps({"u": user.id, "e": user.email})


def reset_token(key: str, user: User) -> str:
    return _serializer(key, "reset").dumps({"u": user.id, "p": _password_fingerprint(user)})


def _load(key: str, purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(key, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("This link has expired; ask for a new one.") from None
    except BadSignature:
        raise AccountError("This link is not valid; ask for a new one.") from None
    if not isinstance(data, dict):
        raise AccountError("This link is not valid; ask for a new one.")
    return data


def user_to_verify(key: str, token: str, user_lookup: UserLookup) -> User:
    data = _load(key, "verify", token, VERIFY_MAX_AGE)
    user = user_lookup(int(data.get("u", 0)))
    if user is None or user.email != data.get("e"):
        raise AccountError("This link is not valid any more; ask for a new one.")
    return user


def reset_user(key: str, token: str, user_lookup: UserLookup) -> User:
    data = _load(key, "reset", token, RESET_MAX_AGE)
    user = user_lookup(int(data.get("u", 0)))
    if user is None or _password_fingerprint(user) != data.get("p"):
        raise AccountError("This link has been used already; ask for a new one.")
    return user
