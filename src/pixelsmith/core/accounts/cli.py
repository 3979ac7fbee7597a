"""`pixelsmith users …`: create accounts (the first admin), list them, change roles."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from pixelsmith.core.errors import ApiError

app = typer.Typer(help="Accounts: create users (the first admin), list them, set roles.")
console = Console()


def _accounts():  # noqa: ANN202
    from pixelsmith.core.accounts.service import AccountService
    from pixelsmith.core.config import get_settings
    from pixelsmith.core.db import Database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url())
    db.migrate()
    return AccountService(db)


def _fail(exc: ApiError) -> typer.Exit:
    console.print(f"[red]{exc.message}[/red]")
    return typer.Exit(1)


@app.command("create")
def create(
    username: str,
    admin: bool = typer.Option(False, "--admin", help="Make the account an administrator."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (one line)."
    ),
) -> None:
    """Create an account; the password is asked for (twice) unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        info = _accounts().signup(
            username, password, role="admin" if admin else "user", start_session=False
        )
    except ApiError as exc:
        raise _fail(exc) from None
    console.print(f"Created {info.username} ({info.role}), id {info.user_id}")


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Every account: username, role, id, created."""
    users = _accounts().list_users()
    if as_json:
        import json

        typer.echo(json.dumps(users, indent=2))
        return
    table = Table("username", "role", "id", "created")
    for u in users:
        table.add_row(u["username"], u["role"], u["id"], u["created_at"][:19])
    console.print(table)


@app.command("set-role")
def set_role(username: str, role: str = typer.Argument(..., help="admin or user")) -> None:
    """Make an account an admin, or a user again."""
    try:
        user = _accounts().set_role(username, role)
    except ApiError as exc:
        raise _fail(exc) from None
    console.print(f"{user['username']} is now {user['role']}")
