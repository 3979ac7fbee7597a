"""Desk Makeover.

Upload a desk photo → gate → analysis → recommendations → makeover render → shoppable result.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="desk", icon="desk", status="coming_soon")
