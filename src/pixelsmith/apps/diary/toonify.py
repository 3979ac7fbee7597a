"""A photo the writer attaches → a toon (the core cartoon filter) → the NSFW screen (pure; run
in the server's worker process through core.cpu.run_isolated).

Inline, not a job: at ≤ TOON_SIDE pixels the cartoon filter takes tens of milliseconds and the
screen about 25 ms per image (benchmarks/bench_diary.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from pixelsmith.core.filters import apply_filter
from pixelsmith.core.images import downscale_to, encode_image, read_image

from .moderation import ScreenConfig, screen

TOON_SIDE = 1024  # the stored toon's longer side
JPEG_QUALITY = 90


@dataclass
class Toon:
    jpeg: bytes
    width: int
    height: int
    nsfw: dict[str, Any]
    elapsed_ms: float


def toonify_photo(data: bytes, limits: tuple[int, int, int], cfg: ScreenConfig) -> Toon:
    t0 = time.perf_counter()
    max_bytes, max_pixels, max_side = limits
    intake = read_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    photo = np.ascontiguousarray(downscale_to(intake.image, TOON_SIDE).convert("RGB"))
    toon = apply_filter(photo, "cartoon")
    verdict = screen([photo, toon], cfg)
    jpeg = encode_image(Image.fromarray(toon, "RGB"), "jpeg", quality=JPEG_QUALITY)
    return Toon(
        jpeg=jpeg,
        width=int(toon.shape[1]),
        height=int(toon.shape[0]),
        nsfw=verdict,
        elapsed_ms=round((time.perf_counter() - t0) * 1000, 1),
    )
