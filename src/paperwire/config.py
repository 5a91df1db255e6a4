"""Settings from the environment (``PAPERWIRE_*``), so one build runs anywhere.

The embedded default is a SQLite file in the user's data directory; a deployment
points ``PAPERWIRE_DATABASE_URL`` at PostgreSQL instead.
"""

from pathlib import Path

from platformdirs import user_data_path
from pydantic_settings import BaseSettings, SettingsConfigDict


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
