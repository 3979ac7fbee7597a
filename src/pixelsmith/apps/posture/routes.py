"""Pages of the Posture Coach app."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pixelsmith.core.web.pages import render

from . import APP

router = APIRouter(include_in_schema=False)


@router.get("/posture", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return render(request, "posture/index.html", app=APP)
