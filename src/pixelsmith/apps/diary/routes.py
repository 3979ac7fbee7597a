"""Pages of the Toon Diary & Lounge app."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pixelsmith.core.web.pages import render

from . import APP

router = APIRouter(include_in_schema=False)


@router.get("/diary", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return render(request, "diary/index.html", app=APP)
