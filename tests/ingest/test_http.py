import socket
import time

import pytest

from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import USER_AGENT, HttpFetcher, retry_after_seconds
from support.fixture_server import FixtureServer, Reply

PARAMS = {"verb": "Identify"}
OK = Reply(b"<ok/>")


def quick_fetcher(**options: float) -> HttpFetcher:
    settings = {"min_interval": 0.0, "backoff_base": 0.01, "max_attempts": 3, "timeout": 2.0}
    settings.update(options)
    return HttpFetcher(
        min_interval=settings["min_interval"],
        backoff_base=settings["backoff_base"],
        max_attempts=int(settings["max_attempts"]),
        timeout=settings["timeout"],
    )


def test_sends_the_paperwire_user_agent(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(PARAMS, OK)
    response = fetcher.get(server.url, PARAMS)
    assert response.content == b"<ok/>"
    assert USER_AGENT.startswith("paperwire/0.1.0 (+")
    assert server.requests[0].headers["User-Agent"] == USER_AGENT
    assert server.requests[0].params == PARAMS


def test_retries_503_then_succeeds(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(PARAMS, OK)
    server.fail_next(2)
    assert fetcher.get(server.url, PARAMS).content == b"<ok/>"
    assert len(server.requests) == 3


def test_gives_up_after_the_last_attempt(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(PARAMS, OK)
    server.fail_next(5, status=502)
    with pytest.raises(SourceError, match="failed after 3 attempts: HTTP 502"):
        fetcher.get(server.url, PARAMS)
    assert len(server.requests) == 3


def test_honours_a_small_retry_after_on_429(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(PARAMS, OK)
    server.fail_next(1, status=429, headers={"Retry-After": "0"})
    assert fetcher.get(server.url, PARAMS).status_code == 200
    assert len(server.requests) == 2


def test_a_long_retry_after_stops_at_once(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add(PARAMS, OK)
    server.fail_next(1, headers={"Retry-After": "3600"})
    with pytest.raises(SourceError, match="asked to retry after 3600 s"):
        fetcher.get(server.url, PARAMS)
    assert len(server.requests) == 1


def test_client_errors_are_returned_for_the_caller_to_read(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    server.add(PARAMS, Reply(b"<error/>", status=400))
    response = fetcher.get(server.url, PARAMS)
    assert (response.status_code, response.content) == (400, b"<error/>")
    assert len(server.requests) == 1


def test_a_timeout_is_retried(server: FixtureServer) -> None:
    server.add(PARAMS, OK)
    server.hang_next(1, seconds=1.0)
    with quick_fetcher(timeout=0.2) as fetcher:
        assert fetcher.get(server.url, PARAMS).content == b"<ok/>"
    assert len(server.requests) == 2


def test_timeouts_on_every_attempt_raise(server: FixtureServer) -> None:
    server.add(PARAMS, OK)
    server.hang_next(2, seconds=1.0)
    started = time.monotonic()
    with (
        quick_fetcher(timeout=0.2, max_attempts=2) as fetcher,
        pytest.raises(SourceError, match=r"failed after 2 attempts: timed out after 0\.2 s"),
    ):
        fetcher.get(server.url, PARAMS)
    assert time.monotonic() - started < 1.0
    assert len(server.requests) == 2


def test_connection_refused_is_retried_then_raises() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        quick_fetcher() as fetcher,
        pytest.raises(SourceError, match="failed after 3 attempts: connection failed"),
    ):
        fetcher.get(f"http://127.0.0.1:{port}/api", PARAMS)


def test_keeps_the_minimum_interval_between_calls(server: FixtureServer) -> None:
    server.add(PARAMS, OK)
    with quick_fetcher(min_interval=0.2) as fetcher:
        fetcher.get(server.url, PARAMS)
        fetcher.get(server.url, PARAMS)
    first, second = server.requests
    assert second.received_at - first.received_at >= 0.2


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
