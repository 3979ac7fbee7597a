"""The settings the generation engine reads (set by Services.create; torch-free on purpose)."""

from __future__ import annotations

from pixelsmith.core.config import Settings, get_settings

_settings: Settings | None = None


def configure(settings: Settings) -> None:
    global _settings
    _settings = settings


def current_settings() -> Settings:
    return _settings or get_settings()
