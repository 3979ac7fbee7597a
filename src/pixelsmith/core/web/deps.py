"""FastAPI dependencies shared by every router."""

from __future__ import annotations

from fastapi import Request, WebSocket

from pixelsmith.core.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


def ws_services(websocket: WebSocket) -> Services:
    return websocket.app.state.services
