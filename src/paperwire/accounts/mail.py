"""The account emails: verify an address, reset a password, "you already have an account"."""

from email.message import EmailMessage
from email.utils import make_msgid

from paperwire.config import Settings


def _message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = f"{settings.site_name}: {subject}"
    message["Message-ID"] = make_msgid(domain="paperwire.local")
    message.set_content(text)
    return message


def verification_message(settings: Settings, to: str, username: str, link: str) -> EmailMessage:
    text = (
        f"Hello {username},\n\n"
        f"please confirm your email address for {settings.site_name} by opening this link:\n\n"
        f"{link}\n\n"
        "The link works for three days. If you did not sign up, ignore this mail.\n"
    )
    return _message(settings, to, "confirm your email address", text)


def reset_message(settings: Settings, to: str, username: str, link: str) -> EmailMessage:
    text = (
        f"Hello {username},\n\n"
        f"someone (hopefully you) asked to reset your {settings.site_name} password.\n"
        f"Choose a new one here within the hour:\n\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    return _message(settings, to, "reset your password", text)


def existing_account_message(settings: Settings, to: str, signin_link: str) -> EmailMessage:
    text = (
        f"Someone tried to sign up for {settings.site_name} with this address, but you have "
        f"an account already. Sign in here:\n\n{signin_link}\n\n"
        "Forgot your password? The sign-in page has a link to reset it.\n"
    )
    return _message(settings, to, "you already have an account", text)
