"""Sketch Studio: photo filters, panoramas, upscaling and the sketch canvas.

The slice owns its pipelines (panorama.py, upscale.py, edges.py: pure functions; the photo
filters are pixelsmith.core.filters, since Desk Makeover restyles with them too),
its job kinds (jobs.py: `studio.panorama`, `studio.upscale`), the service the routes and CLI
share (service.py), the /studio page and /api/v1/studio routes (routes.py) and the
`pixelsmith studio` commands (cli.py). Sketch → image needs the generation engine and a sketch
model; until one is installed the canvas says so and how to install it.
"""

from pixelsmith.core.web.appinfo import AppInfo

from . import jobs  # noqa: F401  (registers the studio.* job kinds)

APP = AppInfo(slug="studio", icon="brush", status="ready")
