"""Desk Makeover.

Upload a desk photo → gate → analysis → recommendations → makeover render → shoppable result.

The slice owns its pure pipeline (gate.py; analysis.py with items, palette, style and
surface; recommend.py; render.py with placement, warp, light and shadow; inpaint.py for the
GPU path), its job kinds (jobs.py: `desk.render`, `desk.render_gpu`), its rows
(models.py), the service the routes and CLI share (service.py), the /desk page and
/api/v1/desk routes (routes.py) and the `pixelsmith desk` commands (cli.py). types.py holds
what the steps hand each other. The page (templates/desk/index.html with static/desk.js and
static/desk.css, served at /static/desk/) uploads the photo, shows the gate's answer, the
analysis, the recommendations to pick from, the render's progress and the result with
numbered hotspots, shop links and a before/after slider.
"""

from pixelsmith.core.web.appinfo import AppInfo

from . import jobs  # noqa: F401  (registers the desk.* job kinds)

APP = AppInfo(slug="desk", icon="desk", status="ready")
