"""Signed tokens for the links in mail, so nobody can change someone else's subscription.

A confirmation link expires (``confirm_link_hours``); unsubscribe and manage links do
not, because they must keep working from any old message. Each kind has its own salt,
so a token made for one purpose never passes for another.
"""

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.store.schema import MailSecret

SIGNING_KEY_NAME = "link-signing-key"


class InvalidToken(ValueError):
    """A link that was altered, made for something else, or has expired."""


@dataclass(frozen=True)
class LinkSigner:
    key: str
    confirm_max_age: int  # seconds

    def confirm_token(self, subscription_id: int, email: str) -> str:
        return self._timed("confirm").dumps([subscription_id, email])

    def read_confirm_token(self, token: str) -> tuple[int, str]:
        try:
            subscription_id, email = self._timed("confirm").loads(
                token, max_age=self.confirm_max_age
            )
        except SignatureExpired:
            raise InvalidToken(
                "This confirmation link has expired. Subscribe again to get a new one."
            ) from None
        except (BadSignature, ValueError, TypeError):
            raise InvalidToken(_NOT_VALID) from None
        return int(subscription_id), str(email)

    def unsubscribe_token(self, subscription_id: int, email: str) -> str:
        return self._plain("unsubscribe").dumps([subscription_id, email])

    def read_unsubscribe_token(self, token: str) -> tuple[int, str]:
        try:
            subscription_id, email = self._plain("unsubscribe").loads(token)
        except (BadSignature, ValueError, TypeError):
            raise InvalidToken(_NOT_VALID) from None
        return int(subscription_id), str(email)

    def manage_token(self, email: str) -> str:
        return self._plain("manage").dumps(email)

    def read_manage_token(self, token: str) -> str:
        try:
            email = self._plain("manage").loads(token)
        except BadSignature:
            raise InvalidToken(_NOT_VALID) from None
        if not isinstance(email, str):
            raise InvalidToken(_NOT_VALID)
        return email

    def _timed(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt=f"paperwire-{salt}")

    def _plain(self, salt: str) -> URLSafeSerializer:
        return URLSafeSerializer(self.key, salt=f"paperwire-{salt}")


_NOT_VALID = (
    "This link is not valid: it may have been cut short or altered. "
    "Use the link from your most recent email."
)


def link_signer(engine: Engine, settings: Settings) -> LinkSigner:
    """The signer for this installation: the configured key, else one kept in the database."""
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
    else:
        key = _stored_key(engine)
    return LinkSigner(key, confirm_max_age=round(settings.confirm_link_hours * 3600))


def _stored_key(engine: Engine) -> str:
    with Session(engine) as session:
        stored = session.scalar(select(MailSecret.value).where(MailSecret.name == SIGNING_KEY_NAME))
        if stored is not None:
            return stored
        # Two processes may race to create it: insert-or-ignore, then read the winner.
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(MailSecret).values(
            name=SIGNING_KEY_NAME, value=secrets.token_urlsafe(32)
        )
        session.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
        session.commit()
        key = session.scalar(select(MailSecret.value).where(MailSecret.name == SIGNING_KEY_NAME))
    assert key is not None
    return key
