"""Signed tokens for the links in mail, so nobody can change someone else's subscription.

A confirmation link expires (``confirm_link_hours``); unsubscribe and manage links do
not, because they must keep working from any old message. Each kind has its own salt,
so a token made for one purpose never passes for another.
"""

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Engine

from paperwire.accounts.keys import signing_key
from paperwire.config import Settings


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
    """The signer for this installation, with the key that also signs session cookies."""
    return LinkSigner(
        signing_key(engine, settings), confirm_max_age=round(settings.confirm_link_hours * 3600)
    )
