"""Pages for accounts: sign up, sign in and out, email verification, password reset, settings."""

import asyncio
import logging
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paperwire.accounts import limits
from paperwire.accounts.links import reset_token, reset_user, user_to_verify, verification_token
from paperwire.accounts.mail import existing_account_message, reset_message, verification_message
from paperwire.accounts.passwords import hash_password, verify_password
from paperwire.accounts.sessions import (
    SESSION_COOKIE,
    api_tokens_of,
    cookie_signer,
    create_api_token,
    end_all_sessions,
    end_session,
    revoke_api_token,
    start_session,
)
from paperwire.accounts.users import (
    AccountError,
    authenticate,
    check_new_account,
    create_user,
    email_taken,
    find_user,
    mark_verified,
    normalise_email,
    set_password,
)
from paperwire.config import Settings
from paperwire.mail.smtp import MailDeliveryError, send_message
from paperwire.store.schema import User
from paperwire.web.auth import client_ip, rate_limit, require_viewer, safe_next, session_token
from paperwire.web.pages import render_template
from paperwire.web.responses import open_session, public_base_url
from paperwire.web.routing import PrefixRouter
from paperwire.web.security import is_secure

router = PrefixRouter(
    prefixes=("/signin", "/signup", "/signout", "/account"), include_in_schema=False
)
log = logging.getLogger(__name__)
FormText = Annotated[str, Form(max_length=1000)]
Password = Annotated[str, Form(max_length=1000)]

NOTICES = {
    "verified": "Your email address is confirmed. Welcome!",
    "verify-sent": "We sent you a new confirmation link.",
    "password-changed": "Your password is changed; every other session was signed out.",
    "reset-done": "Your password is changed. Sign in with the new one.",
    "signed-out-everywhere": "You were signed out on every device.",
    "profile-saved": "Saved.",
    "token-revoked": "The token is revoked.",
}


def page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    rendered = render_template(request, template, context)
    return HTMLResponse(
        rendered.body, status_code=status_code, headers={"Cache-Control": "private, no-store"}
    )


def notice(request: Request, title: str, message: str, status_code: int = 200) -> HTMLResponse:
    return page(request, "notice.html", {"title": title, "message": message}, status_code)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _key(request: Request) -> str:
    key: str = request.app.state.signing_key
    return key


def _user_lookup(session: Session) -> Any:
    return lambda user_id: session.get(User, user_id)


def _send(settings: Settings, message: Any) -> bool:
    try:
        send_message(settings, message)
    except MailDeliveryError as error:
        log.warning("could not send %r to %s: %s", message["Subject"], message["To"], error)
        return False
    return True


def _sign_in_response(request: Request, session: Session, user: User, target: str) -> Response:
    settings = _settings(request)
    token = start_session(
        session, user, days=settings.session_days, user_agent=request.headers.get("user-agent")
    )
    session.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie_signer(_key(request)).sign(token).decode(),
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )
    return response


def _signed_out(target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---- sign up and verification ------------------------------------------------------------


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> Response:
    return page(request, "signup.html", {"form": {}})


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    email: FormText = "",
    username: FormText = "",
    password: Password = "",
    display_name: FormText = "",
) -> Response:
    settings = _settings(request)
    email, username = normalise_email(email), username.strip().lower()
    form = {"email": email, "username": username, "display_name": display_name}
    problem = check_new_account(email, username, password)
    if problem:
        return page(request, "signup.html", {"form": form, "error": problem}, 400)
    base = public_base_url(request)
    with open_session(request) as session:
        refused = rate_limit(request, session, "signup", email)
        if refused:
            return page(request, "signup.html", {"form": form, "error": str(refused)}, 429)
        if email_taken(session, email):
            hash_password(password)  # the same work as a new account, so timing tells nothing
            _send(settings, existing_account_message(settings, email, f"{base}/signin"))
            return page(request, "signup_sent.html", {"email": email, "mail_ok": True})
        try:
            user = create_user(
                session,
                email=email,
                username=username,
                password=password,
                display_name=display_name,
            )
        except AccountError as error:
            return page(request, "signup.html", {"form": form, "error": str(error)}, 400)
        session.commit()
        link = f"{base}/account/verify?token={verification_token(_key(request), user)}"
        mail_ok = _send(settings, verification_message(settings, email, user.username, link))
    return page(request, "signup_sent.html", {"email": email, "mail_ok": mail_ok})


@router.get("/account/verify", response_class=HTMLResponse)
def verify_email(request: Request, token: str = "") -> Response:
    with open_session(request) as session:
        try:
            user = user_to_verify(_key(request), token, _user_lookup(session))
        except AccountError as error:
            return page(
                request, "notice.html", {"title": "Link not valid", "message": str(error)}, 400
            )
        mark_verified(user)
        session.commit()
    return page(request, "verified.html", {})


@router.post("/account/verify/resend", response_class=HTMLResponse)
def resend_verification(request: Request) -> Response:
    viewer = require_viewer(request)
    settings = _settings(request)
    with open_session(request) as session:
        refused = rate_limit(request, session, "verify-mail", viewer.id)
        if refused:
            return page(
                request, "notice.html", {"title": "Slow down", "message": str(refused)}, 429
            )
        user = session.get(User, viewer.id)
        assert user is not None
        if user.email_verified_at is not None:
            return RedirectResponse("/account?done=verified", status_code=303)
        link = (
            f"{public_base_url(request)}/account/verify?"
            f"token={verification_token(_key(request), user)}"
        )
        message = verification_message(settings, user.email, user.username, link)
    if not _send(settings, message):
        text = "We could not send the mail just now; please try again in a few minutes."
        return notice(request, "Mail not sent", text, 503)
    return RedirectResponse("/account?done=verify-sent", status_code=303)


