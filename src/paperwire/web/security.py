"""Security headers and CSRF protection, as ASGI middleware around the whole app.

CSRF: every state-changing request (any method but GET/HEAD/OPTIONS) must carry a token,
as the ``csrf_token`` form field or the ``X-CSRF-Token`` header. The token is an HMAC of
a per-browser secret: the session cookie when signed in, else a random ``paperwire_csrf``
cookie set the first time a form is shown. A cross-site page can make the browser send
those cookies but cannot read them, so it cannot compute the token. Requests that
authenticate with ``Authorization: Bearer`` carry no ambient credentials and need none,
and neither do the links mailed to subscribers: the signed token in their path is the
proof (and RFC 8058 one-click unsubscribes arrive from mail clients with no cookies).
"""

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperwire.accounts.sessions import SESSION_COOKIE
from paperwire.web.pages import error_page

CSRF_COOKIE = "paperwire_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SIGNED_LINK_PATHS = (
    "/subscriptions/confirm/",
    "/subscriptions/unsubscribe/",
    "/subscriptions/manage/",
)
MAX_FORM_BYTES = 1_000_000

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",  # KaTeX positions glyphs with style attributes
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# /docs runs the vendored Swagger UI, which sets style attributes and inline styles.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs",)
COMMON_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


def is_secure(request: Request) -> bool:
    configured: bool | None = request.app.state.settings.secure_cookies
    return request.url.scheme == "https" if configured is None else configured


def _raw_headers(policy: str, *, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [("content-security-policy", policy), *COMMON_HEADERS]
    if https:
        headers.append(("strict-transport-security", "max-age=31536000"))
    return [(name.encode(), value.encode()) for name, value in headers]


class SecurityHeadersMiddleware:
    """Adds the headers to every response; built once, appended as raw bytes (cheap).

    A header the response already has wins: pages holding signed tokens in their URL,
    for instance, send a stricter ``Referrer-Policy`` of their own.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = {
            (docs, https): _raw_headers(
                DOCS_POLICY if docs else CONTENT_SECURITY_POLICY, https=https
            )
            for docs in (False, True)
            for https in (False, True)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers[scope["path"].startswith(DOCS_PATHS), scope.get("scheme") == "https"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", ()))
                names = {name.lower() for name, _ in own}
                message["headers"] = [*own, *(item for item in extra if item[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _binding(request: Request) -> str | None:
    """The per-browser secret a token is tied to."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)


def _token_for(key: str, binding: str) -> str:
    return hmac.new(key.encode(), f"csrf|{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for forms on this page; sets the anonymous cookie when there is none yet."""
    state = request.scope.setdefault("state", {})
    binding = _binding(request) or state.get("new_csrf_seed")
    if binding is None:
        binding = secrets.token_urlsafe(32)
        state["new_csrf_seed"] = binding
    key: str = request.app.state.signing_key
    return _token_for(key, binding)


def csrf_valid(request: Request, provided: str | None) -> bool:
    binding = _binding(request)
    if not binding or not provided:
        return False
    return hmac.compare_digest(_token_for(request.app.state.signing_key, binding), provided)


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in SAFE_METHODS or scope["path"].startswith(SIGNED_LINK_PATHS):
            await self.app(scope, receive, self._setting_cookie(scope, send))
            return
        request = Request(scope, receive)
        if request.headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        provided = request.headers.get(CSRF_HEADER)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if provided is None and content_type == "application/x-www-form-urlencoded":
            body = await _read_body(receive)
            if body is None:
                await _refuse(request, 413, "The form is too large.", scope, receive, send)
                return
            provided = parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [None])[0]
            receive = _replay(body, receive)
        if not csrf_valid(request, provided):
            message = (
                "This form has expired or did not come from this site (missing or wrong "
                "CSRF token). Go back, reload the page and try again."
            )
            await _refuse(request, 403, message, scope, receive, send)
            return
        await self.app(scope, receive, self._setting_cookie(scope, send))

    @staticmethod
    def _setting_cookie(scope: Scope, send: Send) -> Send:
        """Set the anonymous CSRF cookie on the response if a form on it needed one."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                seed = scope.get("state", {}).get("new_csrf_seed")
                if seed is not None:
                    request = Request(scope)
                    cookie: SimpleCookie = SimpleCookie()
                    cookie[CSRF_COOKIE] = seed
                    morsel = cookie[CSRF_COOKIE]
                    morsel["path"] = "/"
                    morsel["httponly"] = True
                    morsel["samesite"] = "Lax"
                    if is_secure(request):
                        morsel["secure"] = True
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", morsel.OutputString())
            await send(message)

        return wrapped


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the body read for the check to the app, then pass on whatever comes next."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _refuse(
    request: Request, status_code: int, message: str, scope: Scope, receive: Receive, send: Send
) -> None:
    response: Response
    if request.url.path.startswith("/api/"):
        response = JSONResponse({"error": message}, status_code=status_code)
    else:
        response = error_page(request, status_code, message)
    await response(scope, receive, send)
