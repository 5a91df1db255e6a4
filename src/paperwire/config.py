"""Settings from the environment (``PAPERWIRE_*``) or a TOML file, so one build runs anywhere.

The embedded default is a SQLite file in the user's data directory; a deployment
points ``PAPERWIRE_DATABASE_URL`` at PostgreSQL instead. ``PAPERWIRE_SETTINGS_FILE``
names a TOML file with the same keys in lower case (``database_url = "..."``);
environment variables win over the file.
"""

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE_VARIABLE = "PAPERWIRE_SETTINGS_FILE"


def default_data_dir() -> Path:
    return user_data_path("paperwire", appauthor=False)


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'paperwire.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERWIRE_", extra="ignore")

    database_url: str = default_database_url()
    site_name: str = "Paperwire"
    base_url: str | None = None  # public URL for links in feeds and mail; else the request's
    page_size: int = 50
    cache_seconds: float = 1.0
    search_index_dir: Path | None = None  # default: beside a SQLite file, else in the data dir
    embed_threads: int = 2  # onnxruntime threads when ingest embeds papers

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 30.0
    smtp_ca_file: Path | None = None  # trust this CA too, e.g. a relay's self-signed certificate
    mail_from: str = "Paperwire <paperwire@localhost>"

    # Signs session cookies and the links in mail. When not given, a key generated once is
    # kept in the database, so every worker and restart agrees on it.
    secret_key: SecretStr | None = None
    confirm_link_hours: float = 72.0  # how long a double opt-in link stays valid
    digest_papers: int = 10  # papers in a daily or weekly digest
    alert_papers: int = 25  # papers shown in one alert; the rest are linked
    digest_weekdays_only: bool = True  # no daily digest for a listing day on a weekend
    digest_max_age_days: int = 3  # without --date, a listing day older than this is not sent
    mail_retry_seconds: float = 300.0  # first back-off after a transient failure; doubles
    mail_max_attempts: int = 6  # transient failures before a message is given up
    mail_bounce_limit: int = 3  # hard bounces in a row that pause a subscription
    scheduler_interval: float = 300.0  # seconds between `serve --scheduler` rounds
    scheduler_ingest: str | None = None  # `paperwire ingest` arguments run before each round
    # Accounts and community.
    session_days: int = 30
    secure_cookies: bool | None = None  # None: Secure when the request came over https
    arxiv_api_url: str = "https://export.arxiv.org/api/query"  # for submissions
    # Rate limits as "count/seconds" per action, e.g. {"vote" = "300/3600"}; see accounts/limits.py.
    rate_limits: dict[str, str] = {}
    signin_slow_after: int = 3  # failed sign-ins (per account or IP, 15 minutes) before slowing
    signin_block_after: int = 10  # ... before refusing every attempt until the window passes
    signin_delay_seconds: float = 1.0  # first slow-down; doubles with each further failure

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        settings_file = os.environ.get(SETTINGS_FILE_VARIABLE)
        if settings_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(settings_file)))
        return tuple(sources)
