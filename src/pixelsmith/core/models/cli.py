"""`pixelsmith models`: which models are available, loaded, and how to get the missing ones."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .registry import default_registry

app = typer.Typer(
    help="Models: what is available on this machine, and how to get what is not.",
    no_args_is_help=False,
)


def note_for(reason: str | None, hint: str | None) -> str:
    """What the table says for a missing model: the reason and the install hint, each once.

    A reason often ends with the hint's first step ("not installed: run `…` while online")
    while the hint repeats it with more ("run `…` while online, or … --from DIR"); then the
    reason's head is kept and the hint follows it once.
    """
    reason, hint = (reason or "").strip(), (hint or "").strip()
    if not hint or hint in reason:
        return reason
    if not reason or reason in hint:
        return hint
    head, sep, tail = reason.partition(": ")
    if sep and tail.strip() and tail.strip().rstrip(".") in hint:
        return f"{head}: {hint}"
    return f"{reason}. {hint}"


def _print_status(as_json: bool) -> None:
    from pixelsmith.core.config import get_settings
    from pixelsmith.core.generation import state

    state.configure(get_settings())  # diffusion models are looked up under these settings
    rows = default_registry().status()
    if as_json:
        typer.echo(json.dumps({"models": rows}, indent=2))
        return
    # Narrow fixed columns, so the note gets what an 80-column terminal has left.
    table = Table(title="Models", show_lines=False, expand=False)
    table.add_column("name", style="bold", overflow="fold", max_width=20)
    table.add_column("capability", overflow="fold", max_width=13)
    table.add_column("ok", justify="center", no_wrap=True)
    table.add_column("loaded", justify="center", no_wrap=True)
    table.add_column("how to get it", overflow="fold", ratio=1, min_width=24)
    for row in rows:
        ok = row["available"]
        if ok:
            note = f"bundled, {row['device']}" if row["bundled"] else row["device"]
        else:
            note = note_for(row["reason"], row["install_hint"])
        table.add_row(
            escape(row["name"]),
            escape(row["capability"]),
            "[green]✓[/green]" if ok else "[red]✗[/red]",
            "yes" if row["loaded"] else "no",
            escape(note),  # rich would read "pixelsmith[nsfw]" as markup and drop it
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


@app.command("install")
def install_cmd(
    name: str = typer.Argument(..., help="A diffusion model name (see `pixelsmith models`)"),
    from_dir: Path | None = typer.Option(
        None, "--from", help="Copy this local diffusers folder in instead of downloading"
    ),
) -> None:
    """Install a diffusion model: from a local folder, or from the Hugging Face Hub when online."""
    from pixelsmith.core.config import get_settings
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.generation import store
    from pixelsmith.core.generation.catalogue import CATALOGUE

    settings = get_settings()
    if name not in CATALOGUE:
        typer.echo(
            f"Unknown model {name!r}. Installable: {', '.join(sorted(CATALOGUE))}.", err=True
        )
        raise typer.Exit(2)
    try:
        if from_dir is not None:
            target = store.install_from_dir(settings, name, from_dir)
        else:
            typer.echo(f"Downloading {CATALOGUE[name].repo_id} …")
            target = store.install_from_hub(settings, name)
    except ApiError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # network, disk, hub errors: say what happened
        typer.echo(
            f"Could not install {name}: {type(exc).__name__}: {exc}. Online install needs the "
            "Hugging Face Hub; offline, use --from DIR with a diffusers folder.",
            err=True,
        )
        raise typer.Exit(1) from None
    reason = store.reason(settings, name)
    typer.echo(f"Installed {name} in {target}" + (f" ({reason})" if reason else ""))


@app.command("remove")
def remove_cmd(name: str = typer.Argument(..., help="A diffusion model name")) -> None:
    """Remove an installed diffusion model's folder (the shared HF cache is left alone)."""
    from pixelsmith.core.config import get_settings
    from pixelsmith.core.generation import store
    from pixelsmith.core.generation.catalogue import CATALOGUE

    if name not in CATALOGUE:
        typer.echo(f"Unknown model {name!r}. Known: {', '.join(sorted(CATALOGUE))}.", err=True)
        raise typer.Exit(2)
    if store.remove(get_settings(), name):
        typer.echo(f"Removed {name}.")
    else:
        typer.echo(f"{name} is not installed in {store.model_dir(get_settings(), name)}.")
