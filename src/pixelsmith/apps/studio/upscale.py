"""Tiled ×2 / ×4 super-resolution (Real-ESRGAN), with progress per tile and cancel checks.

The image is cut into tiles of `tile` pixels. Each tile is upscaled with `pad` pixels of its
neighbours around it, and only its own centre is kept: the network sees the same context on
both sides of every tile edge, so no seam shows, and memory stays bounded by one tile however
large the image is. Transparency (if any) is scaled with bicubic interpolation beside it.

Memory is the reason for the tile sizes. ncnn keeps every intermediate blob of a tile, and its
allocator keeps a pool per input shape: realesrgan-x4plus ("photo") holds about 0.7 GB plus
155 kB per input pixel (a 224² window took 6.2 GB; mixed edge shapes took a 512² job to
9.7 GB). So the photo model gets 64-px tiles (an 84² window, about 1.9 GB), and every window
has the same shape: edge tiles slide their window inward instead of shrinking it.

    from pixelsmith.apps.studio.upscale import upscale
    from pixelsmith.core.models import get
    big = upscale(rgb, 2, get("upscale"))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from pixelsmith.core.errors import ApiError

SCALES = (2, 4)
DEFAULT_TILE = 192
DEFAULT_PAD = 16
# Per variant: the default and the largest tile (input pixels), and the context pad.
TILES = {"fast": (192, 256), "photo": (64, 64)}
PADS = {"fast": DEFAULT_PAD, "photo": 10}
# Output limit: 48 megapixels (e.g. 2000×1500 at ×4, or 4000×3000 at ×2). Bigger outputs take
# minutes on a CPU and hundreds of MB in memory.
MAX_OUTPUT_PIXELS = 48_000_000

TileProgress = Callable[[int, int, np.ndarray], None]


class TileUpscaler(Protocol):
    def native_scale(self, scale: int, variant: str = "fast") -> int: ...

    def upscale_tile(
        self, rgb: np.ndarray, scale: int = 2, variant: str = "fast"
    ) -> np.ndarray: ...


def check_size(width: int, height: int, scale: int) -> None:
    """Raise a 422 before any work when the output would be too large or the scale is wrong."""
    if scale not in SCALES:
        raise ApiError(
            f"Scale must be 2 or 4, not {scale}.",
            code="invalid_params",
            status_code=422,
            details={"scale": scale, "allowed": list(SCALES)},
        )
    out = width * height * scale * scale
    if out > MAX_OUTPUT_PIXELS:
        longest = int(
            math.sqrt(MAX_OUTPUT_PIXELS / (scale * scale) * max(width, height) / min(width, height))
        )
        raise ApiError(
            f"At ×{scale} this {width}×{height} image would become "
            f"{width * scale}×{height * scale} ({out / 1e6:.0f} megapixels); the limit is "
            f"{MAX_OUTPUT_PIXELS / 1e6:.0f}. Use ×2, or resize the image to about {longest} "
            "pixels on its longer side first.",
            code="output_too_large",
            status_code=422,
            details={
                "width": width,
                "height": height,
                "scale": scale,
                "output_pixels": out,
                "max_output_pixels": MAX_OUTPUT_PIXELS,
            },
        )


def tile_for(variant: str, requested: int | None = None) -> int:
    """The tile size for a variant: the requested one within its memory-safe maximum."""
    default, largest = TILES.get(variant, (DEFAULT_TILE, DEFAULT_TILE))
    return min(requested or default, largest)


def _window(start: int, pad: int, size: int, total: int) -> int:
    """Where a window of `size` (≥ tile + pad where the image allows) starts so that it holds
    the tile at `start` with `pad` of context before it, and stays inside [0, total)."""
    return max(0, min(start - pad, total - size))


def tile_grid(width: int, height: int, tile: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of each tile, row by row, covering the image exactly."""
    boxes = []
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            boxes.append((x, y, min(tile, width - x), min(tile, height - y)))
    return boxes


def upscale(
    img: np.ndarray,
    scale: int,
    model: TileUpscaler,
    *,
    variant: str = "fast",
    tile: int | None = None,
    pad: int | None = None,
    progress: TileProgress | None = None,
    check_cancel: Callable[[], None] | None = None,
) -> np.ndarray:
    """HxWx3 (RGB) or HxWx4 (RGBA) uint8 → (H·scale)x(W·scale) of the same kind."""
    if img.ndim != 3 or img.shape[2] not in (3, 4) or img.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3/4 uint8 image, got {img.shape} {img.dtype}")
    h, w = img.shape[:2]
    check_size(w, h, scale)
    tile = tile or tile_for(variant)
    pad = PADS.get(variant, DEFAULT_PAD) if pad is None else pad
    if tile < 32 or pad < 0:
        raise ValueError("tile must be at least 32 and pad non-negative")
    rgb = np.ascontiguousarray(img[:, :, :3])
    native = model.native_scale(scale, variant)
    out = np.empty((h * scale, w * scale, 3), np.uint8)
    boxes = tile_grid(w, h, tile)
    # One window shape for every tile (see the module docstring), as large as the image allows.
    win_w, win_h = min(w, tile + 2 * pad), min(h, tile + 2 * pad)
    for i, (x, y, tw, th) in enumerate(boxes, start=1):
        if check_cancel:
            check_cancel()
        x0, y0 = _window(x, pad, win_w, w), _window(y, pad, win_h, h)
        x1, y1 = x0 + win_w, y0 + win_h
        up = model.upscale_tile(rgb[y0:y1, x0:x1], scale, variant)
        if native != scale:  # e.g. the ×4 photo model used for ×2
            size = ((x1 - x0) * scale, (y1 - y0) * scale)
            up = cv2.resize(up, size, interpolation=cv2.INTER_AREA)
        ox, oy = (x - x0) * scale, (y - y0) * scale
        out[y * scale : (y + th) * scale, x * scale : (x + tw) * scale] = up[
            oy : oy + th * scale, ox : ox + tw * scale
        ]
        if progress:
            progress(i, len(boxes), out)
    if img.shape[2] == 4:
        alpha = cv2.resize(img[:, :, 3], (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
        out = np.dstack([out, alpha])
    return out
