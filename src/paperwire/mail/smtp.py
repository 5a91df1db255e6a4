"""SMTP delivery with the relay settings from ``Settings``: plain, STARTTLS or TLS, with auth.

Failures are sorted into the two kinds a sender must treat differently: transient ones
(connection trouble, 4xx replies) are worth retrying later; permanent ones (5xx replies,
such as an unknown mailbox) are not.
"""

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType
from typing import Self

from paperwire.config import Settings


class MailDeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def tls_context(settings: Settings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.smtp_ca_file is not None:
        context.load_verify_locations(cafile=str(settings.smtp_ca_file))
    return context


class SmtpConnection:
    """One connection to the relay, reused for many messages (a digest run sends thousands)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        settings = self._settings
        try:
            client: smtplib.SMTP
            if settings.smtp_security == "tls":
                client = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=settings.smtp_timeout,
                    context=tls_context(settings),
                )
            else:
                client = smtplib.SMTP(
                    settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
                )
                if settings.smtp_security == "starttls":
                    client.starttls(context=tls_context(settings))
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                client.login(settings.smtp_user, password)
        except smtplib.SMTPAuthenticationError as error:
            raise MailDeliveryError(
                f"SMTP login refused: {_reply(error)}", permanent=True
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            raise MailDeliveryError(
                f"cannot reach the SMTP relay {settings.smtp_host}:{settings.smtp_port}: {error}",
                permanent=False,
            ) from error
        self._client = client

    def close(self) -> None:
        if self._client is None:
            return
        try:
            self._client.quit()
        except (OSError, smtplib.SMTPException):
            self._client.close()
        self._client = None

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; raise MailDeliveryError saying whether a retry could help."""
        if self._client is None:
            self.open()
        assert self._client is not None
        try:
            refused = self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise MailDeliveryError(
                f"recipients refused: {error.recipients}", permanent=all(c >= 500 for c in codes)
            ) from error
        except smtplib.SMTPResponseException as error:
            raise MailDeliveryError(
                f"the relay refused the message: {_reply(error)}", permanent=error.smtp_code >= 500
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            self._client = None  # the connection is gone; the next send reconnects
            raise MailDeliveryError(
                f"connection lost while sending: {error}", permanent=False
            ) from error
        if refused:
            codes = [code for code, _ in refused.values()]
            raise MailDeliveryError(
                f"some recipients refused: {refused}", permanent=all(c >= 500 for c in codes)
            )


def send_message(settings: Settings, message: EmailMessage) -> None:
    """Send a single message on a connection of its own."""
    with SmtpConnection(settings) as connection:
        connection.send(message)


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = (
        error.smtp_error.decode(errors="replace")
        if isinstance(error.smtp_error, bytes)
        else str(error.smtp_error)
    )
    return f"{error.smtp_code} {text}"
