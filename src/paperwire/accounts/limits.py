"""Rate limits: sliding windows counted in the database, so every worker shares them.

No maintained limiter library keeps its counters in SQLite or PostgreSQL (``limits``
offers memory, Redis, Memcached, MongoDB and etcd), and Paperwire runs without extra
services, so each counted attempt is a row in ``rate_limit_hits`` keyed by action and
by who (an IP address or an account). Rows older than the window are deleted as the
key is used, so the table stays small.

Sign-in is limited differently, by failures: after ``signin_slow_after`` failures in
15 minutes (per account name or per IP) each attempt is delayed, doubling each time;
after ``signin_block_after`` every attempt is refused until the window passes.
"""

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Table, delete, func, insert, select

from paperwire.config import Settings
from paperwire.store.schema import RateLimitHit

HITS: Table = RateLimitHit.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        count, _, seconds = text.partition("/")
        return cls(int(count), int(seconds))


# Per account; an IP address gets ``IP_FACTOR`` times as many (several people share one).
DEFAULT_LIMITS = {
    "signup": Limit(5, 3600),
    "reset": Limit(5, 3600),
    "verify-mail": Limit(5, 3600),
    "comment": Limit(30, 3600),
    "vote": Limit(300, 3600),
    "submit": Limit(20, 86400),
    "collection": Limit(200, 3600),
    "subscribe-mail": Limit(5, 3600),  # subscription forms that mail an address
}
IP_FACTOR = 3
SIGNIN_WINDOW = timedelta(minutes=15)
MAX_SIGNIN_DELAY = 8.0
PURGE_ONE_IN = 200
PURGE_AFTER = timedelta(days=2)  # longer than any window


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        minutes = math.ceil(self.retry_after / 60)
        wait = f"{self.retry_after} seconds" if self.retry_after < 120 else f"{minutes} minutes"
        super().__init__(f"Too many attempts; try again in {wait}.")


def limit_for(settings: Settings, action: str) -> Limit:
    configured = settings.rate_limits.get(action)
    return Limit.parse(configured) if configured else DEFAULT_LIMITS[action]


def hit(
    connection: Connection,
    settings: Settings,
    action: str,
    *,
    ip: str | None,
    account: str | int | None,
    now: datetime | None = None,
) -> None:
    """Count one attempt, or raise RateLimited if the account or the IP used up its window."""
    limit = limit_for(settings, action)
    keys: list[tuple[str, int]] = []
    if account is not None:
        keys.append((f"{action}:account:{account}", limit.count))
    if ip:
        keys.append((f"{action}:ip:{ip}", limit.count * IP_FACTOR))
    _count_or_refuse(connection, keys, timedelta(seconds=limit.seconds), now)


def _count_or_refuse(
    connection: Connection,
    keys: Sequence[tuple[str, int]],
    window: timedelta,
    now: datetime | None,
) -> None:
    now = now or datetime.now(UTC)
    since = now - window
    for key, allowed in keys:
        connection.execute(delete(HITS).where(HITS.c.key == key, HITS.c.at <= since))
        count, oldest = connection.execute(
            select(func.count(), func.min(HITS.c.at)).where(HITS.c.key == key)
        ).one()
        if count >= allowed:
            oldest_at = _aware(oldest) if oldest is not None else now
            raise RateLimited((oldest_at + window - now).total_seconds())
    if keys:
        connection.execute(insert(HITS), [{"key": key, "at": now} for key, _ in keys])
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        # Keys that are never used again would keep their last rows; sweep them now and then.
        connection.execute(delete(HITS).where(HITS.c.at <= now - PURGE_AFTER))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _signin_keys(login: str, ip: str | None) -> list[str]:
    keys = [f"signin-fail:account:{login.strip().lower()}"]
    if ip:
        keys.append(f"signin-fail:ip:{ip}")
    return keys


def signin_failures(
    connection: Connection, login: str, ip: str | None, now: datetime | None = None
) -> tuple[int, float]:
    """The larger failure count of the account name and the IP, and seconds until it drops."""
    now = now or datetime.now(UTC)
    since = now - SIGNIN_WINDOW
    worst, retry_after = 0, 0.0
    for key in _signin_keys(login, ip):
        count, oldest = connection.execute(
            select(func.count(), func.min(HITS.c.at)).where(HITS.c.key == key, HITS.c.at > since)
        ).one()
        if count > worst:
            worst = count
            retry_after = (_aware(oldest) + SIGNIN_WINDOW - now).total_seconds()
    return worst, retry_after


def signin_delay(settings: Settings, failures: int) -> float:
    """Seconds to wait before checking a password, given the failures so far."""
    if failures < settings.signin_slow_after:
        return 0.0
    steps = failures - settings.signin_slow_after
    return float(min(settings.signin_delay_seconds * 2**steps, MAX_SIGNIN_DELAY))


def record_signin_failure(
    connection: Connection, login: str, ip: str | None, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    for key in _signin_keys(login, ip):
        connection.execute(delete(HITS).where(HITS.c.key == key, HITS.c.at <= now - SIGNIN_WINDOW))
    connection.execute(insert(HITS), [{"key": key, "at": now} for key in _signin_keys(login, ip)])


def forget_signin_failures(connection: Connection, login: str) -> None:
    """A right password clears the account's count (not the IP's: one right guess proves little)."""
    connection.execute(delete(HITS).where(HITS.c.key == _signin_keys(login, None)[0]))
