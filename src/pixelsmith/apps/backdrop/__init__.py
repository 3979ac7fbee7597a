"""Backdrop Studio: product photo → studio backgrounds that suit it → renders ready for a shop.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="backdrop", icon="backdrop", status="coming_soon")
