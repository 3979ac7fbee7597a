"""Sketch Studio: sketch → image, filters, upscale and panorama.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="studio", icon="brush", status="coming_soon")
