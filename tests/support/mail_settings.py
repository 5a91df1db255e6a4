"""Settings and environment that point Paperwire's mail at a loopback test relay."""

from pydantic import SecretStr

from paperwire.config import Settings
from support.smtp import MailCatcher

MAIL_FROM = "Paperwire <digest@papers.example.org>"
SECRET = "test-signing-key"


def settings_for(database_url: str, relay: MailCatcher, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "cache_seconds": 0,
        "smtp_host": relay.host,
        "smtp_port": relay.port,
        "mail_from": MAIL_FROM,
        "secret_key": SecretStr(SECRET),
        "digest_papers": 5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def mail_env(database_url: str, relay: MailCatcher, base_url: str = "") -> dict[str, str]:
    """The environment a `paperwire` process needs to send through ``relay``."""
    env = {
        "PAPERWIRE_DATABASE_URL": database_url,
        "PAPERWIRE_SMTP_HOST": relay.host,
        "PAPERWIRE_SMTP_PORT": str(relay.port),
        "PAPERWIRE_MAIL_FROM": MAIL_FROM,
        "PAPERWIRE_SECRET_KEY": SECRET,
        "PAPERWIRE_DIGEST_PAPERS": "5",
    }
    if base_url:
        env["PAPERWIRE_BASE_URL"] = base_url
    return env
