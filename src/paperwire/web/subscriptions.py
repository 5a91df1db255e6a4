"""Pages to subscribe by email, confirm (double opt-in), unsubscribe and manage.

Anyone may subscribe with an address; every change after that goes through a signed
link from a message sent to that address, so the link is the proof of ownership. The
unsubscribe URL also answers RFC 8058 one-click POSTs from mail clients, which carry
no cookies and no CSRF token: the signed token in the URL is the authority. Pages that
carry a token are personal: never cached, and sent with ``Referrer-Policy: no-referrer``.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paperwire.categories import CATEGORY_NAMES
from paperwire.config import Settings
from paperwire.mail.compose import MailComposer
from paperwire.mail.smtp import MailDeliveryError, send_message
from paperwire.mail.subscriptions import (
    InvalidSubscription,
    confirm,
    describe,
    make_wish,
    normalise_email,
    owned_subscription,
    subscribe,
    subscriptions_of,
    unsubscribe,
)
from paperwire.mail.tokens import InvalidToken, LinkSigner, link_signer
from paperwire.search.query import parse_query
from paperwire.store.schema import Subscription
from paperwire.web.auth import current_viewer, rate_limit, require_verified
from paperwire.web.pages import render_template
from paperwire.web.responses import public_base_url
from paperwire.web.search import search_service

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=400)]
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
KIND_LABELS = {
    "daily": "Daily digest: the top papers of each listing day",
    "weekly": "Weekly digest: the top papers of the week",
    "query": "Alert: new papers matching a search",
    "author": "Alert: new papers by an author",
    "category": "Alert: new papers in a category",
}


def _signer(request: Request) -> LinkSigner:
    state = request.app.state
    if getattr(state, "link_signer", None) is None:
        state.link_signer = link_signer(state.engine, state.settings)
    signer: LinkSigner = state.link_signer
    return signer


def _composer(request: Request) -> MailComposer:
    settings: Settings = request.app.state.settings
    return MailComposer(settings, _signer(request), public_base_url(request))


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    rendered = render_template(request, template, context)
    return HTMLResponse(rendered.body, status_code=status_code, headers=PRIVATE_HEADERS)


def _notice(
    request: Request,
    title: str,
    message: str,
    *,
    status_code: int = 200,
    action: str | None = None,
    button: str | None = None,
    manage_url: str | None = None,
) -> HTMLResponse:
    context = {
        "title": title,
        "message": message,
        "action": action,
        "button": button,
        "manage_url": manage_url,
    }
    return _page(request, "subscription_notice.html", context, status_code)


def _link_problem(request: Request, error: Exception) -> HTMLResponse:
    return _notice(request, "This link does not work", str(error), status_code=400, manage_url=None)


async def _mail_limit(request: Request, address: str) -> str | None:
    """Forms that mail an address are rate limited per address and per IP, so nobody can
    use this site to flood someone's inbox; the refusal's text, or None."""

    def count() -> str | None:
        with Session(request.app.state.engine) as session:
            refused = rate_limit(request, session, "subscribe-mail", address)
        return str(refused) if refused else None

    return await run_in_threadpool(count)


def _now() -> datetime:
    return datetime.now(UTC)


# ---- subscribe ---------------------------------------------------------------------------


@router.get("/subscribe", response_class=HTMLResponse)
async def subscribe_form(
    request: Request,
    kind: str = "daily",
    q: str = "",
    author: str = "",
    category: str = "",
) -> Response:
    viewer = current_viewer(request)
    values = {"kind": kind, "query": q, "author": author, "category": category}
    if viewer is not None and viewer.verified:
        values["email"] = viewer.email
    return _form(request, values)


def _form(
    request: Request, values: dict[str, str], error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    context = {
        "values": values,
        "error": error,
        "kinds": KIND_LABELS,
        "categories": sorted(CATEGORY_NAMES.items()),
    }
    return _page(request, "subscribe.html", context, status_code)


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_submit(
    request: Request,
    email: FormText = "",
    kind: FormText = "daily",
    query: FormText = "",
    author: FormText = "",
    category: FormText = "",
) -> Response:
    values = {"email": email, "kind": kind, "query": query, "author": author, "category": category}
    target = {"query": query, "author": author, "category": category}.get(kind)
    try:
        address = normalise_email(email)
        wish = make_wish(kind, target)
    except InvalidSubscription as error:
        return _form(request, values, str(error), status_code=400)
    refusal = await _mail_limit(request, address)
    if refusal:
        return _form(request, values, refusal, status_code=429)
    composer = _composer(request)
    service = search_service(request)

    def save_and_mail() -> bool:
        """Subscribe and send the opt-in mail; whether the query finds anything yet."""
        with Session(request.app.state.engine) as session:
            subscription = subscribe(session, address, wish, confirmed=False, now=_now())
            message = composer.confirmation(subscription)
            found = wish.kind != "query" or bool(
                service.saved_search(parse_query(wish.target), limit=20)
            )
        send_message(request.app.state.settings, message)
        return found

    try:
        found_already = await run_in_threadpool(save_and_mail)
    except MailDeliveryError:
        return _notice(
            request,
            "We could not send the email",
            "Your request is saved, but the confirmation email could not be sent just now. "
            "Please try again in a few minutes.",
            status_code=503,
        )
    message = f"We sent a confirmation link to {address}. Nothing will be sent until you follow it."
    if not found_already:
        message += (
            f" No paper here matches “{wish.target}” yet: you will hear from us when one does."
        )
    return _notice(request, "Check your inbox", message)


# ---- confirm and unsubscribe -------------------------------------------------------------

Change = Callable[[Session, int, str], Subscription]


def _described(request: Request, change: Change, subscription_id: int, email: str) -> str:
    """Apply ``change`` to the subscription the link names; say what it is."""
    with Session(request.app.state.engine) as session:
        subscription = change(session, subscription_id, email)
        return describe(subscription.kind, subscription.target)


def _confirm(session: Session, subscription_id: int, email: str) -> Subscription:
    return confirm(session, subscription_id, email, _now())


def _unsubscribe(session: Session, subscription_id: int, email: str) -> Subscription:
    return unsubscribe(session, subscription_id, email, _now())


@router.get("/subscriptions/confirm/{token}", response_class=HTMLResponse)
async def confirm_page(request: Request, token: str) -> Response:
    """A page with one button: link scanners follow GET links, so GET changes nothing."""
    try:
        subscription_id, email = _signer(request).read_confirm_token(token)
        what = _described(request, owned_subscription, subscription_id, email)
    except (InvalidToken, InvalidSubscription) as error:
        return _link_problem(request, error)
    return _notice(
        request,
        "Confirm your subscription",
        f"Send {email}: {what}?",
        action=str(request.url.path),
        button="Yes, subscribe",
    )


@router.post("/subscriptions/confirm/{token}", response_class=HTMLResponse)
async def confirm_submit(request: Request, token: str) -> Response:
    try:
        subscription_id, email = _signer(request).read_confirm_token(token)
        what = _described(request, _confirm, subscription_id, email)
    except (InvalidToken, InvalidSubscription) as error:
        return _link_problem(request, error)
    return _notice(
        request,
        "You are subscribed",
        f"{email} will get: {what}. Every email has a link to unsubscribe.",
        manage_url=_composer(request).manage_url(email),
    )


@router.get("/subscriptions/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(request: Request, token: str) -> Response:
    """A page with one button, for the link in the message body."""
    try:
        subscription_id, email = _signer(request).read_unsubscribe_token(token)
        what = _described(request, owned_subscription, subscription_id, email)
    except (InvalidToken, InvalidSubscription) as error:
        return _link_problem(request, error)
    return _notice(
        request,
        "Unsubscribe",
        f"Stop sending {email}: {what}?",
        action=str(request.url.path),
        button="Unsubscribe",
        manage_url=_composer(request).manage_url(email),
    )


@router.post("/subscriptions/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_submit(request: Request, token: str) -> Response:
    """The button's target, and the RFC 8058 one-click URL (``List-Unsubscribe=One-Click``)."""
    try:
        subscription_id, email = _signer(request).read_unsubscribe_token(token)
        what = _described(request, _unsubscribe, subscription_id, email)
    except (InvalidToken, InvalidSubscription) as error:
        return _link_problem(request, error)
    return _notice(
        request,
        "You are unsubscribed",
        f"{email} will no longer get: {what}.",
        manage_url=_composer(request).manage_url(email),
    )


