"""Posture Coach: keep your neck from drifting forward ("turtle neck") while you work.

This slice will own its pipeline, routes, pages, CLI and tests. For now it serves its page,
which says what the app will do.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="posture", icon="posture", status="coming_soon")