# ---- sign in and out ---------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str = "/", done: str = "") -> Response:
    return page(
        request, "signin.html", {"next": safe_next(next), "login": "", "notice": NOTICES.get(done)}
    )


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request, login: FormText = "", password: Password = "", next: FormText = "/"
) -> Response:
    settings = _settings(request)
    target = safe_next(next)
    ip = client_ip(request)
    engine = request.app.state.engine

    def failures() -> tuple[int, float]:
        with engine.connect() as connection:
            return limits.signin_failures(connection, login, ip)

    count, retry_after = await run_in_threadpool(failures)
    context = {"next": target, "login": login}
    if count >= settings.signin_block_after:
        error = limits.RateLimited(retry_after)
        message = f"Too many failed sign-ins. {error}"
        return page(request, "signin.html", context | {"error": message}, 429)
    await asyncio.sleep(limits.signin_delay(settings, count))

    def attempt() -> Response | None:
        with open_session(request) as session:
            user = authenticate(session, login, password)
            if user is None:
                limits.record_signin_failure(session.connection(), login, ip)
                session.commit()
                return None
            limits.forget_signin_failures(session.connection(), login)
            return _sign_in_response(request, session, user, target)

    response = await run_in_threadpool(attempt)
    if response is None:
        message = "That email or username and password do not match an account."
        return page(request, "signin.html", context | {"error": message}, 400)
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    token = session_token(request)
    if token is not None:
        with open_session(request) as session:
            end_session(session, token)
            session.commit()
    return _signed_out("/")


@router.post("/account/signout-everywhere")
def signout_everywhere(request: Request) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        end_all_sessions(session, viewer.id)
        session.commit()
    return _signed_out("/signin?done=signed-out-everywhere")


# ---- password reset ----------------------------------------------------------------------


@router.get("/account/reset", response_class=HTMLResponse)
def reset_form(request: Request) -> Response:
    return page(request, "reset_request.html", {})


@router.post("/account/reset", response_class=HTMLResponse)
def reset_request(request: Request, email: FormText = "") -> Response:
    settings = _settings(request)
    email = normalise_email(email)
    with open_session(request) as session:
        refused = rate_limit(request, session, "reset", email)
        if refused:
            return page(request, "reset_request.html", {"error": str(refused)}, 429)
        user = find_user(session, email) if "@" in email else None
        if user is not None and user.disabled_at is None:
            link = (
                f"{public_base_url(request)}/account/reset/confirm?"
                f"token={reset_token(_key(request), user)}"
            )
            _send(settings, reset_message(settings, user.email, user.username, link))
    return page(request, "reset_request.html", {"sent_to": email})


@router.get("/account/reset/confirm", response_class=HTMLResponse)
def reset_confirm_form(request: Request, token: str = "") -> Response:
    with open_session(request) as session:
        try:
            reset_user(_key(request), token, _user_lookup(session))
        except AccountError as error:
            return page(
                request, "notice.html", {"title": "Link not valid", "message": str(error)}, 400
            )
    return page(request, "reset_confirm.html", {"token": token})


@router.post("/account/reset/confirm", response_class=HTMLResponse)
def reset_confirm(request: Request, token: FormText = "", password: Password = "") -> Response:
    with open_session(request) as session:
        try:
            user = reset_user(_key(request), token, _user_lookup(session))
            set_password(user, password)
        except AccountError as error:
            context = {"token": token, "error": str(error)}
            return page(request, "reset_confirm.html", context, 400)
        mark_verified(user)  # the link proved the address
        end_all_sessions(session, user.id)
        session.commit()
    return _signed_out("/signin?done=reset-done")


# ---- settings ----------------------------------------------------------------------------


def _account_page(
    request: Request, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        user = session.get(User, viewer.id)
        assert user is not None
        context = {
            "user": user,
            "tokens": api_tokens_of(session, user.id),
            "notice": NOTICES.get(request.query_params.get("done", "")),
            **(extra or {}),
        }
        return page(request, "account.html", context, status_code)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    return _account_page(request)


@router.post("/account/profile")
def save_profile(
    request: Request,
    display_name: FormText = "",
    show_upvotes: Annotated[bool, Form()] = False,
) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        user = session.get(User, viewer.id)
        assert user is not None
        user.display_name = display_name.strip()[:80] or None
        user.show_upvotes = show_upvotes
        session.commit()
    return RedirectResponse("/account?done=profile-saved", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, current_password: Password = "", new_password: Password = ""
) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        user = session.get(User, viewer.id)
        assert user is not None
        if not verify_password(user.password_hash, current_password):
            return _account_page(request, {"password_error": "The current password is wrong."}, 400)
        try:
            set_password(user, new_password)
        except AccountError as error:
            return _account_page(request, {"password_error": str(error)}, 400)
        end_all_sessions(session, user.id)
        return _sign_in_response(request, session, user, "/account?done=password-changed")


@router.post("/account/tokens", response_class=HTMLResponse)
def new_api_token(request: Request, name: FormText = "") -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        user = session.get(User, viewer.id)
        assert user is not None
        token, raw = create_api_token(session, user, name)
        session.commit()
        label = token.name
    return _account_page(request, {"new_token": raw, "new_token_name": label})


@router.post("/account/tokens/{token_id}/delete")
def delete_api_token(request: Request, token_id: int) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        revoke_api_token(session, viewer.id, token_id)
        session.commit()
    return RedirectResponse("/account?done=token-revoked", status_code=303)
