"""A desk photo drawn in code, its analysis built by hand, and drawn product cut-outs, for the
render tests and benchmark: wall in the upper part, a wood desk plane below, a keyboard on it."""

from __future__ import annotations

import cv2
import numpy as np

from pixelsmith.apps.desk.render import RenderItem
from pixelsmith.apps.desk.types import Box, DeskAnalysis, DeskItem, DeskScale

KEYBOARD_CM = 44.0


def desk_photo(width: int = 1024, height: int = 768, *, light: float = 1.0) -> np.ndarray:
    """Wall above, wood below (grain stripes + noise), a dark keyboard near the front."""
    rng = np.random.default_rng(7)
    img = np.zeros((height, width, 3), np.float32)
    edge = int(height * 0.45)
    img[:edge] = (205, 208, 212)  # a cool grey wall
    yy, xx = np.mgrid[edge:height, 0:width].astype(np.float32)
    grain = 0.5 + 0.5 * np.sin(xx / 9.0 + np.sin(yy / 31.0) * 3.0)
    wood = np.stack([150 + 40 * grain, 100 + 28 * grain, 60 + 18 * grain], axis=-1)
    img[edge:] = wood
    img += rng.normal(0.0, 4.0, img.shape)
    kb = keyboard_box(width, height)
    img[kb.y : kb.y2, kb.x : kb.x2] = (40, 42, 46)
    return np.clip(img * light, 0, 255).astype(np.uint8)


def keyboard_box(width: int = 1024, height: int = 768) -> Box:
    """440 px wide at 1024 wide: 10 px/cm where the keyboard is."""
    w = round(440 * width / 1024)
    return Box((width - w) // 2, int(height * 0.78), w, int(height * 0.08))


def desk_analysis(width: int = 1024, height: int = 768, *, per_row: float = 0.0) -> DeskAnalysis:
    kb = keyboard_box(width, height)
    edge = int(height * 0.45)
    surface = [[(0, edge + 4), (width - 1, edge + 4), (width - 1, height - 1), (0, height - 1)]]
    scale = DeskScale(kb.w / KEYBOARD_CM, kb.y2, per_row=per_row, source="keyboard")
    return DeskAnalysis(
        width=width,
        height=height,
        items=[DeskItem("keyboard", kb, 0.9)],
        palette=[],
        styles=[],
        surface=surface,
        scale=scale,
    )


def _canvas(w: int, h: int) -> np.ndarray:
    return np.zeros((h, w, 4), np.uint8)


def lamp(w: int = 250, h: int = 450) -> np.ndarray:
    """A black desk lamp: round foot, stem, yellow shade (25 × 45 cm in these proportions)."""
    img = _canvas(w, h)
    cv2.ellipse(img, (w // 2, h - 18), (w // 3, 16), 0, 0, 360, (30, 30, 30, 255), -1)
    cv2.line(img, (w // 2, h - 20), (w // 2, h // 3), (40, 40, 40, 255), 10)
    shade = np.array([[w // 2 - 30, 10], [w // 2 + 30, 10], [w - 5, h // 3], [5, h // 3]])
    cv2.fillPoly(img, [shade.astype(np.int32)], (230, 190, 60, 255))
    return img


def mug(w: int = 170, h: int = 200) -> np.ndarray:
    """A red mug with a handle (8.5 × 10 cm)."""
    img = _canvas(w, h)
    cv2.rectangle(img, (10, 10), (w - 50, h - 5), (200, 40, 40, 255), -1)
    cv2.ellipse(img, (w - 50, h // 2), (35, 45), 0, -90, 90, (200, 40, 40, 255), 12)
    return img


def plant(w: int = 200, h: int = 350) -> np.ndarray:
    """A potted plant: terracotta pot, green leaves (20 × 35 cm)."""
    img = _canvas(w, h)
    pot = np.array([[40, h - 120], [w - 40, h - 120], [w - 60, h - 1], [60, h - 1]])
    cv2.fillPoly(img, [pot.astype(np.int32)], (180, 90, 50, 255))
    for cx, cy, ax, ay, ang in [
        (100, 120, 40, 110, 0),
        (60, 150, 30, 90, -30),
        (140, 150, 30, 90, 30),
    ]:
        cv2.ellipse(img, (cx, cy), (ax, ay), ang, 0, 360, (40, 140, 60, 255), -1)
    return img


def items() -> list[RenderItem]:
    return [
        RenderItem("lamp-1", "lamp", lamp(), 25.0, 45.0, prompt="a black desk lamp"),
        RenderItem("mug-1", "mug", mug(), 8.5, 10.0, prompt="a red ceramic mug"),
        RenderItem("plant-1", "plant", plant(), 20.0, 35.0, prompt="a small potted plant"),
    ]
