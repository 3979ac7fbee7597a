"""Toon Diary & Lounge: a small community where diary posts become illustrated toons.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="diary", icon="book", status="coming_soon")
