"""Pages of the Sketch Studio app."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pixelsmith.core.web.pages import render

from . import APP

router = APIRouter(include_in_schema=False)


@router.get("/studio", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return render(request, "studio/index.html", app=APP)
