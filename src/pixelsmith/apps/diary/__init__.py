"""Toon Diary & Lounge: a small community where diary posts become illustrated toons
(docs/diary.md for people, docs/api.md "Toon Diary" for the API).

The slice owns its pure parts (moods.py: moods and styles; prompt.py: keywords from Korean and
English text → the picture's prompt; ranking.py: the Hot formula and recommendations;
moderation.py: the NSFW screen; toonify.py: a photo → a toon), its job kind (jobs.py:
`diary.illustrate`), its rows (models.py), the service the routes and the CLI share
(service.py), the /diary page and /api/v1/diary routes (routes.py) and the `pixelsmith diary`
commands (cli.py).
"""

from pixelsmith.core.web.appinfo import AppInfo

from . import jobs  # noqa: F401  (registers the diary.illustrate job kind)

APP = AppInfo(slug="diary", icon="book", status="ready")
