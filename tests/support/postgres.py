"""Throwaway PostgreSQL servers (with pgvector) for tests.

``TemporaryPostgres`` runs a private PostgreSQL cluster in a temporary directory, on a
free loopback port, for as long as its ``with`` block lasts. The cluster trusts every
local connection, skips fsync, and is deleted afterwards. It needs Debian's PostgreSQL
server (``/usr/lib/postgresql/N/bin``) and pgvector for that version, both installed by
``scripts/install-system-deps``. Run as root, the server runs as the ``postgres`` user.

Example (e.g. in a session-scoped pytest fixture)::

    import pytest
    import sqlalchemy

    from support.postgres import TemporaryPostgres, postgres_available

    if not postgres_available():
        pytest.skip("PostgreSQL with pgvector is not installed")
    with TemporaryPostgres() as pg:
        engine = sqlalchemy.create_engine(pg.url)  # postgresql+psycopg://...
        other_url = pg.create_database("other")  # a second, empty database
        ...
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql

POSTGRES_LIB = Path("/usr/lib/postgresql")
POSTGRES_SHARE = Path("/usr/share/postgresql")
SERVICE_USER = "postgres"
SUPERUSER = "postgres"
START_ATTEMPTS = 3

_DB_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort key for a ``/usr/lib/postgresql/<version>/bin`` directory."""
    try:
        return tuple(int(part) for part in path.parent.name.split("."))
    except ValueError:
        return (-1,)


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``pg_ctl``."""
    candidates = [
        d
        for d in POSTGRES_LIB.glob("*/bin")
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file()
    ]
    return max(candidates, key=_version_key, default=None)


def _has_pgvector(bin_dir: Path) -> bool:
    version = bin_dir.parent.name
    control = POSTGRES_SHARE / version / "extension" / "vector.control"
    library = POSTGRES_LIB / version / "lib" / "vector.so"
    return control.is_file() and library.is_file()


def _is_root() -> bool:
    return os.geteuid() == 0


def postgres_available() -> bool:
    """Whether ``TemporaryPostgres`` can run here: server, pgvector and (as root) user."""
    bin_dir = find_bin_dir()
    if bin_dir is None or not _has_pgvector(bin_dir):
        return False
    if _is_root():
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return False
        return shutil.which("runuser") is not None
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TemporaryPostgres:
    """A private PostgreSQL server with one pgvector-enabled database; a context manager.

    ``url`` is the SQLAlchemy URL of that database; ``create_database`` makes more.
    """

    def __init__(self, dbname: str = "paperwire", base_dir: str | Path | None = None) -> None:
        """Prepare (not start) a server whose first database is ``dbname``.

        ``base_dir`` is where the temporary directory goes (default: the system's temp
        directory); as root it must be reachable by the ``postgres`` user.
        """
        self._dbname = _check_name(dbname)
        self._base_dir = base_dir
        self._bin_dir: Path | None = None
        self._dir: Path | None = None
        self._port: int | None = None
        self._running = False
        self._url: str | None = None

    # -- public API ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the first database: ``postgresql+psycopg://postgres@...``."""
        if self._url is None:
            raise RuntimeError("TemporaryPostgres is not running")
        return self._url

    @property
    def port(self) -> int:
        """The loopback TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("TemporaryPostgres is not running")
        return self._port

    def create_database(self, name: str) -> str:
        """Create database ``name`` with the vector extension and return its URL."""
        _check_name(name)
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with psycopg.connect(self._conninfo(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    # -- context manager ----------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self._start()
            self._url = self.create_database(self._dbname)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    # -- internals ----------------------------------------------------------------------

    def _conninfo(self, dbname: str) -> str:
        return psycopg.conninfo.make_conninfo(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname
        )

    def _run(self, *args: str | Path) -> None:
        """Run a PostgreSQL tool, as the ``postgres`` user when we are root."""
        command = [str(arg) for arg in args]
        if _is_root():
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        result = subprocess.run(
            command, cwd="/", stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{self._server_log()}"
            )

    def _server_log(self) -> str:
        log = self._dir / "server.log" if self._dir else None
        if log is None or not log.is_file():
            return ""
        return "server.log:\n" + log.read_text(errors="replace")[-4000:]

    def _start(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(f"no PostgreSQL server found under {POSTGRES_LIB}")
        self._bin_dir = bin_dir
        self._dir = Path(tempfile.mkdtemp(prefix="paperwire-pg-", dir=self._base_dir))
        if _is_root():
            account = pwd.getpwnam(SERVICE_USER)
            os.chown(self._dir, account.pw_uid, account.pw_gid)
        data = self._dir / "data"
        self._run(
            bin_dir / "initdb",
            "-D", data,
            "-U", SUPERUSER,
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        for attempt in range(1, START_ATTEMPTS + 1):
            self._port = _free_port()
            options = (
                f"-p {self._port} -k {self._dir} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    bin_dir / "pg_ctl",
                    "-D", data,
                    "-l", self._dir / "server.log",
                    "-w",
                    "-t", "60",
                    "-o", options,
                    "start",
                )  # fmt: skip
            except RuntimeError:
                # Most likely someone took the port between choosing and binding it.
                if attempt == START_ATTEMPTS:
                    raise
            else:
                self._running = True
                return

    def _stop(self) -> None:
        if self._running and self._bin_dir is not None and self._dir is not None:
            # If it fails the server is gone already; the directory goes anyway.
            with contextlib.suppress(RuntimeError):
                self._run(
                    self._bin_dir / "pg_ctl", "-D", self._dir / "data", "-m", "immediate", "stop"
                )
            self._running = False
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._port = None
        self._url = None


def _check_name(name: str) -> str:
    if not _DB_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name
