"""`pixelsmith studio …`: filters, panoramas and upscaling from the command line.

    pixelsmith studio filters
    pixelsmith studio filter IMG --style oil -o out.png [-p size=9]
    pixelsmith studio panorama A.jpg B.jpg C.jpg -o pano.jpg [--mode scans]
    pixelsmith studio upscale IMG -x 2 -o out.png

Panorama and upscale run as jobs in this process (the same job kinds the server runs), with a
progress bar; Ctrl-C cancels.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Sketch Studio: photo filters, panoramas and ×2/×4 upscaling.", no_args_is_help=True
)
console = Console()

ImageArg = typer.Argument(..., exists=True, dir_okay=False, readable=True)


def _read(path: Path):  # noqa: ANN202
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.images import read_image

    s = get_settings()
    try:
        return read_image(
            path.read_bytes(),
            **s.upload_limits(),
        )
    except ApiError as exc:
        console.print(f"[red]{path}: {exc.message}[/red]")
        raise typer.Exit(2) from None


def _format_for(out: Path) -> str | None:
    ext = out.suffix.lower().lstrip(".")
    return {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}.get(ext)


def _parse_params(items: list[str]) -> dict[str, Any]:
    from pixelsmith.cli import parse_params  # lazy: the root CLI imports this module

    return parse_params(items)


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """ncnn prints "0.00%" lines to stderr from C++; keep them off the progress bar."""
    try:
        fd = sys.stderr.fileno()
    except (OSError, ValueError, AttributeError):
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _run_job(kind_submit, out: Path) -> dict:  # noqa: ANN001
    """Submit with `kind_submit(service)`, run it here with a progress bar, save the artifact."""
    from pixelsmith.cli import watch_job
    from pixelsmith.core.errors import ApiError
    from pixelsmith.core.services import Services

    from .service import StudioService

    services = Services.create(get_settings())
    services.executor.start()
    job = None
    try:
        try:
            job = kind_submit(StudioService(services))
        except ApiError as exc:
            console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from None
        try:
            with _quiet_native_stderr():
                job = watch_job(services, job["id"])
        except KeyboardInterrupt:
            services.jobs.cancel(job["id"])
            console.print("canceling…")
            job = watch_job(services, job["id"], quiet=True)
        if job["status"] != "succeeded":
            message = (job.get("error") or {}).get("message") or job["status"]
            console.print(f"[red]{message}[/red]")
            raise typer.Exit(1)
        artifact = job["artifacts"][0]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(services.storage.get(artifact["key"]))
        return job
    finally:
        services.close()


@app.command("filters")
def list_filters(as_json: bool = typer.Option(False, "--json")) -> None:
    """List the filters and their parameters (name, default, range)."""
    from pixelsmith.core.filters import describe_filters

    data = describe_filters()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("filter", "parameters (default, range)", "what it does")
    for f in data:
        props = f["params_schema"].get("properties", {})
        params = ", ".join(
            f"{name}={f['defaults'][name]}"
            + (f" [{p['minimum']}..{p['maximum']}]" if "minimum" in p and "maximum" in p else "")
            for name, p in props.items()
        )
        table.add_row(f["name"], params or "–", f["description"])
    console.print(table)


@app.command("filter")
def apply_filter(
    image: Path = ImageArg,
    style: str = typer.Option(..., "--style", "-s", help="Filter name (see `studio filters`)"),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (.png, .jpg or .webp)"),
    param: list[str] = typer.Option([], "--param", "-p", help="key=value, e.g. -p size=9"),
    quality: int = typer.Option(92, min=1, max=100, help="JPEG/WebP quality"),
) -> None:
    """Apply a filter to IMAGE at full resolution and write it to --out."""
    from pixelsmith.core.errors import ApiError

    from .service import filter_image

    intake = _read(image)
    aliases = {
        "pencil": "pencil_gray",
        "pencil_colour": "pencil_color",
        "watercolour": "watercolor",
    }
    try:
        result = filter_image(
            intake, aliases.get(style, style), _parse_params(param), _format_for(out), quality
        )
    except ApiError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(result.data)
    console.print(
        f"{result.style}: {result.width}×{result.height} in {result.elapsed_ms:.0f} ms → {out}"
    )


@app.command()
def panorama(
    images: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (.jpg, .png or .webp)"),
    mode: str = typer.Option("panorama", help="panorama (camera turned) or scans (flat/moved)"),
    crop: bool = typer.Option(True, help="Crop the black border"),
) -> None:
    """Stitch 2-10 overlapping photos into one panorama."""
    from .service import check_image_count

    if mode not in ("panorama", "scans"):
        raise typer.BadParameter("choose panorama or scans", param_hint="--mode")
    try:
        check_image_count(len(images))
    except Exception as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    intakes = [_read(p) for p in images]
    job = _run_job(
        lambda s: s.submit_panorama(
            [s.store_panorama_photo(i) for i in intakes],
            mode=mode,
            crop=crop,
            names=[p.name for p in images],
            fmt=_format_for(out) or "jpeg",
        ),
        out,
    )
    r = job["result"]
    console.print(f"panorama {r['width']}×{r['height']} from {r['images']} photos → {out}")


@app.command()
def upscale(
    image: Path = ImageArg,
    out: Path = typer.Option(..., "--out", "-o", help="Output file (.png, .jpg or .webp)"),
    scale: int = typer.Option(2, "--scale", "-x", help="2 or 4"),
    model: str = typer.Option("fast", help="fast (default) or photo (sharper, much slower)"),
) -> None:
    """Upscale IMAGE ×2 or ×4 with Real-ESRGAN (tiled, with progress)."""
    if scale not in (2, 4):
        raise typer.BadParameter("the scale is 2 or 4", param_hint="-x")
    if model not in ("fast", "photo"):
        raise typer.BadParameter("choose fast or photo", param_hint="--model")
    intake = _read(image)
    job = _run_job(
        lambda s: s.submit_upscale(intake, scale=scale, model=model, fmt=_format_for(out)), out
    )
    r = job["result"]
    console.print(
        f"×{r['scale']} → {r['width']}×{r['height']} in {r['seconds']} s "
        f"({r['seconds_per_megapixel']} s per output megapixel) → {out}"
    )
