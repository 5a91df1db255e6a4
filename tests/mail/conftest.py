"""Mail fixtures: a loopback SMTP relay, settings that point at it, a live server for links."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from paperwire.config import Settings
from support.mail_settings import settings_for
from support.server import LiveServer, running_server
from support.smtp import MailCatcher, mail_catcher


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[MailCatcher]:
    with mail_catcher(tmp_path) as catcher:
        yield catcher


@pytest.fixture
def mail_settings(database_url: str, relay: MailCatcher) -> Settings:
    return settings_for(database_url, relay)


@pytest.fixture
def mail_server(
    sample_engine: Engine, database_url: str, mail_settings: Settings
) -> Iterator[LiveServer]:
    """The site on loopback with the sample papers; mail links point at it."""
    with running_server(sample_engine, database_url, mail_settings) as server:
        mail_settings.base_url = server.url
        yield server
