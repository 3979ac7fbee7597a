"""The app factory: one FastAPI app serving the API, the WebSockets and the pages."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pixelsmith import __version__
from pixelsmith.core.config import Settings, get_settings
from pixelsmith.core.logging import configure_logging
from pixelsmith.core.services import Services
from pixelsmith.core.web.errors import install_error_handlers
from pixelsmith.core.web.middleware import BodyLimitMiddleware, RequestLogMiddleware
from pixelsmith.core.web.pages import install_page_handlers

STATIC_DIR = Path(__file__).parent / "static"


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

    app = FastAPI(
        title="pixelsmith",
        version=__version__,
        description="A self-hosted AI image studio. Errors are always "
        '`{"error": {"code", "message", "details"}}`.',
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    install_error_handlers(app)
    install_page_handlers(app)  # HTML 404 for browsers outside /api; after the JSON handlers
    # Room for a full-size file, the multipart framing and a few form fields.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes + 1024 * 1024)
    app.add_middleware(RequestLogMiddleware)

    from pixelsmith.apps import app_routers
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
        pages_router,
    ):
        app.include_router(router)
    for router in app_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
