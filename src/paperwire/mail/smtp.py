"""SMTP delivery with the relay settings from ``Settings``: plain, STARTTLS or TLS, with auth.

Failures are sorted into the two kinds a sender must treat differently: transient ones
(connection trouble, 4xx replies) are worth retrying later; permanent ones (5xx replies,
such as an unknown mailbox) are not.
"""

import copy
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import getaddresses
from types import TracebackType
from typing import Self

from paperwire.config import Settings
from paperwire.mail.mime import OutgoingMail

_LEADING_DOT = re.compile(rb"(?m)^\.")


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
            # The final dot goes out as a write of its own after the body: without
            # TCP_NODELAY, Nagle's algorithm holds it until the body is acknowledged,
            # which a relay's delayed ACK stretches to ~40 ms per message.
            if client.sock is not None:
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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

    def send(
        self,
        message: EmailMessage | OutgoingMail,
        *,
        before_final_dot: Callable[[], None] | None = None,
    ) -> None:
        """Deliver one message; raise MailDeliveryError saying whether a retry could help.

        ``before_final_dot`` runs after the whole message is written but before the
        ``.`` that ends it: until that dot the relay keeps nothing. A sender records the
        message as sent there, so a crash can only lose the dot's few microseconds, never
        send one message twice. If the callback fails, the connection is dropped
        mid-message and the relay discards it.
        """
        if self._client is None:
            self.open()
        assert self._client is not None
        client = self._client
        sender, recipients = _envelope(message)
        try:
            client.ehlo_or_helo_if_needed()
            code, reply = client.mail(sender)
            if code != 250:
                self._reset()
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = {}
            for recipient in recipients:
                code, reply = client.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = (code, reply)
            if len(refused) == len(recipients):
                self._reset()
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = client.docmd("data")
            if code != 354:
                self._reset()
                raise smtplib.SMTPDataError(code, reply)
            client.send(_dot_stuffed(message))
            if before_final_dot is not None:
                try:
                    before_final_dot()
                except BaseException:
                    client.close()  # mid-message: the relay drops what it got
                    self._client = None
                    raise
            client.send(b".\r\n")
            code, reply = client.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
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

    def _reset(self) -> None:
        assert self._client is not None
        try:
            self._client.rset()
        except smtplib.SMTPServerDisconnected:
            self._client = None


def send_message(settings: Settings, message: EmailMessage | OutgoingMail) -> None:
    """Send a single message on a connection of its own."""
    with SmtpConnection(settings) as connection:
        connection.send(message)


def _envelope(message: EmailMessage | OutgoingMail) -> tuple[str, list[str]]:
    if isinstance(message, OutgoingMail):
        return message.sender, list(message.recipients)
    senders = getaddresses([str(message["Sender"] or message["From"])])
    recipients = [
        address
        for field in ("To", "Cc", "Bcc")
        for _, address in getaddresses([str(value) for value in message.get_all(field, [])])
        if address
    ]
    if not senders or not senders[0][1] or not recipients:
        raise MailDeliveryError("a message needs a sender and a recipient", permanent=True)
    return senders[0][1], recipients


def _dot_stuffed(message: EmailMessage | OutgoingMail) -> bytes:
    """The message as SMTP DATA wants it: CRLF line ends, leading dots doubled, no Bcc."""
    if isinstance(message, OutgoingMail):
        data = message.data
    else:
        if message["Bcc"] is not None:
            message = copy.copy(message)
            del message["Bcc"]
        data = message.as_bytes(policy=SMTP_POLICY)
    data = _LEADING_DOT.sub(b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = (
        error.smtp_error.decode(errors="replace")
        if isinstance(error.smtp_error, bytes)
        else str(error.smtp_error)
    )
    return f"{error.smtp_code} {text}"
