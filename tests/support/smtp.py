"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests.

It can speak plain SMTP, STARTTLS or implicit TLS with a throwaway self-signed
certificate, require a login, and refuse chosen recipients with a 4xx or 5xx reply.
"""

import asyncio
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support.server import free_port

Security = Literal["none", "starttls", "tls"]


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailCatcher:
    host: str
    port: int
    security: Security
    ca_file: Path | None
    received: list[ReceivedMail] = field(default_factory=list)
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    delay: float = 0.0  # seconds to think before accepting each message, as a busy relay does
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)

    def record(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self.received.append(mail)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [mail.message for mail in self.received if address in mail.recipients]


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        refusal = self.catcher.refuse.get(address)
        if refusal is not None:
            code, text = refusal
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        if self.catcher.delay:
            await asyncio.sleep(self.catcher.delay)
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.catcher.record(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paperwire test relay")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "relay.crt", folder / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def mail_catcher(
    folder: Path,
    *,
    security: Security = "none",
    login: tuple[str, str] | None = None,
) -> Iterator[MailCatcher]:
    """Run an SMTP server on a free loopback port for the duration of the block."""
    port = free_port()
    ca_file: Path | None = None
    server_context: ssl.SSLContext | None = None
    if security != "none":
        ca_file, key_file = self_signed_certificate(folder)
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(str(ca_file), str(key_file))
    catcher = MailCatcher("127.0.0.1", port, security, ca_file)

    def authenticate(
        server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            login is not None
            and isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == login
        )
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd sends the 535

    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if security == "tls":
        options["ssl_context"] = server_context
    if security == "starttls":
        options.update(tls_context=server_context, require_starttls=True)
    if login is not None:
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=False)
    controller = Controller(_Handler(catcher), **options)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()
