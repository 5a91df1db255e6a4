"""A live site with the sample papers and a real SMTP relay on loopback for its mail."""

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine

from support.server import LiveServer, running_server
from support.smtp import MailCatcher

LINK = re.compile(r"(https?://\S+)")


@pytest.fixture
def site(sample_engine: Engine, database_url: str, relay: MailCatcher) -> Iterator[LiveServer]:
    with running_server(
        sample_engine,
        database_url,
        smtp_host=relay.host,
        smtp_port=relay.port,
        smtp_timeout=5,
        signin_delay_seconds=0.25,
    ) as server:
        yield server


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = LINK.search(body.get_content())
    assert match, "the mail carries no link"
    return match.group(1)
