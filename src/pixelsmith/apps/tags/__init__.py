"""Tag Scanner: photo of a shoe tag / box label → product code → product info.

The slice owns its recognition pipeline, routes (the /tags page and /api/v1/tags), CLI and
tests. The page (templates/tags/index.html, with static/tags.js and static/tags.css, served
under /static/tags/) takes a photo, lets the user box the code or auto-find it, reads the code,
takes the user's confirmation or correction and shows the product card.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="tags", icon="tag", status="ready")
