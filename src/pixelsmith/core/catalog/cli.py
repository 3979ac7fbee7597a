"""`pixelsmith catalog`: import, list and look up products (works on the database directly)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(help="The product catalog: import, list, look up.", no_args_is_help=True)
console = Console()


@contextmanager
def _catalog() -> Iterator:
    from pixelsmith.core.catalog.service import CatalogService
    from pixelsmith.core.db import Database
    from pixelsmith.core.storage import create_storage

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url())
    try:
        db.migrate()
        yield CatalogService(db, create_storage(settings))
    finally:
        db.dispose()


def _fail(exc) -> typer.Exit:  # noqa: ANN001
    console.print(f"[red]{escape(exc.message)}[/red]")
    return typer.Exit(1)


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ..., help="A .csv (UTF-8, header row) or .json file, or a .zip of one with its images"
    ),
    images_dir: Path | None = typer.Option(
        None, "--images-dir", help="Folder image_file paths are relative to (default: the CSV's)"
    ),
    fetch_images: bool = typer.Option(
        False, "--fetch-images", help="Fetch http(s) image_url values and store cut-outs"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output"),
) -> None:
    """Import products; rows with the same code update the earlier import.

    Columns: code, name (required); brand, category, price, currency (default KRW), image_url,
    shop_url, mall, tags, colours; for desk items styles, width_cm, height_cm, item_prompt and
    image_file (an image next to the CSV, cut out unless it has transparency). Exits 1 when any
    row failed (the good rows are imported).
    """
    from pixelsmith.core.catalog.importer import import_file
    from pixelsmith.core.catalog.item_images import folder_reader, item_images_from_settings
    from pixelsmith.core.errors import ApiError

    with _catalog() as catalog:
        images = item_images_from_settings(get_settings(), catalog.storage, fetch_urls=fetch_images)
        images.files = folder_reader(images_dir or file.resolve().parent)
        try:
            report = import_file(file, catalog, images=images)
        except ApiError as exc:
            raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        raise typer.Exit(0 if report.ok else 1)
    summary = Table("created", "updated", "unchanged", "failed", title=f"Imported {file.name}")
    summary.add_row(
        str(report.created), str(report.updated), str(report.unchanged), str(report.error_count)
    )
    console.print(summary)
    if report.errors:
        errors = Table("row", "error", title="Rows not imported", title_style="red")
        for err in report.errors:
            # escaped: a row's text (e.g. a code "[red]x") is data, not rich markup
            errors.add_row(str(err["row"]), escape(err["message"]))
        console.print(errors)
        if report.error_count > len(report.errors):
            console.print(f"… and {report.error_count - len(report.errors)} more")
    raise typer.Exit(0 if report.ok else 1)


def _products_table(items: list[dict], title: str) -> Table:
    table = Table("id", "brand", "code", "name", "price", "source", title=title)
    for p in items:
        source = p["source"] + (f" ({p['match']})" if p.get("match") else "")
        cells = (p["brand"], p["code"], p["name"], p["price_text"] or "–", source)
        table.add_row(str(p["id"]), *map(escape, cells))
    return table


@app.command("list")
def list_cmd(
    q: str = typer.Option("", "--q", "-q", help="Words in name, brand, category, code or tags"),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List products (the demo catalog is created first if the catalog is empty)."""
    with _catalog() as catalog:
        catalog.ensure_demo()
        items = catalog.search(q, limit=limit)
        total = catalog.count()
    if as_json:
        typer.echo(json.dumps({"items": items, "total": total}, indent=2, ensure_ascii=False))
        return
    console.print(_products_table(items, f"{len(items)} of {total} product(s)"))
    if any(p["is_demo"] for p in items):
        console.print("[yellow]Rows from the demo catalog are sample data.[/yellow]")


@app.command("lookup")
def lookup_cmd(
    code: str = typer.Argument(..., help="Product code as printed, e.g. CW2288-111"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Look a product code up: local catalog first, then Naver Shopping when keys are set."""
    from pixelsmith.core.catalog.lookup import lookup_product
    from pixelsmith.core.catalog.providers import create_provider
    from pixelsmith.core.errors import ApiError

    provider = create_provider(get_settings())
    try:
        with _catalog() as catalog:
            catalog.ensure_demo()
            try:
                result = lookup_product(code, catalog=catalog, provider=provider)
            except ApiError as exc:
                raise _fail(exc) from None
    finally:
        if provider is not None:
            provider.close()
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.print(_products_table(result.products, f"{code}: source {result.source}"))
        if result.message:
            console.print(f"[yellow]{result.message}[/yellow]")
        if result.provider_error:
            console.print(f"[red]{result.provider_error['message']}[/red]")
    raise typer.Exit(0 if result.products else 1)
