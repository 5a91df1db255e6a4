"""A polite HTTP client for arXiv's APIs: paced, retried, and clearly identified.

arXiv asks API users to wait about three seconds between calls and to back off when it
answers 503 with ``Retry-After``. Every source goes through ``HttpFetcher`` so that policy
lives in one place. Answers in the 4xx range (other than 429) are returned rather than
raised, because both the Atom API and OAI-PMH explain such errors in the body.
"""

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx

from paperwire import __version__
from paperwire.ingest.errors import SourceError

# Replace with the public home of your deployment so arXiv can reach its operator.
PROJECT_URL = "https://example.org/paperwire"
USER_AGENT = f"paperwire/{__version__} (+{PROJECT_URL})"

_TOO_MANY_REQUESTS = 429


class HttpFetcher:
    """GET with a minimum pause between calls and exponential backoff on transient failures.

    ``max_attempts`` counts the first try. A ``Retry-After`` up to ``max_retry_after``
    seconds is honoured; a longer one gives up at once, because sleeping for an hour
    inside a harvest is worse than failing and resuming from the last checkpoint.
    """

    def __init__(
        self,
        *,
        min_interval: float = 3.0,
        max_attempts: int = 4,
        backoff_base: float = 2.0,
        max_retry_after: float = 120.0,
        timeout: float = 60.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
        )
        self._last_call_ended: float | None = None

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """Fetch ``url``; return any answer below 500 except 429, retrying the rest."""
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            delay = self.backoff_base * 2 ** (attempt - 1)
            self._wait_for_turn()
            try:
                response = self._client.get(url, params=params)
            except httpx.UnsupportedProtocol as error:
                raise SourceError(f"cannot fetch {url}: {error}") from error
            except httpx.TimeoutException:
                problem = f"timed out after {self.timeout:g} s"
            except httpx.TransportError as error:
                problem = f"connection failed ({error.__class__.__name__}: {error})"
            else:
                status = response.status_code
                if status < 500 and status != _TOO_MANY_REQUESTS:
                    return response
                problem = f"HTTP {status}"
                requested = retry_after_seconds(response.headers.get("Retry-After"))
                if requested is not None:
                    if requested > self.max_retry_after:
                        raise SourceError(
                            f"{url} answered HTTP {status} and asked to retry after "
                            f"{requested:g} s; giving up for now"
                        )
                    delay = requested
            finally:
                self._last_call_ended = time.monotonic()
            if attempt < self.max_attempts:
                time.sleep(delay)
        raise SourceError(f"{url} failed after {self.max_attempts} attempts: {problem}")

    def _wait_for_turn(self) -> None:
        if self._last_call_ended is None:
            return
        remaining = self._last_call_ended + self.min_interval - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpFetcher":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def retry_after_seconds(value: str | None) -> float | None:
    """Read ``Retry-After`` as seconds (it may be a number or an HTTP date); None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@contextmanager
def using_fetcher(fetcher: HttpFetcher | None) -> Iterator[HttpFetcher]:
    """Lend the caller's fetcher, or make one with arXiv's defaults and close it afterwards."""
    if fetcher is not None:
        yield fetcher
        return
    with HttpFetcher() as own:
        yield own
