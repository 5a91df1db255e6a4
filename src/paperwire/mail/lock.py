"""One sender at a time, released by the operating system when a sender dies.

Cron may start ``paperwire digest send`` while the scheduler is sending. Whoever holds
the lock is the only sender, so rows another run left claimed (``sending``) belong to
a dead run and can be taken over at once. PostgreSQL gives a session-level advisory
lock, which ends with the connection; a SQLite database lives on one machine, so an
advisory file lock beside the database file does the same.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

ADVISORY_LOCK_KEY = 0x70617065  # "pape": any constant shared by every Paperwire process


@contextmanager
def sender_lock(engine: Engine) -> Iterator[bool]:
    """Yield whether this process got the lock; it is held until the block ends."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine) as acquired:
            yield acquired
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # a private in-memory database has no other senders
        return
    with _file_lock(
        Path(database).expanduser().with_name(Path(database).name + ".mail-lock")
    ) as got:
        yield got


@contextmanager
def _postgres_lock(engine: Engine) -> Iterator[bool]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        acquired = bool(
            connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        )
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
