"""Backdrop Studio.

Product photo → cut-out → analysis → studio brief → backgrounds that suit it → renders ready
for a shop (docs/backdrop.md for people, docs/api.md "Backdrop Studio" for the API).

The slice owns its pure pipeline (core.cutout for the matte; analysis.py, brief.py,
presets.py; library.py, index.py, describe.py and starter.py for the backgrounds;
composite.py over core.compose), its job kinds (jobs.py: `backdrop.render`, `backdrop.batch`,
`backdrop.generate_background`), its rows (models.py, asset_models.py), the service the routes
and the CLI share (service.py), the /backdrop page and /api/v1/backdrop routes (routes.py) and
the `pixelsmith backdrop` commands (cli.py). types.py holds what the steps hand each other.
The page (templates/backdrop/index.html with static/backdrop.js and static/backdrop.css,
served at /static/backdrop/) uploads one or several photos, shows each cut-out over a
checkerboard with a brush to fix the mask, the brief, the suggested backgrounds to pick, the
renders grid with compliance badges and downloads, and a batch zip with its progress.
"""

from pixelsmith.core.web.appinfo import AppInfo

from . import jobs  # noqa: F401  (registers the backdrop.* job kinds)

APP = AppInfo(slug="backdrop", icon="backdrop", status="ready")
