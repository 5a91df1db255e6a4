"""Fixtures shared by the whole suite: a database on each backend, a live server on loopback.

Every test that asks for ``database_url`` (directly or through ``engine`` or
``live_server``) runs once on SQLite and once on PostgreSQL. PostgreSQL is a throwaway
cluster started for the session; each test gets a fresh database copied from a
migrated template, so tests never see each other's rows.
Set ``PAPERWIRE_TEST_BACKENDS=sqlite`` to run the SQLite half alone while developing.
"""

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from paperwire.config import Settings
from paperwire.ingest.jsonl import read_jsonl
from paperwire.ingest.pipeline import run_ingest
from paperwire.store.db import open_database
from support.mail_settings import settings_for
from support.postgres import TemporaryPostgres
from support.samples import SAMPLE_PAPERS
from support.server import LiveServer, running_server
from support.smtp import MailCatcher, mail_catcher

BACKENDS = [
    name.strip()
    for name in os.environ.get("PAPERWIRE_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name.strip()
]
TEMPLATE_DB = "paperwire_template"
_database_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def search_index_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test's search index files go to its own temporary folder."""
    folder = tmp_path / "search-index"
    monkeypatch.setenv("PAPERWIRE_SEARCH_INDEX_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    with TemporaryPostgres() as cluster:
        template_url = cluster.create_database(TEMPLATE_DB)
        open_database(template_url).dispose()
        yield cluster


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'paperwire.db'}"
    cluster: TemporaryPostgres = request.getfixturevalue("postgres")
    name = f"test_{next(_database_numbers)}"
    admin_url = make_url(cluster.url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    return make_url(cluster.url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def live_server(engine: Engine, database_url: str) -> Iterator[LiveServer]:
    with running_server(engine, database_url) as server:
        yield server


@pytest.fixture
def sample_engine(engine: Engine) -> Engine:
    """A database holding the 36 real papers of ``fixtures/papers/sample.jsonl``."""
    with SAMPLE_PAPERS.open("rb") as stream:
        run_ingest(engine, read_jsonl(stream, SAMPLE_PAPERS.name))
    return engine


@pytest.fixture
def sample_server(sample_engine: Engine, database_url: str) -> Iterator[LiveServer]:
    with running_server(sample_engine, database_url) as server:
        yield server


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[MailCatcher]:
    """A real SMTP server on loopback that keeps what it receives."""
    with mail_catcher(tmp_path) as catcher:
        yield catcher


@pytest.fixture
def mail_settings(database_url: str, relay: MailCatcher) -> Settings:
    """Settings that send mail through ``relay`` and sign links with a fixed key."""
    return settings_for(database_url, relay)


@pytest.fixture
def mail_server(
    sample_engine: Engine, database_url: str, mail_settings: Settings
) -> Iterator[LiveServer]:
    """The site on loopback with the sample papers; links in mail point at it."""
    with running_server(sample_engine, database_url, settings=mail_settings) as server:
        mail_settings.base_url = server.url
        yield server
