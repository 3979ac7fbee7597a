"""Desk Makeover.

Upload a desk photo → gate → analysis → recommendations → makeover render → shoppable result.

The slice owns its pipeline, routes, pages, CLI and tests. The page
(templates/desk/index.html with static/desk.js and static/desk.css, served at /static/desk/)
uploads the photo, shows the gate's answer, the analysis, the recommendations to pick from, the
render's progress and the result with numbered hotspots, shop links and a before/after slider.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="desk", icon="desk", status="ready")
