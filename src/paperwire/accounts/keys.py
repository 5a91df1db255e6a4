"""The deployment's signing key: from settings, or generated once and kept in the database."""

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from paperwire.config import Settings
from paperwire.store.schema import SiteKey

SIGNING_KEY = "signing"


def signing_key(engine: Engine, settings: Settings) -> str:
    """Every worker reads the same stored key; the first to start creates it."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    with engine.begin() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(SiteKey)
            .values(name=SIGNING_KEY, value=secrets.token_urlsafe(48))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        value = connection.scalar(select(SiteKey.value).where(SiteKey.name == SIGNING_KEY))
    assert value is not None
    return value
