"""Alembic environment: migrations run on the engine Paperwire hands over, never an ini file."""

from alembic import context
from sqlalchemy import Engine

from paperwire.store.schema import Base

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
