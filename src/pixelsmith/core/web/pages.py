"""Shell pages (placeholder until the web-shell work lands)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home() -> str:
    return "<!doctype html><title>pixelsmith</title><h1>pixelsmith</h1>"
