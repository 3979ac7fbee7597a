"""A realistic shoe-tag photo for the Tag Scanner's browser tests.

A white box label (brand, product code in a big bold font, sizes, "MADE IN …", a barcode) on a
real photo background (scikit-image's coffee cup), slightly tilted, saved as a large JPEG so the
page's in-browser downscale is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class TagPhoto:
    path: Path
    width: int
    height: int
    code: str
    code_box: tuple[int, int, int, int]  # x, y, w, h of the code line, in photo pixels


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def render_tag_photo(
    path: Path, *, code: str = "CW2288-111", size: tuple[int, int] = (2400, 1600)
) -> TagPhoto:
    from skimage import data

    width, height = size
    background = Image.fromarray(data.coffee()).resize(size, Image.Resampling.LANCZOS)
    background = background.filter(ImageFilter.GaussianBlur(2))

    label_w, label_h = 1320, 720
    label = Image.new("RGB", (label_w, label_h), (250, 249, 244))
    draw = ImageDraw.Draw(label)
    bold, regular = "DejaVuSans-Bold.ttf", "DejaVuSans.ttf"
    draw.rectangle((0, 0, label_w - 1, label_h - 1), outline=(190, 190, 185), width=4)
    draw.text((60, 40), "NIKE", font=_font(bold, 96), fill=(20, 20, 20))
    draw.text((60, 160), "AIR FORCE 1 '07", font=_font(regular, 44), fill=(60, 60, 60))
    code_font = _font(bold, 120)
    code_xy = (60, 250)
    draw.text(code_xy, code, font=code_font, fill=(10, 10, 10))
    left, top, right, bottom = draw.textbbox(code_xy, code, font=code_font)
    draw.text((60, 420), "US 9  UK 8  EUR 42.5", font=_font(bold, 56), fill=(30, 30, 30))
    draw.text((60, 510), "MADE IN VIETNAM", font=_font(regular, 44), fill=(70, 70, 70))
    rng = np.random.default_rng(7)
    x = 60
    while x < 760:  # a barcode strip
        bar = int(rng.integers(3, 12))
        if rng.random() < 0.6:
            draw.rectangle((x, 590, x + bar, 690), fill=(15, 15, 15))
        x += bar + int(rng.integers(3, 9))

    # A little glare and noise, as on a phone photo of a glossy label.
    arr = np.asarray(label).astype(np.float32)
    yy, xx = np.mgrid[0:label_h, 0:label_w]
    glare = 40 * np.exp(-(((xx - 1000) / 260) ** 2 + ((yy - 150) / 160) ** 2))
    arr = arr + glare[..., None] + rng.normal(0, 3, arr.shape)
    label = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))

    # Paste it slightly tilted; keep track of where the code line lands.
    angle = 2.0
    mask = Image.new("L", label.size, 255)
    tilted = label.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    tilted_mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    ox, oy = 540, 440
    background.paste(tilted, (ox, oy), tilted_mask)

    # Rotate the code's bounding box corners the same way (PIL rotates counter-clockwise).
    theta = np.deg2rad(angle)
    cx, cy = label_w / 2, label_h / 2
    tcx, tcy = tilted.width / 2, tilted.height / 2
    corners = []
    for px, py in [(left, top), (right, top), (left, bottom), (right, bottom)]:
        dx, dy = px - cx, py - cy
        rx = dx * np.cos(theta) + dy * np.sin(theta) + tcx
        ry = -dx * np.sin(theta) + dy * np.cos(theta) + tcy
        corners.append((rx + ox, ry + oy))
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    pad = 14
    box = (
        int(min(xs)) - pad,
        int(min(ys)) - pad,
        int(max(xs) - min(xs)) + 2 * pad,
        int(max(ys) - min(ys)) + 2 * pad,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    background.save(path, "JPEG", quality=92)
    return TagPhoto(path=path, width=width, height=height, code=code, code_box=box)
