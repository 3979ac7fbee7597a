"""The six app slices. Each owns its pipeline, routes, pages, CLI and tests.

An app never imports another app; what two apps share moves down into ``pixelsmith.core``.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

from pixelsmith.core.web.appinfo import AppInfo

from .backdrop import APP as BACKDROP
from .desk import APP as DESK
from .diary import APP as DIARY
from .posture import APP as POSTURE
from .studio import APP as STUDIO
from .tags import APP as TAGS

# In the order of the product brief; the navigation and the home page follow it.
APPS: list[AppInfo] = [DESK, TAGS, POSTURE, STUDIO, DIARY, BACKDROP]


def app_routers() -> list[APIRouter]:
    """Each slice's router. Imported lazily: routes import the page renderer, which lists APPS."""
    return [import_module(f"{__name__}.{app.slug}.routes").router for app in APPS]
