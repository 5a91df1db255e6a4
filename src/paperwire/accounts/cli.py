"""``paperwire user ...``: create users, make admins, disable and enable accounts."""

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from paperwire.accounts.users import AccountError, create_user, find_user
from paperwire.community.moderation import make_admin, set_user_disabled
from paperwire.config import Settings
from paperwire.store.db import open_database
from paperwire.store.schema import User

user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
console = Console(stderr=True)


def _session(ctx: typer.Context) -> Session:
    settings: Settings = ctx.obj
    return Session(open_database(settings.database_url))


def _user_or_exit(session: Session, login: str) -> User:
    user = find_user(session, login)
    if user is None:
        console.print(f"[red]No user {login!r}[/red] (give a username or an email address).")
        raise typer.Exit(1)
    return user


@user_app.command("create")
def create(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Email address.")],
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, - and _.")],
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted."),
    ],
    admin: Annotated[bool, typer.Option(help="Make the user an administrator.")] = False,
    verified: Annotated[bool, typer.Option(help="Treat the email address as confirmed.")] = True,
) -> None:
    """Create an account (confirmed by default: you vouch for the address)."""
    with _session(ctx) as session:
        try:
            user = create_user(
                session, email=email, username=username, password=password, verified=verified
            )
        except AccountError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
        if admin:
            make_admin(session, user, actor_id=None)
        session.commit()
        console.print(f"Created user {user.username} <{user.email}>{' (admin)' if admin else ''}.")


@user_app.command("make-admin")
def make_admin_command(
    ctx: typer.Context, login: Annotated[str, typer.Argument(help="Username or email.")]
) -> None:
    """Let a user moderate: hide comments and papers, disable users."""
    with _session(ctx) as session:
        user = _user_or_exit(session, login)
        make_admin(session, user, actor_id=None)
        session.commit()
        console.print(f"{user.username} is an administrator.")


@user_app.command("disable")
def disable(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="Username or email.")],
    reason: Annotated[str, typer.Option(help="Kept in the moderation log.")] = "",
    enable: Annotated[bool, typer.Option("--enable", help="Undo: enable the account.")] = False,
) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    with _session(ctx) as session:
        user = _user_or_exit(session, login)
        set_user_disabled(session, user, not enable, actor_id=None, reason=reason)
        session.commit()
        console.print(f"{user.username} is {'enabled' if enable else 'disabled'}.")
