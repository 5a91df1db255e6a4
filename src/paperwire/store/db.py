"""Engines for the embedded SQLite default and for PostgreSQL, with migrations applied.

SQLite goes through ``pysqlite3`` when it is installed: it bundles a recent SQLite
with FTS5 and extension loading, which this Python's own ``sqlite3`` lacks.
"""

from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)


def sqlite_module() -> ModuleType | None:
    try:
        from pysqlite3 import dbapi2
    except ImportError:
        return None
    return dbapi2  # type: ignore[no-any-return]


def make_engine(database_url: str) -> Engine:
    """Create an engine tuned for the backend, creating the SQLite file's folder if needed."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    # A pool as large as the web server's thread pool, so busy workers reuse connections
    # instead of opening new ones (each open re-runs the PRAGMAs below).
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": 30},
        "pool_size": 40,
        "max_overflow": 10,
    }
    module = sqlite_module()
    if module is not None:
        options["module"] = module
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    location = resources.files("paperwire.store") / "migrations"
    config.set_main_option("script_location", str(location))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; cheap when it already is."""
    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        command.upgrade(config, "head")


def open_database(database_url: str) -> Engine:
    engine = make_engine(database_url)
    migrate(engine)
    return engine
