"""`pixelsmith backdrop …`: Backdrop Studio from the command line.

    pixelsmith backdrop suggest IMG [--k 8] [--json]        cut-out, brief, top-k backgrounds
    pixelsmith backdrop render IMG --bg ID [--bg ID2] [--preset amazon_main] -o out.png
    pixelsmith backdrop import DIR                          your own backgrounds, auto-described
    pixelsmith backdrop batch DIR -o renders.zip [--k 4] [--preset P]
    pixelsmith backdrop assets [--kind marble] [--json]     the background library
    pixelsmith backdrop presets                             output formats and their rules

`render` and `batch` run the jobs the server runs, in this process, with a progress bar. The
products and runs are stored under the CLI's own user ("cli") in the data folder, like the
page's are under the browser's.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Backdrop Studio: cut products out and put them on studio backgrounds.",
    no_args_is_help=True,
)
console = Console()
progress_console = Console(stderr=True)  # bars and spinners: stdout stays clean for --json
ImageArg = typer.Argument(..., exists=True, dir_okay=False, readable=True)
DirArg = typer.Argument(..., exists=True, file_okay=False, readable=True)
CLI_USER = "cli"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _limits() -> tuple[int, int, int]:
    lim = get_settings().upload_limits()
    return lim["max_bytes"], lim["max_pixels"], lim["max_side"]


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=progress_console,
    )


class _Session:
    """Services for one command (started when it runs jobs), closed on exit."""

    def __init__(self, start: bool = False) -> None:
        from pixelsmith.core.services import Services

        from .service import BackdropService

        self.services = Services.create(get_settings())
        if start:
            self.services.start()
        self.backdrop = BackdropService(self.services)

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.services.close()

    def library(self):  # noqa: ANN201
        """The library, with a progress bar while the starter set is made (first run only)."""
        with _bar() as bar:
            task = bar.add_task("background library", total=None)

            def progress(done: int, total: int, *_: object) -> None:
                bar.update(task, completed=done, total=total)

            return self.backdrop.open_library(progress=progress)

    def product(self, image: Path) -> dict:
        from pixelsmith.core.errors import ApiError

        from .service import prepare_product

        try:
            with progress_console.status(f"cutting out {image.name} and writing its brief…"):
                prepared = prepare_product(image.read_bytes(), _limits())
        except ApiError as exc:
            raise _fail(f"{image}: {exc.message}", 1 if exc.code == "no_object" else 2) from None
        return self.backdrop.create_product(CLI_USER, prepared, image.name)

    def run(self, submitted: dict) -> dict:
        from pixelsmith.cli import watch_job

        job = submitted["job"]
        try:
            job = watch_job(self.services, job["id"])
        except KeyboardInterrupt:
            self.services.jobs.cancel(job["id"])
            console.print("canceling…")
            job = watch_job(self.services, job["id"], quiet=True)
        if job["status"] != "succeeded":
            raise _fail((job.get("error") or {}).get("message") or job["status"], 1)
        return self.backdrop.get_run(CLI_USER, submitted["run"]["id"])


def _print_product(product: dict, lang: str) -> None:
    from .service import localize_flags

    a = product["analysis"]
    colours = ", ".join(f"{c['name']} {c['hex']}" for c in a["colours"])
    console.print(
        f"[bold]{product['name']}[/bold]: {a['category']} ({a['main_material']}), {colours}; "
        f"matte confidence {product['matte']['confidence']:.2f}"
    )
    for flag in localize_flags(product["matte"].get("flags") or [], lang):
        console.print(f"  [yellow]{flag['code']}[/yellow]: {flag['message']} {flag['next']}")
    text = product["brief"]["text"]
    console.print(text.get(lang) or text.get("en", "") if isinstance(text, dict) else text)


@app.command()
def suggest(
    image: Path = ImageArg,
    k: int = typer.Option(8, "--k", min=1, max=40, help="How many backgrounds"),
    lang: str = typer.Option("en", help="Language of the brief and descriptions (en, ko)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cut IMG's product out, write its studio brief and list the k backgrounds that suit it."""
    with _Session() as session:
        session.library()
        product = session.product(image)
        items = session.backdrop.suggestions(CLI_USER, product["id"], k=k, lang=lang)
    if as_json:
        out = {"product": product, "suggestions": items}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print_product(product, lang)
    table = Table("#", "background id", "kind", "score", "description")
    for n, s in enumerate(items, start=1):
        a = s["asset"]
        table.add_row(str(n), a["id"], a["kind"], f"{s['score']:.3f}", a["description_text"])
    console.print(table)
    console.print(
        f"product id {product['id']}; render with: pixelsmith backdrop render "
        f"{image} --bg {items[0]['asset']['id'] if items else 'ID'} -o out.png"
    )


