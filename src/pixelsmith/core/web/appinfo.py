"""What the web shell knows about an app slice: its slug, icon and status.

Words live in the i18n catalogs, not here: ``apps.<slug>.title``, ``apps.<slug>.nav`` (short
name for the navigation), ``apps.<slug>.tagline``, ``apps.<slug>.about`` and the bullet list
``apps.<slug>.features.1``, ``.2``, … (what the app does, from the product brief).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AppStatus = Literal["coming_soon", "ready"]


@dataclass(frozen=True)
class AppInfo:
    slug: str
    icon: str  # the name of an inline SVG icon in templates/_icons.html
    status: AppStatus = "coming_soon"

    @property
    def path(self) -> str:
        return f"/{self.slug}"

    def key(self, name: str) -> str:
        """The i18n key of one of this app's messages: key("title") → "apps.desk.title"."""
        return f"apps.{self.slug}.{name}"
