"""``paperwire subscribe`` and ``paperwire digest send``: the mail commands scripts use."""

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.mail.compose import DEFAULT_BASE_URL, MailComposer
from paperwire.mail.outbox import SendReport, send_due
from paperwire.mail.smtp import MailDeliveryError, send_message
from paperwire.mail.subscriptions import (
    InvalidSubscription,
    describe,
    make_wish,
    normalise_email,
    subscribe,
)
from paperwire.mail.tokens import link_signer
from paperwire.store.db import open_database

digest_app = typer.Typer(help="Email digests and alerts.", no_args_is_help=True)
console = Console(stderr=True)


def subscribe_command(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The address to send to.")],
    daily: Annotated[bool, typer.Option("--daily", help="Top papers of each listing day.")] = False,
    weekly: Annotated[bool, typer.Option("--weekly", help="Top papers of each week.")] = False,
    query: Annotated[str | None, typer.Option(help="Alert on new papers matching Q.")] = None,
    author: Annotated[str | None, typer.Option(help="Alert on new papers by A.")] = None,
    category: Annotated[str | None, typer.Option(help="Alert on new papers in C.")] = None,
    confirmed: Annotated[
        bool, typer.Option("--confirmed", help="Skip the confirmation email (double opt-in).")
    ] = False,
) -> None:
    """Subscribe an address; it gets a confirmation link unless --confirmed."""
    chosen = [
        (kind, target)
        for kind, target, given in (
            ("daily", None, daily),
            ("weekly", None, weekly),
            ("query", query, query is not None),
            ("author", author, author is not None),
            ("category", category, category is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise typer.BadParameter(
            "give exactly one of --daily, --weekly, --query, --author, --category"
        )
    kind, target = chosen[0]
    try:
        address = normalise_email(email)
        wish = make_wish(kind, target)
    except InvalidSubscription as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    settings: Settings = ctx.obj
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        subscription = subscribe(session, address, wish, confirmed=confirmed, now=datetime.now(UTC))
        what = describe(subscription.kind, subscription.target)
        if subscription.status == "active":
            console.print(f"{address} is subscribed: {what}.")
            return
        message = MailComposer(settings, link_signer(engine, settings)).confirmation(subscription)
    try:
        send_message(settings, message)
    except MailDeliveryError as error:
        console.print(f"[red]The confirmation email could not be sent:[/red] {error}")
        console.print("The subscription is saved as pending; run the command again to resend.")
        raise typer.Exit(1) from None
    console.print(f"Sent a confirmation link to {address} for: {what}.")


@digest_app.command("send")
def digest_send(
    ctx: typer.Context,
    on_date: Annotated[
        datetime | None,
        typer.Option(
            "--date", formats=["%Y-%m-%d"], help="Send for this listing day (default: what is due)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be sent.")] = False,
) -> None:
    """Send the digests and alerts that are due; safe to run from cron at any frequency."""
    settings: Settings = ctx.obj
    if settings.base_url is None:
        console.print(
            f"[yellow]PAPERWIRE_BASE_URL is not set: links in mail point at {DEFAULT_BASE_URL}[/]"
        )
    engine = open_database(settings.database_url)
    report = send_due(
        engine, settings, on_date=on_date.date() if on_date else None, dry_run=dry_run
    )
    if report.another_sender:
        console.print("Another `paperwire digest send` is running; nothing to do.")
        return
    print_report(report, dry_run=dry_run)


def print_report(report: SendReport, *, dry_run: bool = False) -> None:
    title = "Digest dry run: nothing sent" if dry_run else "Digest run"
    table = Table(title=title, show_header=False)
    table.add_row("listing day", report.day.isoformat() if report.day else "none due")
    table.add_row("week", report.week or "none due")
    for kind, count in sorted(report.planned_by_kind.items()):
        table.add_row(f"new · {kind}", f"{count:,}")
    table.add_row("planned", f"{report.planned:,}")
    if not dry_run:
        for name in ("sent", "deferred", "failed", "cancelled", "paused", "waiting"):
            table.add_row(name, f"{getattr(report, name):,}")
    console.print(table)


def print_round(report: SendReport) -> None:
    """A scheduled round's report, when it did anything."""
    if report.planned or report.sent or report.failed or report.deferred:
        print_report(report)
