"""The web shell: server-rendered pages (Jinja2) shared by every app.

`render(request, template, **ctx)` is what app slices call to render their pages: it picks the
language, and gives every template `t`, `lang`, `apps`, the current `nav` item, `static()` URLs
with a cache-busting version (assets.py), the client-side message catalog for JS modules and
`csp_nonce` (an inline script that runs, such as the import map, needs
`nonce="{{ csp_nonce }}"`: the CSP refuses any other; JSON data blocks never run and need none).

Templates are looked up in ``core/web/templates`` first, then in each app's
``apps/<slug>/templates`` (where an app keeps its pages under ``<slug>/``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from pixelsmith import __version__
from pixelsmith.apps import APPS
from pixelsmith.core.web import i18n
from pixelsmith.core.web.assets import import_map, script_json, static_url
from pixelsmith.core.web.identity import peek_identity
from pixelsmith.core.web.middleware import CSP_NONCE_KEY

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
APPS_DIR = i18n.APPS_DIR

# Message keys every page hands to its JS (page-specific prefixes are added per route).
BASE_CLIENT_PREFIXES: tuple[str, ...] = ("status.",)


def template_dirs() -> list[Path]:
    dirs = [TEMPLATES_DIR]
    dirs += [APPS_DIR / app.slug / "templates" for app in APPS]
    return [d for d in dirs if d.is_dir()]


templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in template_dirs()]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def _nav_for(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first or "home"


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    nav: str | None = None,
    client_prefixes: Iterable[str] = (),
    **ctx: Any,
) -> HTMLResponse:
    """Render a page template with the shell's context; `ctx` adds the page's own values.

    `nav` marks the current navigation item (default: the first path segment, "home" for /).
    `client_prefixes` selects the messages the page's JS gets (keys starting with them).
    """
    choice = i18n.negotiate(request)
    tr = i18n.Translator(choice.lang)
    identity = peek_identity(request)  # the header shows who is logged in
    account = identity if identity is not None and not identity.is_guest else None

    def lang_url(code: str) -> str:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        query.append(("lang", code))
        return f"{request.url.path}?{urlencode(query)}"

    context: dict[str, Any] = {
        "t": tr,
        "tn": tr.numbered,
        "lang": choice.lang,
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
        "lang_url": lang_url,
        "apps": APPS,
        "nav": nav or _nav_for(request.url.path),
        "static": static_url,
        "import_map": import_map(),
        "i18n_json": script_json(tr.client_catalog((*BASE_CLIENT_PREFIXES, *client_prefixes))),
        "version": __version__,
        "csp_nonce": request.scope.get(CSP_NONCE_KEY, ""),
        "account": account,
        "csrf_token": account.csrf_token if account else None,
        **ctx,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Content-Language"] = choice.lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    if choice.source == "query":
        response.set_cookie(
            i18n.COOKIE_NAME,
            choice.lang,
            max_age=i18n.COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",  # behind a TLS proxy: see docs/deployment.md
        )
    return response


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request) -> HTMLResponse:
    return render(request, "jobs.html", client_prefixes=("jobs.",))


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request) -> HTMLResponse:
    return render(request, "models.html", client_prefixes=("models.",))


def wants_html_404(request: Request, exc: StarletteHTTPException) -> bool:
    """A browser asking for a page that does not exist (never an /api path)."""
    if exc.status_code != 404:
        return False
    if request.url.path == "/api" or request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def install_page_handlers(app: FastAPI) -> None:
    """Answer a browser's 404 with the HTML 404 page; everything else keeps its JSON error.

    Call after `install_error_handlers(app)`: the JSON handler installed there stays in charge
    of every other HTTP error (and of all /api paths).
    """
    fallback = app.exception_handlers.get(StarletteHTTPException)

    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html_404(request, exc):
            path = request.url.path
            shown = path if len(path) <= 80 else path[:77] + "…"
            return render(request, "404.html", status_code=404, nav="", path=shown)
        if fallback is None:
            from fastapi.exception_handlers import http_exception_handler

            return await http_exception_handler(request, exc)
        result = fallback(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(StarletteHTTPException, _http_error)
