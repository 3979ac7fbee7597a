"""`pixelsmith tags …`: scan a tag photo, export the training set, show stats."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Tag Scanner: shoe-tag photo → product code → product.", no_args_is_help=True
)
console = Console()


def _service():
    from pixelsmith.core.services import Services

    from .service import TagScanService

    services = Services.create(get_settings())
    return services, TagScanService(
        services.db, services.storage, services.catalog, services.shopping
    )


@app.command()
def scan(
    image: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    crop: str = typer.Option(None, help="x,y,w,h box around the code, in image pixels"),
    confirm: bool = typer.Option(False, help="Confirm the best guess and look the product up"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Read the product code on IMAGE (optionally inside --crop)."""
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.images import read_image

    from .service import CropBox

    services, tags = _service()
    try:
        s = services.settings
        intake = read_image(
            image.read_bytes(),
            **s.upload_limits(),
        )
        result = tags.scan(intake, CropBox.parse(crop) if crop else None)
        lookup = (
            tags.confirm(result["id"], result["code"])["lookup"]
            if confirm and result["code"]
            else None
        )
    except ApiError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps({"scan": result, "lookup": lookup}, indent=2, ensure_ascii=False))
        return
    if not result["code"]:
        console.print("No product code found. Try --crop x,y,w,h around the code.")
        raise typer.Exit(1)
    console.print(
        f"[bold]{result['code']}[/bold]  confidence {result['confidence']:.0%}  "
        f"({result['recognize_ms']} ms)"
    )
    table = Table("alternative", "score")
    for alt in result["alternatives"][1:]:
        table.add_row(alt["code"], f"{alt['score']:.2f}")
    if len(result["alternatives"]) > 1:
        console.print(table)
    for product in result["local_matches"][:1]:
        console.print(f"catalog: {product.get('brand', '')} {product.get('name', '')}")
    if lookup:
        console.print_json(data=lookup)


@app.command()
def export(out_dir: Path = typer.Argument(..., file_okay=False)) -> None:
    """Write confirmed crops as a recognizer training set (images/ + gt.txt)."""
    services, tags = _service()
    try:
        n = tags.export(out_dir)
    finally:
        services.close()
    console.print(f"wrote {n} labelled crop(s) and gt.txt to {out_dir}")


@app.command()
def stats(
    days: int = typer.Option(30, min=1), as_json: bool = typer.Option(False, "--json")
) -> None:
    """First-guess accuracy and correction rate per day."""
    services, tags = _service()
    try:
        data = tags.stats(days)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("date", "scans", "confirmed", "first-guess accuracy", "correction rate")
    pct = lambda v: "–" if v is None else f"{v:.0%}"  # noqa: E731
    for d in data["days"]:
        table.add_row(
            d["date"],
            str(d["scans"]),
            str(d["confirmed"]),
            pct(d["first_guess_accuracy"]),
            pct(d["correction_rate"]),
        )
    console.print(table)
