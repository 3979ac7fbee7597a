"""App factory for the browser tests of generation: the real app, with the installed (tiny,
random-weight) sketch model's native size and step count brought down to 64² and
$PIXELSMITH_E2E_SKETCH_STEPS, so a CPU runs it in seconds."""

from __future__ import annotations

import dataclasses
import os

from fastapi import FastAPI

from pixelsmith.core.generation.catalogue import CATALOGUE
from pixelsmith.core.web.app import create_app as create_real_app


def create_app() -> FastAPI:
    e = CATALOGUE["sdxl-t2i-sketch"]
    steps = int(os.environ.get("PIXELSMITH_E2E_SKETCH_STEPS", "40"))
    CATALOGUE[e.name] = dataclasses.replace(e, default_size=64, default_steps=steps)
    return create_real_app()
