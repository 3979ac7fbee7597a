"""Tag Scanner: photo of a shoe tag / box label → product code → product info.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="tags", icon="tag", status="coming_soon")
