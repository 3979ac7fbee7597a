"""English and Korean for the web pages: message catalogs, language choice and `t()`.

Catalogs are flat JSON objects of dotted keys (``"jobs.title": "Jobs"``). The core catalog lives
in ``core/web/locales/<lang>.json``; each app slice adds its own in
``apps/<slug>/locales/<lang>.json`` and they are merged into one catalog per language.
Placeholders use ``{name}`` and are filled by ``t(key, name=...)``, in Python and in JS alike.

Language choice, first match wins: ``?lang=ko|en`` (which also sets the ``lang`` cookie), the
``lang`` cookie, the ``Accept-Language`` header (q-values honoured), then English.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from starlette.requests import Request

log = logging.getLogger("pixelsmith.i18n")

LANGUAGES: tuple[str, ...] = ("en", "ko")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}
COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

CORE_LOCALES_DIR = Path(__file__).parent / "locales"
APPS_DIR = Path(__file__).resolve().parents[2] / "apps"

Source = Literal["query", "cookie", "header", "default"]


def _read_catalog(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path}: a catalog is a flat JSON object of string keys and values")
    return data


def catalog_files(lang: str) -> list[Path]:
    """The core catalog first, then each app's, in a stable order."""
    files = [CORE_LOCALES_DIR / f"{lang}.json"]
    files += sorted(APPS_DIR.glob(f"*/locales/{lang}.json"))
    return [f for f in files if f.is_file()]


@lru_cache
def catalog(lang: str) -> dict[str, str]:
    """The merged catalog of one language (not including the English fallback)."""
    merged: dict[str, str] = {}
    for path in catalog_files(lang):
        for key, value in _read_catalog(path).items():
            if key in merged and merged[key] != value:
                log.warning("i18n key %s redefined by %s", key, path)
            merged[key] = value
    return merged


class _Keep(dict):
    """format_map helper: an unknown placeholder stays as written instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(lang: str, key: str, **kwargs: object) -> str:
    """The message for `key` in `lang`, else in English, else the key itself."""
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    if kwargs:
        text = text.format_map(_Keep({k: str(v) for k, v in kwargs.items()}))
    return text


@dataclass(frozen=True)
class Translator:
    lang: str

    def __call__(self, key: str, **kwargs: object) -> str:
        return translate(self.lang, key, **kwargs)

    def t(self, key: str, **kwargs: object) -> str:
        return translate(self.lang, key, **kwargs)

    def has(self, key: str) -> bool:
        return key in catalog(self.lang) or key in catalog(DEFAULT_LANGUAGE)

    def numbered(self, prefix: str) -> list[str]:
        """Messages `prefix.1`, `prefix.2`, … up to the first missing one (bullet lists)."""
        items: list[str] = []
        while self.has(f"{prefix}.{len(items) + 1}"):
            items.append(self(f"{prefix}.{len(items) + 1}"))
        return items

    def client_catalog(self, prefixes: Iterable[str]) -> dict[str, str]:
        """The messages JS needs: every key starting with one of `prefixes`, English-filled."""
        prefixes = tuple(prefixes)
        if not prefixes:
            return {}
        keys = {k for k in catalog(DEFAULT_LANGUAGE) if k.startswith(prefixes)}
        keys |= {k for k in catalog(self.lang) if k.startswith(prefixes)}
        return {k: self(k) for k in sorted(keys)}


def normalize(code: str | None) -> str | None:
    """'ko-KR' → 'ko', 'EN' → 'en'; None for languages we don't speak."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, best first (q=0 dropped, stable on ties)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        tag = pieces[0]
        if not tag:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-min(q, 1.0), index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def from_accept_language(header: str | None) -> str | None:
    for tag in parse_accept_language(header):
        if tag == "*":
            return DEFAULT_LANGUAGE
        lang = normalize(tag)
        if lang:
            return lang
    return None


@dataclass(frozen=True)
class LanguageChoice:
    lang: str
    source: Source


def negotiate(request: Request) -> LanguageChoice:
    lang = normalize(request.query_params.get("lang"))
    if lang:
        return LanguageChoice(lang, "query")
    lang = normalize(request.cookies.get(COOKIE_NAME))
    if lang:
        return LanguageChoice(lang, "cookie")
    lang = from_accept_language(request.headers.get("accept-language"))
    if lang:
        return LanguageChoice(lang, "header")
    return LanguageChoice(DEFAULT_LANGUAGE, "default")
