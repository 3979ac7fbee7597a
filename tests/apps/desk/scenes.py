"""Desk scenes drawn in code: a desk top in the lower part, a monitor, a keyboard, a mug.

`desk_scene()` returns the RGB photo and where each thing was drawn (x, y, w, h), so tests can
check the analysis against what is really there.
"""

from __future__ import annotations

import cv2
import numpy as np

WOOD = (164, 116, 73)  # warm medium brown (RGB)
WHITE_DESK = (236, 236, 232)
WALL = (205, 210, 214)


def desk_scene(
    desk_rgb: tuple[int, int, int] = WOOD,
    size: tuple[int, int] = (1200, 800),
    seed: int = 0,
    mug_rgb: tuple[int, int, int] = (250, 250, 250),
) -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    """A white mug by default; on a white desk pass another colour (white on white is
    invisible to the surface step unless the item detector finds the mug)."""
    w, h = size
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = WALL
    top = int(h * 0.55)
    img[top:] = desk_rgb
    if desk_rgb == WOOD:  # faint grain, as on a real desk top
        for y in range(top, h, 9):
            shade = int(rng.integers(-6, 7))
            img[y : y + 3] = np.clip(np.array(desk_rgb) + shade, 0, 255)
    img = (img.astype(np.int16) + rng.integers(-2, 3, img.shape)).clip(0, 255).astype(np.uint8)
    things: dict[str, tuple[int, int, int, int]] = {}
    # Monitor: a dark screen with a bezel, on a stand that stands on the desk.
    mx, my, mw, mh = int(w * 0.3), int(h * 0.12), int(w * 0.4), int(h * 0.38)
    cv2.rectangle(img, (mx, my), (mx + mw, my + mh), (25, 25, 28), -1)
    cv2.rectangle(img, (mx + 12, my + 12), (mx + mw - 12, my + mh - 12), (40, 60, 95), -1)
    cv2.rectangle(
        img, (mx + mw // 2 - 15, my + mh), (mx + mw // 2 + 15, top + 30), (60, 60, 60), -1
    )
    cv2.rectangle(
        img, (mx + mw // 2 - 80, top + 25), (mx + mw // 2 + 80, top + 40), (60, 60, 60), -1
    )
    things["monitor"] = (mx, my, mw, top + 40 - my)
    # Keyboard: a dark slab with a grid of light keys.
    kx, ky, kw, kh = int(w * 0.3), int(h * 0.72), int(w * 0.36), int(h * 0.11)
    cv2.rectangle(img, (kx, ky), (kx + kw, ky + kh), (45, 45, 48), -1)
    cols, rows = 15, 5
    pw, ph = (kw - 10) / cols, (kh - 10) / rows
    for r in range(rows):
        for c in range(cols):
            x0, y0 = int(kx + 5 + c * pw), int(ky + 5 + r * ph)
            cv2.rectangle(
                img, (x0 + 2, y0 + 2), (int(x0 + pw) - 2, int(y0 + ph) - 2), (200, 200, 205), -1
            )
    things["keyboard"] = (kx, ky, kw, kh)
    # Mug: a white cylinder with a handle, right of the keyboard.
    ux, uy, uw, uh = int(w * 0.78), int(h * 0.62), int(w * 0.07), int(h * 0.13)
    cv2.rectangle(img, (ux, uy), (ux + uw, uy + uh), mug_rgb, -1)
    cv2.ellipse(img, (ux + uw // 2, uy), (uw // 2, 8), 0, 0, 360, (120, 80, 60), -1)
    cv2.ellipse(img, (ux + uw, uy + uh // 2), (18, 24), 0, -90, 90, mug_rgb, 6)
    things["mug"] = (ux, uy - 8, uw + 24, uh + 8)
    things["desk"] = (0, top, w, h - top)
    return img, things
