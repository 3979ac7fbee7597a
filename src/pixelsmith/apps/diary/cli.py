"""`pixelsmith diary …`: Toon Diary from the command line.

    pixelsmith diary export USERNAME -o DIR     the user's posts as DIR/diary.json + DIR/images/
    pixelsmith diary moods | styles             the lists the API offers

`export` takes an account's username (or, for data kept before sign-up, a 32-hex user id).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from rich.console import Console

from pixelsmith.core.config import get_settings

app = typer.Typer(
    help="Toon Diary: diary posts that become illustrated toons.", no_args_is_help=True
)
console = Console()
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@app.command()
def export(
    user: str = typer.Argument(..., help="Username (or a 32-hex user id)"),
    out: Path = typer.Option(..., "-o", "--out", help="Folder to write (created if missing)"),
) -> None:
    """Write the user's posts (with their comments) to OUT/diary.json and pictures to
    OUT/images/."""
    from pixelsmith.core.services import Services

    from .service import DiaryService, user_id_for

    services = Services.create(get_settings())
    try:
        with services.db.session() as s:
            user_id = user_id_for(s, user)
        if user_id is None and _HEX_ID.fullmatch(user):
            user_id = user
        if user_id is None:
            console.print(
                f"[red]No account named {user!r}.[/red] `pixelsmith users list` shows them."
            )
            raise typer.Exit(2)
        doc, files = DiaryService(services).export_user(user_id)
    finally:
        services.close()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    doc["username"] = user if not _HEX_ID.fullmatch(user) else None
    (out / "diary.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2))
    console.print(f"{len(doc['posts'])} posts, {len(files)} pictures → {out}")


@app.command()
def moods() -> None:
    """The moods and the style each suggests."""
    from .moods import MOODS

    for m in MOODS.values():
        console.print(f"{m.name:<10} → {m.style:<11} {m.atmosphere}")


@app.command()
def styles() -> None:
    """The picture styles."""
    from .moods import STYLES

    for s in STYLES.values():
        console.print(f"{s.name:<11} {s.suffix}")
