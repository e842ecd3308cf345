"""`forge users` and `forge tokens`: create and disable users, issue and revoke API tokens.

The commands act as the operator (an administrator) and commit at the end."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alliedforge.cli.record import acting
from alliedforge.domain.access import service
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.passwords import generate_password
from alliedforge.domain.access.schemas import TokenRead
from alliedforge.store.base import DEFAULT_CLASSIFICATION, utcnow

users_app = typer.Typer(
    help="Users of the shared record: create, list, disable.", no_args_is_help=True
)
tokens_app = typer.Typer(
    help="Personal API tokens: create (shown once), list, revoke.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


def _interactive() -> bool:
    """Whether stdin is a terminal (then a password is generated, not read)."""
    return sys.stdin.isatty()


def _piped_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        errors.print("No password on stdin (its first line is the password).", style="red")
        raise typer.Exit(1)
    return line


@users_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The user name they sign in with.")],
    role: Annotated[Role, typer.Option(help="What the user does.", case_sensitive=False)],
    nation: Annotated[
        str | None, typer.Option(help="The nation a nation user acts for (its code).")
    ] = None,
    supplier: Annotated[
        str | None, typer.Option(help="The supplier a supplier user acts for (NCAGE).")
    ] = None,
    clearance: Annotated[
        str, typer.Option(help="The highest classification the user may read.")
    ] = DEFAULT_CLASSIFICATION,
    nationality: Annotated[
        str | None,
        typer.Option(help="Nation code deciding releasability (default: nation's / country)."),
    ] = None,
) -> None:
    """Create a user. The password is the first line of stdin when it is piped; on a
    terminal a password is generated and printed once."""
    generated = _interactive()
    password = generate_password() if generated else _piped_password()
    with acting(commit=True) as session:
        user = service.create_user(
            session,
            Caller.operator(),
            name,
            role,
            password,
            nation=nation,
            supplier=supplier,
            clearance=clearance,
            nationality=nationality,
        )
    console.print(f"Created {user.role} user {user.name}.", markup=False, highlight=False)
    if generated:
        console.print(f"Password: {password}", markup=False, highlight=False, soft_wrap=True)
        console.print("It is shown only this once: hand it over now.", style="yellow")


@users_app.command("list")
def list_() -> None:
    """List the users: role, what they act for, clearance, nationality, active."""
    with acting(commit=True) as session:
        users = service.list_users(session, Caller.operator())
    table = Table(title="Users", title_justify="left")
    for column in ("name", "role", "nation/supplier", "clearance", "nationality", "active"):
        table.add_column(column)
    for user in users:
        table.add_row(
            user.name,
            user.role.value,
            user.nation or user.supplier or "",
            user.clearance,
            user.nationality or "",
            "yes" if user.active else "no",
        )
    console.print(table)


@users_app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="The user to disable.")],
) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    with acting(commit=True) as session:
        service.disable_user(session, Caller.operator(), name)
    console.print(f"Disabled {name}.", markup=False, highlight=False)


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label to tell the token apart.")] = "cli",
    days: Annotated[int, typer.Option(help="Days until the token expires (1 to 366).")] = 90,
) -> None:
    """Create an API token for a user and print it once."""
    with acting(commit=True) as session:
        token, plaintext = service.create_token(session, Caller.operator(), user, name, days)
    console.print(
        f"Token {token.id} for {user}, expires {token.expires_at:%Y-%m-%d}:",
        markup=False,
        highlight=False,
    )
    console.print(plaintext, markup=False, highlight=False, soft_wrap=True)
    console.print("It is shown only this once: store it now.", style="yellow")


@tokens_app.command("list")
def list_tokens(
    user: Annotated[str, typer.Argument(help="The user whose tokens to list.")],
) -> None:
    """List a user's API tokens: id, label, created, expires, last used, status."""
    with acting(commit=True) as session:
        tokens = [TokenRead.of(t) for t in service.list_tokens(session, Caller.operator(), user)]
    now = utcnow()
    table = Table(title=f"API tokens of {user}", title_justify="left")
    for column in ("id", "name", "created", "expires", "last used", "status"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for token in tokens:
        table.add_row(
            str(token.id),
            token.name,
            f"{token.created_at:%Y-%m-%d %H:%M}",
            f"{token.expires_at:%Y-%m-%d %H:%M}",
            f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "",
            token.status(now),
        )
    console.print(table)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `forge tokens list`).")],
) -> None:
    """Revoke an API token: it stops working at once."""
    with acting(commit=True) as session:
        service.revoke_token(session, Caller.operator(), token_id)
    console.print(f"Revoked token {token_id}.")
