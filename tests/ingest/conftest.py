"""Shared fixtures for the ingest tests: a loopback server and a fetcher that does not wait."""

from collections.abc import Iterator

import pytest

from paperwire.ingest.http import HttpFetcher
from support.fixture_server import FixtureServer


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    """No pause between calls and tiny backoff, so retry tests take milliseconds."""
    with HttpFetcher(min_interval=0, backoff_base=0.01, max_attempts=3, timeout=2.0) as client:
        yield client
