"""`pixelsmith models`: which models are available, loaded, and how to get the missing ones."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from .registry import default_registry

app = typer.Typer(
    help="Models: what is available on this machine, and how to get what is not.",
    no_args_is_help=False,
)


def _print_status(as_json: bool) -> None:
    rows = default_registry().status()
    if as_json:
        typer.echo(json.dumps({"models": rows}, indent=2))
        return
    table = Table(title="Models", show_lines=False)
    table.add_column("name", style="bold")
    table.add_column("capability")
    table.add_column("available", justify="center")
    table.add_column("loaded", justify="center")
    table.add_column("reason / how to get it", overflow="fold")
    for row in rows:
        ok = row["available"]
        if ok:
            note = f"bundled, {row['device']}" if row["bundled"] else row["device"]
        else:
            note = f"{row['reason']}\n[dim]{row['install_hint']}[/dim]"
        table.add_row(
            row["name"],
            row["capability"],
            "[green]✓[/green]" if ok else "[red]✗[/red]",
            "yes" if row["loaded"] else "no",
            note,
        )
    Console().print(table)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON output."),
) -> None:
    """List models (the default when no sub-command is given)."""
    ctx.obj = {"json": as_json}
    if ctx.invoked_subcommand is None:
        _print_status(as_json)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON output."),
) -> None:
    """List models, whether each is available and loaded, and how to get missing ones."""
    parent_json = bool((ctx.obj or {}).get("json"))
    _print_status(as_json or parent_json)
