"""`pixelsmith desk …`: the Desk Makeover from the command line.

    pixelsmith desk gate IMG                    is it a desk setup? (reasons in --lang)
    pixelsmith desk analyze IMG [--json]        items, palette, style, free surface
    pixelsmith desk products [--category lamp]  the desk catalog
    pixelsmith desk makeover IMG -o out.png [--items 3,7] [--style oil] [--engine cpu]

`makeover` gates and analyses the photo, then runs the render job the server runs in this
process, with a progress bar; without --items it places the top recommendations, one per
missing category.
The photo and its renders are stored under the CLI's own user ("cli") in the data folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pixelsmith.core.colour import colour_word
from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Desk Makeover: gate, analyse and make over a desk photo.", no_args_is_help=True
)
console = Console()
ImageArg = typer.Argument(..., exists=True, dir_okay=False, readable=True)
CLI_USER = "cli"


def _limits() -> tuple[int, int, int]:
    lim = get_settings().upload_limits()
    return lim["max_bytes"], lim["max_pixels"], lim["max_side"]


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


@app.command()
def gate(
    image: Path = ImageArg,
    lang: str = typer.Option("en", help="Language of the reasons (en, ko)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Is IMG a desk setup? Exit code 0 when accepted, 1 when not."""
    from pixelsmith.core.errors import ApiError

    from .gate import gate_bytes

    b, p, s = _limits()
    try:
        result = gate_bytes(image.read_bytes(), lang, max_bytes=b, max_pixels=p, max_side=s)
    except ApiError as exc:
        raise _fail(f"{image}: {exc.message}") from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif result.accepted:
        console.print(f"[green]accepted[/green] ({result.elapsed_ms:.0f} ms)")
    else:
        for reason in result.reasons:
            console.print(f"[yellow]{reason.code}[/yellow]: {reason.message}")
    raise typer.Exit(0 if result.accepted else 1)


@app.command()
def analyze(image: Path = ImageArg, as_json: bool = typer.Option(False, "--json")) -> None:
    """Items with boxes, palette, style and free desk surface of IMG (no gate, nothing stored)."""
    import numpy as np

    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.images import downscale_to, read_image

    from .analysis import analyze as run_analysis
    from .types import WORKING_MAX_SIDE

    b, p, s = _limits()
    try:
        intake = read_image(image.read_bytes(), max_bytes=b, max_pixels=p, max_side=s)
    except ApiError as exc:
        raise _fail(f"{image}: {exc.message}") from None
    working = downscale_to(intake.image.convert("RGB"), WORKING_MAX_SIDE)
    with console.status("analysing…"):
        result = run_analysis(np.asarray(working))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(
        f"[bold]{result.width}×{result.height}[/bold], style [bold]{result.style.style}[/bold] "
        f"({result.style.score:.2f}): {'; '.join(result.style.evidence)}"
    )
    table = Table("item", "box (x, y, w, h)", "score")
    for item in result.items:
        b_ = item.box
        table.add_row(item.label, f"{b_.x}, {b_.y}, {b_.w}, {b_.h}", f"{item.score:.2f}")
    console.print(table)
    console.print(
        "palette: "
        + ", ".join(f"{colour_word(c.name)} {c.hex} {c.share:.0%}" for c in result.palette)
    )
    console.print(
        f"free surface: {len(result.surface)} polygon(s); scale {result.scale.px_per_cm:.1f} px/cm "
        f"({result.scale.source})"
    )


@app.command()
def products(
    category: str = typer.Option(None, help="Only this category (lamp, plant, mug, …)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The desk catalog: items that can be placed in a photo."""
    from pixelsmith.core.services import Services

    from .service import DeskService

    services = Services.create(get_settings())
    try:
        cards = DeskService(services).products(category)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(cards, ensure_ascii=False, indent=2))
        return
    table = Table("id", "category", "name", "price", "size (cm)", "demo")
    for c in cards:
        size = f"{c['width_cm']:g}×{c['height_cm'] or 0:g}" if c["width_cm"] else ""
        table.add_row(
            str(c["product_id"]),
            c["category"],
            c["name"],
            c["price_text"] or "",
            size,
            "demo" if c["demo"] else "",
        )
    console.print(table)


@app.command()
def makeover(
    image: Path = ImageArg,
    out: Path = typer.Option(..., "-o", "--out", help="Where to write the render (PNG)"),
    items: str = typer.Option(None, help="Product ids to place, e.g. 3,7 (default: recommended)"),
    style: str = typer.Option(None, help="Restyle: oil, cartoon, pencil_gray, watercolor, paint…"),
    engine: str = typer.Option("auto", help="auto, cpu (composite) or gpu (inpainting)"),
    lang: str = typer.Option("en"),
) -> None:
    """Gate, analyse, recommend and render IMG, with progress bars."""
    from pixelsmith.cli import watch_job
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.services import Services

    from .service import DeskService, prepare_photo

    try:
        ids = [int(x) for x in items.split(",") if x.strip()] if items else []
    except ValueError:
        raise _fail(f"--items takes product ids separated by commas, not {items!r}.") from None
    try:
        with console.status("checking and analysing the desk…"):
            prepared = prepare_photo(image.read_bytes(), lang, _limits())
    except ApiError as exc:
        raise _fail(f"{image}: {exc.message}") from None
    if not prepared.gate.accepted:
        for reason in prepared.gate.reasons:
            console.print(f"[yellow]{reason.code}[/yellow]: {reason.message}")
        raise typer.Exit(1)
    services = Services.create(get_settings())
    services.start()
    try:
        desk = DeskService(services)

        def run(job: dict) -> dict:
            try:
                job = watch_job(services, job["id"])
            except KeyboardInterrupt:
                services.jobs.cancel(job["id"])
                console.print("canceling…")
                job = watch_job(services, job["id"], quiet=True)
            if job["status"] != "succeeded":
                raise _fail((job.get("error") or {}).get("message") or job["status"], 1)
            return job

        try:
            created = desk.create_photo(CLI_USER, prepared)
            photo_id = created["photo"]["id"]
            if not ids:
                recs = [
                    r for r in desk.recommendations(CLI_USER, photo_id, lang) if not r["upgrade"]
                ]
                ids = [r["product_id"] for r in recs[:3]]
                for r in recs[:3]:
                    console.print(f"  {r['name']} ({r['price_text']}): {r['reason']}")
            if not ids:
                raise _fail("Nothing to place: the catalog has no desk items this desk lacks.", 1)
            submitted = desk.submit_render(CLI_USER, photo_id, ids, style=style, engine=engine)
            console.print(f"placing {len(ids)} item(s)" + (f", then {style}" if style else ""))
            run(submitted["job"])
            render = desk.get_render(CLI_USER, submitted["render"]["id"])
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(desk.render_image(CLI_USER, render["id"]))
        except ApiError as exc:
            raise _fail(exc.message) from None
        for item in render["items"] or []:
            where = f"at {item['hotspot']}" if item["placed"] else f"not placed: {item['reason']}"
            console.print(f"  {item['n']}. {item.get('name', item['product_id'])} {where}")
        console.print(f"wrote {out}")
    finally:
        services.close()
