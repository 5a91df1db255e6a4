"""Routers that say "not mine" at once for paths outside their prefixes.

FastAPI matches a request against the included routers in order, trying each route of
each router in turn (about 1.5 µs a route here). The busiest pages (``/``, ``/papers``)
belong to the router that must come last, so without this every anonymous page view
would first be tried against every account and community route (~70 µs a request,
measured with bench/community.py). Routing is unchanged: a request inside a router's
prefixes is matched exactly as before.
"""

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class PrefixRouter(APIRouter):
    def __init__(
        self, *, prefixes: tuple[str, ...], write_prefixes: tuple[str, ...] = (), **options: Any
    ) -> None:
        """``write_prefixes`` hold only non-GET routes here (e.g. POST /papers/{id}/upvote)."""
        super().__init__(**options)
        self.path_prefixes = prefixes
        self.write_prefixes = write_prefixes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if path.startswith(self.path_prefixes) or (
            path.startswith(self.write_prefixes) and scope.get("method") not in ("GET", "HEAD")
        ):
            return super().matches(scope)
        return Match.NONE, {}