# ---- manage ------------------------------------------------------------------------------


@router.get("/subscriptions/manage", response_class=HTMLResponse)
async def manage_request_form(request: Request) -> Response:
    return _page(request, "manage_request.html", {"error": None, "email": ""})


@router.post("/subscriptions/manage", response_class=HTMLResponse)
async def manage_request_submit(request: Request, email: FormText = "") -> Response:
    """Mail a manage link to an address, for someone without an old message at hand."""
    try:
        address = normalise_email(email)
    except InvalidSubscription as error:
        return _page(request, "manage_request.html", {"error": str(error), "email": email}, 400)
    refusal = await _mail_limit(request, address)
    if refusal:
        return _page(request, "manage_request.html", {"error": refusal, "email": email}, 429)
    message = _composer(request).manage_link(address)
    try:
        await run_in_threadpool(send_message, request.app.state.settings, message)
    except MailDeliveryError:
        return _notice(
            request,
            "We could not send the email",
            "The email could not be sent just now. Please try again in a few minutes.",
            status_code=503,
        )
    return _notice(
        request, "Check your inbox", f"We sent a link to manage the subscriptions of {address}."
    )


@router.get("/account/subscriptions")
async def account_subscriptions(request: Request) -> Response:
    """Signed-in readers manage their mail on the page a mailed link opens, for their
    confirmed address; the link is made for them instead of mailed."""
    viewer = require_verified(request)
    token = _signer(request).manage_token(normalise_email(viewer.email))
    return RedirectResponse(f"/subscriptions/manage/{token}", status_code=303)


