"""Static files: where they live, their versioned URLs and the pages' JS import map.

Two kinds of folder are served:

- ``core/web/static`` under ``/static``: what every page shares (app.css, api.js, i18n.js,
  photo.js, shell.js, icons, …);
- each app slice's ``apps/<slug>/static`` under ``/static/<slug>``: that app's page scripts and
  styles. A slice gets this by having the folder; nothing needs registering.

Every URL carries ``?v=<version>``, a hash over all these files, so a browser never keeps an
old script after an upgrade. The import map maps each module's plain URL to its versioned one,
so ``import "/static/js/api.js"`` and ``import "./studio-canvas.js"`` are cache-busted too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pixelsmith import __version__
from pixelsmith.apps import APPS

CORE_STATIC_DIR = Path(__file__).parent / "static"
APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
STATIC_URL = "/static"


@dataclass(frozen=True)
class StaticRoot:
    """A folder of static files and the URL prefix it is served under."""

    prefix: str  # "" for the core's shared folder, else the app's slug
    directory: Path

    @property
    def url(self) -> str:
        return f"{STATIC_URL}/{self.prefix}" if self.prefix else STATIC_URL

    @property
    def mount_name(self) -> str:
        return f"static-{self.prefix}" if self.prefix else "static"

    def files(self) -> list[tuple[str, Path]]:
        """(path under /static, file) for every file in the folder."""
        base = f"{self.prefix}/" if self.prefix else ""
        return [
            (base + p.relative_to(self.directory).as_posix(), p)
            for p in self.directory.rglob("*")
            if p.is_file()
        ]


@lru_cache
def static_roots() -> tuple[StaticRoot, ...]:
    """Each app slice's static folder that exists, then the core's (mount them in this order:
    the longer prefixes first)."""
    roots = [StaticRoot(app.slug, APPS_DIR / app.slug / "static") for app in APPS]
    roots = [r for r in roots if r.directory.is_dir()]
    # A core entry named like an app would be hidden behind that app's mount.
    shadowed = sorted(r.prefix for r in roots if (CORE_STATIC_DIR / r.prefix).exists())
    if shadowed:
        raise RuntimeError(f"core/web/static/{shadowed[0]} is hidden by the app's own static")
    return (*roots, StaticRoot("", CORE_STATIC_DIR))


def static_files() -> list[tuple[str, Path]]:
    """(path under /static, file) for every static file, sorted by path."""
    return sorted(item for root in static_roots() for item in root.files())


@lru_cache
def static_version() -> str:
    """The package version plus a hash of the static files: changes whenever any of them does."""
    digest = hashlib.sha256(__version__.encode())
    for path, file in static_files():
        digest.update(path.encode())
        digest.update(file.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:10]}"


def static_url(path: str) -> str:
    return f"{STATIC_URL}/{path.lstrip('/')}?v={static_version()}"


@lru_cache
def import_map() -> str:
    """Maps each JS module (shared and the apps') to its versioned URL."""
    modules = [path for path, _ in static_files() if path.endswith(".js")]
    return script_json({"imports": {f"{STATIC_URL}/{m}": static_url(m) for m in modules}})


def script_json(data: Any) -> str:
    """JSON safe to put inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
