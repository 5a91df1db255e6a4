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