@router.get("/subscriptions/manage/{token}", response_class=HTMLResponse)
async def manage_page(request: Request, token: str) -> Response:
    try:
        email = _signer(request).read_manage_token(token)
    except InvalidToken as error:
        return _link_problem(request, error)
    return _manage(request, email)


def _manage(
    request: Request, email: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    with Session(request.app.state.engine) as session:
        rows = [
            {"id": s.id, "status": s.status, "what": describe(s.kind, s.target)}
            for s in subscriptions_of(session, email)
        ]
    context = {
        "email": email,
        "subscriptions": rows,
        "error": error,
        "kinds": KIND_LABELS,
        "values": {"kind": "daily"},
        "categories": sorted(CATEGORY_NAMES.items()),
    }
    return _page(request, "manage.html", context, status_code)


@router.post("/subscriptions/manage/{token}", response_class=HTMLResponse)
async def manage_submit(
    request: Request,
    token: str,
    action: FormText = "",
    subscription_id: Annotated[int, Form(alias="id")] = 0,
    kind: FormText = "daily",
    query: FormText = "",
    author: FormText = "",
    category: FormText = "",
) -> Response:
    """Stop, resume or add subscriptions; the token proves the address, so no opt-in mail."""
    try:
        email = _signer(request).read_manage_token(token)
    except InvalidToken as error:
        return _link_problem(request, error)
    try:
        with Session(request.app.state.engine) as session:
            if action == "unsubscribe":
                unsubscribe(session, subscription_id, email, _now())
            elif action == "resume":
                confirm(session, subscription_id, email, _now())
            elif action == "add":
                target = {"query": query, "author": author, "category": category}.get(kind)
                subscribe(session, email, make_wish(kind, target), confirmed=True, now=_now())
            else:
                raise InvalidSubscription(f"unknown action {action!r}")
    except InvalidSubscription as error:
        return _manage(request, email, str(error), 400)
    return RedirectResponse(str(request.url.path), status_code=303, headers=PRIVATE_HEADERS)
