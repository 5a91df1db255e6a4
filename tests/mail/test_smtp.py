"""SMTP delivery against a real aiosmtpd server: plain, STARTTLS, TLS, login, refusals."""

from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from paperwire.config import Settings
from paperwire.mail.smtp import MailDeliveryError, SmtpConnection, send_message
from support.smtp import Security, mail_catcher


def message(to: str, subject: str = "Hello") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Paperwire <papers@example.org>"
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content("Plain text body")
    mail.add_alternative("<p>HTML body</p>", subtype="html")
    return mail


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
def test_delivers_with_each_kind_of_security(tmp_path: Path, security: Security) -> None:
    with mail_catcher(tmp_path, security=security, login=("relay-user", "s3cret")) as relay:
        settings = Settings(
            smtp_host=relay.host,
            smtp_port=relay.port,
            smtp_security=security,
            smtp_user="relay-user",
            smtp_password=SecretStr("s3cret"),
            smtp_ca_file=relay.ca_file,
        )
        send_message(settings, message("reader@example.org", "Security check"))
        [received] = relay.wait_for(1)
    assert received.recipients == ["reader@example.org"]
    assert received.message["Subject"] == "Security check"
    assert received.message.is_multipart()


def test_wrong_password_is_permanent(tmp_path: Path) -> None:
    with mail_catcher(tmp_path, login=("relay-user", "s3cret")) as relay:
        settings = Settings(
            smtp_host=relay.host,
            smtp_port=relay.port,
            smtp_user="relay-user",
            smtp_password=SecretStr("wrong"),
        )
        with pytest.raises(MailDeliveryError) as failure:
            send_message(settings, message("reader@example.org"))
    assert failure.value.permanent


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    with mail_catcher(tmp_path, security="tls") as relay:
        settings = Settings(smtp_host=relay.host, smtp_port=relay.port, smtp_security="tls")
        with pytest.raises(MailDeliveryError, match="cannot reach") as failure:
            send_message(settings, message("reader@example.org"))
    assert not failure.value.permanent


def test_refusals_are_sorted_into_permanent_and_transient(tmp_path: Path) -> None:
    with mail_catcher(tmp_path) as relay:
        relay.refuse["gone@example.org"] = (550, "No such user")
        relay.refuse["busy@example.org"] = (451, "Try again later")
        settings = Settings(smtp_host=relay.host, smtp_port=relay.port)
        with SmtpConnection(settings) as connection:
            with pytest.raises(MailDeliveryError) as gone:
                connection.send(message("gone@example.org"))
            with pytest.raises(MailDeliveryError) as busy:
                connection.send(message("busy@example.org"))
            connection.send(message("fine@example.org"))
        assert [mail.recipients for mail in relay.wait_for(1)] == [["fine@example.org"]]
    assert gone.value.permanent
    assert not busy.value.permanent


def test_no_relay_listening_is_transient() -> None:
    from support.server import free_port

    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout=2)
    with pytest.raises(MailDeliveryError) as failure:
        send_message(settings, message("reader@example.org"))
    assert not failure.value.permanent
