"""Who is asking: the signed-in viewer of each request, from a session cookie or an API token.

``ViewerMiddleware`` looks the session (or the ``Authorization: Bearer`` token) up on
every request that carries one, so a session ended elsewhere, or a disabled user, stops
working on the next request. Requests without either cost nothing: anonymous readers are
served from the response cache.
"""

from urllib.parse import quote

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from paperwire.accounts import limits
from paperwire.accounts.sessions import (
    SESSION_COOKIE,
    Viewer,
    api_token_user,
    cookie_signer,
    read_session_cookie,
    session_user,
    viewer_of,
)


class SignInRequired(Exception):
    """Raised by handlers that need a viewer; pages redirect to sign-in, the API answers 401."""

    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__(message)


class NotAllowed(Exception):
    """A signed-in viewer who may not do this (403), with a message that says why."""


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def session_token(request: Request) -> str | None:
    signer = cookie_signer(request.app.state.signing_key)
    return read_session_cookie(signer, request.cookies.get(SESSION_COOKIE))


class ViewerMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _may_be_signed_in(scope):
            request = Request(scope)
            state = scope.setdefault("state", {})
            engine: Engine = request.app.state.engine
            bearer = bearer_token(request)
            if bearer is not None:
                state["via_token"] = True
                state["viewer"] = await run_in_threadpool(_token_viewer, engine, bearer)
            else:
                token = session_token(request)
                if token is not None:
                    state["viewer"] = await run_in_threadpool(_session_viewer, engine, token)
        await self.app(scope, receive, send)


def _may_be_signed_in(scope: Scope) -> bool:
    """Only requests with a cookie or an Authorization header can have a viewer."""
    if scope["path"].startswith("/static/"):
        return False
    return any(name in (b"cookie", b"authorization") for name, _ in scope["headers"])


def _session_viewer(engine: Engine, token: str) -> Viewer | None:
    with Session(engine) as session:
        user = session_user(session, token)
        return viewer_of(user) if user is not None else None


def _token_viewer(engine: Engine, raw: str) -> Viewer | None:
    with Session(engine) as session:
        user = api_token_user(session, raw)
        return viewer_of(user, via_token=True) if user is not None else None


def current_viewer(request: Request) -> Viewer | None:
    viewer: Viewer | None = request.scope.get("state", {}).get("viewer")
    return viewer


def require_viewer(request: Request) -> Viewer:
    viewer = current_viewer(request)
    if viewer is None:
        if request.scope.get("state", {}).get("via_token"):
            raise SignInRequired("That API token is not valid (revoked, or its user is disabled).")
        raise SignInRequired()
    return viewer


def require_verified(request: Request) -> Viewer:
    viewer = require_viewer(request)
    if not viewer.verified:
        raise NotAllowed(
            "Confirm your email address first: open the link we mailed you "
            "(your account page can send it again)."
        )
    return viewer


def require_admin(request: Request) -> Viewer:
    viewer = require_viewer(request)
    if not viewer.is_admin:
        raise NotAllowed("Only administrators can do that.")
    return viewer


def signin_href(next_path: str) -> str:
    return f"/signin?next={quote(next_path, safe='/')}"


def safe_next(next_path: str | None) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere after signing in."""
    if not next_path or not next_path.startswith("/") or next_path.startswith(("//", "/\\")):
        return "/"
    return next_path


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def rate_limit(
    request: Request, session: Session, action: str, account: str | int | None
) -> limits.RateLimited | None:
    """Count this attempt (committed at once, whatever follows); the refusal if over the limit."""
    try:
        limits.hit(
            session.connection(),
            request.app.state.settings,
            action,
            ip=client_ip(request),
            account=account,
        )
    except limits.RateLimited as error:
        session.rollback()
        return error
    session.commit()
    return None