@app.command()
def render(
    image: Path = ImageArg,
    bg: list[str] = typer.Option(..., "--bg", help="Background id (repeat for several)"),
    out: Path = typer.Option(..., "-o", "--out", help="Where to write the render (or a zip)"),
    preset: str = typer.Option(None, help="Output preset: amazon_main, square_1000, etsy, …"),
    no_autofix: bool = typer.Option(False, "--no-autofix", help="Check the preset, fix nothing"),
) -> None:
    """Composite IMG's product on background(s) --bg; one → an image, several → a .zip."""
    from pixelsmith.core.errors import ApiError

    with _Session(start=True) as session:
        session.library()
        product = session.product(image)
        try:
            submitted = session.backdrop.submit_render(
                CLI_USER, product["id"], bg, preset=preset, autofix=not no_autofix
            )
        except ApiError as exc:
            raise _fail(exc.message) from None
        run = session.run(submitted)
        renders = run["renders"] or []
        out.parent.mkdir(parents=True, exist_ok=True)
        if len(renders) == 1 and out.suffix.lower() != ".zip":
            data, _ = session.backdrop.run_file(CLI_USER, run["id"], renders[0]["file"])
        else:
            data, _ = session.backdrop.run_file(CLI_USER, run["id"], "renders.zip")
        out.write_bytes(data)
    for r in renders:
        c = r.get("compliance")
        verdict = (
            ""
            if not c
            else (
                " [green]compliant[/green]"
                if c["ok"]
                else " [yellow]not compliant: "
                + ", ".join(ch["rule"] for ch in c["checks"] if not ch["ok"])
                + "[/yellow]"
            )
        )
        console.print(f"  {r['n']}. {r['asset_name']} {r['size'][0]}×{r['size'][1]}{verdict}")
    console.print(f"wrote {out}")


@app.command("import")
def import_(directory: Path = DirArg) -> None:
    """Add every image in DIR to the background library, described automatically."""
    with _Session() as session:
        lib = session.library()
        with _bar() as bar:
            task = bar.add_task(f"importing {directory}", total=None)

            def progress(done: int, total: int, *_: object) -> None:
                bar.update(task, completed=done, total=total)

            report = lib.import_dir(directory, progress=progress, user_id=None)
    added, skipped = report.added, report.skipped
    for a in added:
        console.print(f"  [green]+[/green] {a.id} {a.kind}: {a.description}")
    for s in skipped:
        console.print(f"  [yellow]skipped[/yellow] {Path(s.path).name} ({s.code}): {s.message}")
    console.print(f"added {len(added)}, skipped {len(skipped)}")
    if not added and skipped:
        raise typer.Exit(1)


@app.command()
def batch(
    directory: Path = DirArg,
    out: Path = typer.Option(..., "-o", "--out", help="Where to write the zip"),
    k: int = typer.Option(4, "--k", min=1, max=8, help="Backgrounds per product"),
    preset: str = typer.Option(None, help="Output preset for every render"),
) -> None:
    """Every product photo in DIR → cut-out, brief, top-k backgrounds, renders → one zip."""
    from pixelsmith.core.errors import ApiError

    from .service import BatchInputs, batch_inputs

    files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    pictures = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    inputs = BatchInputs(
        skipped=[
            {"name": p.name, "reason": "not an image file"} for p in files if p not in pictures
        ]
    )
    try:
        found = batch_inputs([(p.name, p.read_bytes()) for p in pictures], _limits()[0])
    except ApiError as exc:
        raise _fail(f"{directory}: {exc.message}") from None
    inputs.photos, inputs.skipped = found.photos, inputs.skipped + found.skipped
    with _Session(start=True) as session:
        session.library()
        try:
            submitted = session.backdrop.submit_batch(CLI_USER, inputs, k=k, preset=preset)
        except ApiError as exc:
            raise _fail(exc.message) from None
        console.print(f"{len(inputs.photos)} photo(s), {k} background(s) each")
        run = session.run(submitted)
        data, _ = session.backdrop.run_file(CLI_USER, run["id"], "renders.zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    for p in run.get("products") or []:
        console.print(f"  {p['folder']}/: {p['category']}, {len(p['renders'])} render(s)")
    for s in run.get("skipped") or []:
        console.print(f"  [yellow]skipped[/yellow] {s['name']}: {s['reason']}")
    console.print(f"wrote {out}")


@app.command()
def assets(
    kind: str = typer.Option(None, help="Only this kind: marble, wood, gradient, …"),
    lang: str = typer.Option("en"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The background library: the starter set and your imports."""
    with _Session() as session:
        session.library()
        items = session.backdrop.assets(CLI_USER, kind=kind, lang=lang)
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table("id", "kind", "source", "description")
    for a in items:
        table.add_row(a["id"], a["kind"], a["source"], a["description_text"])
    console.print(table)


@app.command()
def presets(as_json: bool = typer.Option(False, "--json")) -> None:
    """Output presets: size, background rule and fill, from marketplace guidelines."""
    from .service import BackdropService

    items = BackdropService.presets()
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table("id", "name", "size", "background", "fill", "format")
    for p in items:
        fill = f"{p['min_fill']:.0%}–{p['max_fill']:.0%}" if p["min_fill"] else "any"
        table.add_row(
            p["id"], p["name"], f"{p['width']}×{p['height']}", p["background"], fill, p["format"]
        )
    console.print(table)
