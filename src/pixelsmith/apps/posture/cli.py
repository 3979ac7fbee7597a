"""`pixelsmith posture …`: rate a photo, show the history."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Posture Coach: forward-head-posture check from a photo; live coaching on the web page.",
    no_args_is_help=True,
)
console = Console()

VERDICT_TEXT = {
    "good": "[green]good[/green]",
    "warn": "[yellow]mild forward head posture[/yellow]",
    "bad": "[red]forward head posture[/red]",
}


@app.command()
def analyze(
    image: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    user: str = typer.Option(
        None, help="Compare a front view with this user id's baseline (the pixelsmith_uid cookie)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Rate the posture in IMAGE: side view → craniovertebral angle and a verdict."""
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.images import read_image

    from .photo import NoPersonFound, analyze_photo, cva_verdict

    s = get_settings()
    baseline = None
    if user:
        from pixelsmith.core.db import Database

        from .service import PostureService

        db = Database(s.resolved_database_url())
        try:
            db.migrate()
            baseline = PostureService(db).baseline(user)
        finally:
            db.dispose()
    try:
        intake = read_image(
            image.read_bytes(),
            **s.upload_limits(),
        )
        result = analyze_photo(intake.to_rgb_array(), baseline)
    except ApiError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    except NoPersonFound:
        console.print(
            "[red]No person found in the photo.[/red] Use one that shows the head and "
            "shoulders, ideally from the side."
        )
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    console.print(f"view: [bold]{result['view']}[/bold]")
    if result["cva_deg"] is not None:
        console.print(
            f"craniovertebral angle (estimate): [bold]{result['cva_deg']:.1f}°[/bold] → "
            f"{VERDICT_TEXT[cva_verdict(result['cva_deg'])]}"
        )
        console.print(f"cut-offs: good ≥ 50°, forward head posture < 44°. {result['citation']}")
        if result.get("trunk_inclination_deg") is not None:
            console.print(
                f"trunk inclination: {result['trunk_inclination_deg']:.0f}° "
                "(+ hunched forward, - reclined)"
            )
        if result.get("reasons"):
            console.print(f"verdict: {result['verdict']} (why: {', '.join(result['reasons'])})")
    elif result["verdict"]:
        console.print(f"against your baseline: {VERDICT_TEXT[result['verdict']]}")
    table = Table("feature", "value")
    for key, value in result["features"].items():
        if key != "view":
            table.add_row(key, "–" if value is None else f"{value:g}")
    console.print(table)
    console.print(f"[dim]{result['note']}[/dim]")


@app.command()
def stats(
    user: str = typer.Argument(..., help="The user id (the pixelsmith_uid cookie)"),
    period: str = typer.Option("day", help="day, week or month"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Time in each posture state and alerts per day / week / month for one user."""
    from pixelsmith.core.db import Database

    from .service import PERIODS, PostureService

    if period not in PERIODS:
        console.print("[red]--period is day, week or month[/red]")
        raise typer.Exit(2)
    db = Database(get_settings().resolved_database_url())
    try:
        db.migrate()
        data = PostureService(db).stats(user, period)  # type: ignore[arg-type]
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(period, "good", "warn", "bad", "alerts", "sessions")
    minutes = lambda v: f"{v / 60:.0f} min"  # noqa: E731
    for b in data["buckets"]:
        sec = b["seconds"]
        table.add_row(
            b["start"], minutes(sec["good"]), minutes(sec["warn"]), minutes(sec["bad"]),
            str(b["alerts"]), str(b["sessions"]),
        )  # fmt: skip
    console.print(table)
