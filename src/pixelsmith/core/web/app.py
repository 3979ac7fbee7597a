"""The app factory: one FastAPI app serving the API, the WebSockets and the pages."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from pixelsmith import __version__
from pixelsmith.core.config import Settings, get_settings
from pixelsmith.core.logging import configure_logging
from pixelsmith.core.services import Services
from pixelsmith.core.web.assets import static_roots
from pixelsmith.core.web.csrf import CSRFMiddleware
from pixelsmith.core.web.errors import install_error_handlers
from pixelsmith.core.web.middleware import (
    CSP_NONCE_KEY,
    BodyLimitMiddleware,
    CrossOriginMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
    TrustedHostMiddleware,
)
from pixelsmith.core.web.pages import install_page_handlers

# Swagger UI's own files, from the swagger-ui-bundle-v2 package: /api/docs works offline.
SWAGGER_URL = "/static/swagger-ui"
SWAGGER_VERSION = Path(str(swagger_ui_path)).name.removeprefix("swagger-ui-")
_NONCE_SLOT = "__csp_nonce__"


class PixelsmithAPI(FastAPI):
    def build_middleware_stack(self):
        # Outside Starlette's ServerErrorMiddleware, so that even a 500 gets the headers.
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def swagger_page(openapi_url: str, title: str):
    """FastAPI's self-hosting recipe (get_swagger_ui_html with local assets), plus this
    request's CSP nonce on its one inline script."""
    html = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js?v={SWAGGER_VERSION}",
        swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css?v={SWAGGER_VERSION}",
        swagger_favicon_url="/static/icons/favicon.png",
    ).body.decode()
    if html.count("<script>") != 1:  # a FastAPI upgrade changed the page: fail at start-up
        raise RuntimeError("unexpected Swagger UI page: expected one inline <script>")
    html = html.replace("<script>", f'<script nonce="{_NONCE_SLOT}">')

    async def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(html.replace(_NONCE_SLOT, request.scope.get(CSP_NONCE_KEY, "")))

    return api_docs


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services = Services.create(settings)
        app.state.services = services
        services.start()
        try:
            yield
        finally:
            services.close()

    app = PixelsmithAPI(
        title="pixelsmith",
        version=__version__,
        description="A self-hosted AI image studio. Errors are always "
        '`{"error": {"code", "message", "details"}}`.',
        lifespan=lifespan,
        docs_url=None,  # served below from local files, not from a CDN
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    install_error_handlers(app)
    install_page_handlers(app)  # HTML 404 for browsers outside /api; after the JSON handlers
    # Added innermost first. CSRF inside the body limit: it may read a (small) form body.
    app.add_middleware(CSRFMiddleware)
    # Room for a full-size file, the multipart framing and a few fields.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_upload_bytes + 1024 * 1024,
        read_timeout_s=settings.body_read_timeout_s,
    )
    app.add_middleware(CrossOriginMiddleware, allowed=settings.allowed_origin_list())
    app.add_middleware(
        TrustedHostMiddleware, allowed=settings.allowed_host_list(), bind_host=settings.host
    )
    app.add_middleware(RequestLogMiddleware)
    app.add_api_route(
        "/api/docs",
        swagger_page(app.openapi_url, f"{app.title} - Swagger UI"),
        methods=["GET"],
        include_in_schema=False,
    )

    from pixelsmith.apps import app_routers
    from pixelsmith.core.accounts.pages import router as account_pages_router
    from pixelsmith.core.accounts.routes import router as accounts_router
    from pixelsmith.core.catalog.routes import router as catalog_router
    from pixelsmith.core.generation.routes import router as generation_router
    from pixelsmith.core.jobs.routes import router as jobs_router
    from pixelsmith.core.models.routes import router as models_router
    from pixelsmith.core.web.ops import router as ops_router
    from pixelsmith.core.web.pages import router as pages_router
    from pixelsmith.core.web.uploads import router as uploads_router

    for router in (
        ops_router,
        jobs_router,
        models_router,
        generation_router,
        uploads_router,
        catalog_router,
        accounts_router,
        account_pages_router,
        pages_router,
    ):
        app.include_router(router)
    for router in app_routers():
        app.include_router(router)
    app.mount(SWAGGER_URL, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    for root in static_roots():  # each app's /static/<slug> first, then the shared /static
        app.mount(root.url, StaticFiles(directory=root.directory), name=root.mount_name)
    return app
