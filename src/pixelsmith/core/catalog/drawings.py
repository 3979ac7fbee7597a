"""Cut-out images of the demo desk items, drawn in code (PIL): deterministic, no files, no network.

Each drawing is a front view (standing items) or the visible top (flat items) whose aspect
ratio is the item's `width_cm : height_cm`, drawn at twice the size and reduced for smooth
edges, then cropped to the item: RGBA, transparent around it, longer side SIZE pixels.
Shapes are simple but recognisable: a lamp has a base, two arm segments and a shade; a plant
a pot and leaves; a mug a handle.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

SIZE = 512
_SUPER = 2  # drawn at SIZE * _SUPER, then reduced: anti-aliased edges

Colour = tuple[int, int, int]


def hex_rgb(value: str) -> Colour:
    v = value.lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def shade(c: Colour, k: float) -> Colour:
    """Darker (k < 1) or lighter (k > 1) by mixing with black or white."""
    if k < 1:
        return tuple(round(x * k) for x in c)  # type: ignore[return-value]
    return tuple(round(x + (255 - x) * (k - 1)) for x in c)  # type: ignore[return-value]


class Canvas:
    """A transparent canvas measured in centimetres (origin top-left, y down)."""

    def __init__(self, width_cm: float, height_cm: float) -> None:
        self.scale = SIZE * _SUPER / max(width_cm, height_cm)  # pixels per cm
        self.w_cm, self.h_cm = width_cm, height_cm
        size = (max(1, round(width_cm * self.scale)), max(1, round(height_cm * self.scale)))
        self.image = Image.new("RGBA", size, (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def p(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale, y * self.scale

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [*self.p(x0, y0), *self.p(x1, y1)]

    def px(self, cm: float) -> int:
        return max(1, round(cm * self.scale))

    def rect(self, x0, y0, x1, y1, fill: Colour, r: float = 0, outline=None, width=0.0):  # noqa: ANN001
        self.draw.rounded_rectangle(
            self.box(x0, y0, x1, y1), radius=self.px(r) if r else 0, fill=(*fill, 255),
            outline=(*outline, 255) if outline else None, width=self.px(width) if width else 0,
        )  # fmt: skip

    def ellipse(self, x0, y0, x1, y1, fill: Colour | None, outline=None, width=0.0):  # noqa: ANN001
        self.draw.ellipse(
            self.box(x0, y0, x1, y1), fill=(*fill, 255) if fill else None,
            outline=(*outline, 255) if outline else None, width=self.px(width) if width else 0,
        )  # fmt: skip

    def poly(self, points: list[tuple[float, float]], fill: Colour) -> None:
        self.draw.polygon([self.p(x, y) for x, y in points], fill=(*fill, 255))

    def line(self, points: list[tuple[float, float]], fill: Colour, width: float) -> None:
        self.draw.line([self.p(x, y) for x, y in points], fill=(*fill, 255), width=self.px(width))
        for x, y in (points[0], points[-1]):  # round caps
            r = width / 2
            self.ellipse(x - r, y - r, x + r, y + r, fill)

    def arc(self, x0, y0, x1, y1, start: float, end: float, fill: Colour, width: float):  # noqa: ANN001
        self.draw.arc(self.box(x0, y0, x1, y1), start, end, fill=(*fill, 255), width=self.px(width))

    def finish(self) -> Image.Image:
        """Reduced to SIZE, lit from the upper left, cropped to the drawn item."""
        w, h = self.image.size
        img = self.image.resize(
            (max(1, w // _SUPER), max(1, h // _SUPER)), Image.Resampling.LANCZOS
        )  # Pillow premultiplies alpha when resizing RGBA: no dark fringes
        arr = np.asarray(img).astype(np.float32)
        h, w = arr.shape[:2]
        light = (
            1.06
            - 0.12 * np.arange(w, dtype=np.float32)[None, :] / max(w - 1, 1)
            - 0.06 * np.arange(h, dtype=np.float32)[:, None] / max(h - 1, 1)
        )
        arr[:, :, :3] = np.clip(arr[:, :, :3] * light[:, :, None], 0, 255)
        img = Image.fromarray(arr.astype(np.uint8), "RGBA")
        bbox = img.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
        return img.crop(bbox) if bbox else img


# -- the items --------------------------------------------------------------------------------
# Each drawer gets the canvas and the item's colours (main, second, accent) and draws in cm.


def _arm_lamp(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.ellipse(w * 0.10, h * 0.90, w * 0.78, h * 1.0, shade(main, 0.8))  # base
    c.rect(w * 0.13, h * 0.88, w * 0.75, h * 0.95, main, r=1)
    hip, elbow, head = (w * 0.44, h * 0.88), (w * 0.92, h * 0.38), (w * 0.46, h * 0.12)
    c.line([hip, elbow], second, w * 0.05)
    c.line([elbow, head], second, w * 0.045)
    for x, y in (hip, elbow):
        c.ellipse(x - w * 0.04, y - w * 0.04, x + w * 0.04, y + w * 0.04, accent)
    hx, hy = head
    shade_pts = [(hx - w * 0.05, hy - h * 0.06), (hx + w * 0.08, hy - h * 0.02),
                 (hx - w * 0.03, hy + h * 0.22), (hx - w * 0.46, hy + h * 0.10)]  # fmt: skip
    c.poly(shade_pts, main)
    c.ellipse(hx - w * 0.40, hy + h * 0.10, hx - w * 0.05, hy + h * 0.22, (255, 244, 200))


def _dome_lamp(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.ellipse(w * 0.22, h * 0.90, w * 0.78, h * 1.0, shade(second, 0.85))
    c.rect(w * 0.46, h * 0.40, w * 0.54, h * 0.95, second, r=0.5)
    c.draw.chord(c.box(w * 0.02, h * 0.0, w * 0.98, h * 0.9), 180, 360, fill=(*main, 255))
    c.rect(w * 0.02, h * 0.43, w * 0.98, h * 0.47, shade(main, 0.8), r=0.3)
    c.ellipse(w * 0.36, h * 0.44, w * 0.64, h * 0.52, (255, 244, 200))
    c.ellipse(w * 0.47, h * 0.02, w * 0.53, h * 0.07, accent)


def _light_bar(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, h * 0.05, w, h * 0.35, main, r=h * 0.12)
    c.rect(w * 0.03, h * 0.26, w * 0.97, h * 0.34, accent, r=h * 0.04)  # the light strip
    c.rect(w * 0.46, h * 0.30, w * 0.54, h * 0.95, second, r=0.3)  # clip on the monitor
    c.rect(w * 0.40, h * 0.85, w * 0.60, h * 1.0, shade(second, 0.8), r=0.3)


def _leafy_plant(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    leaf, dark = main, shade(main, 0.75)
    cx, top = w * 0.5, h * 0.58
    for i in range(9):  # leaves fanned around the stem
        a = math.radians(-80 + i * 20)
        length = h * (0.36 + 0.08 * ((i * 7) % 3))
        tip = (cx + math.sin(a) * w * 0.38, top - math.cos(a) * length)
        c.line([(cx, top + h * 0.02), tip], dark, w * 0.02)
        lx, ly = (cx + tip[0]) / 2, (top + tip[1]) / 2
        r = w * 0.11
        c.ellipse(
            tip[0] - r, tip[1] - r * 0.7, tip[0] + r, tip[1] + r * 0.7, leaf if i % 2 else dark
        )
        c.ellipse(lx - r * 0.7, ly - r * 0.5, lx + r * 0.7, ly + r * 0.5, leaf)
    _pot(c, second, accent, top)


def _snake_plant(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    top = h * 0.62
    for i, (x, tall, lean) in enumerate(
        [(0.22, 0.50, -0.14), (0.40, 0.62, -0.04), (0.58, 0.60, 0.05), (0.76, 0.48, 0.14),
         (0.30, 0.40, -0.22), (0.68, 0.42, 0.22)]
    ):  # fmt: skip
        base = w * x
        tip = (base + w * lean, top - h * tall)
        colour = main if i % 2 == 0 else shade(main, 0.8)
        c.poly([(base - w * 0.08, top + h * 0.02), tip, (base + w * 0.08, top + h * 0.02)], colour)
        c.line([(base, top), tip], shade(accent, 0.9), w * 0.008)  # the yellow-green edge stripe
    _pot(c, second, shade(second, 0.85), top, 0.0, 1.0)


def _cactus(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    top = h * 0.60
    c.rect(w * 0.38, h * 0.10, w * 0.62, top + h * 0.04, main, r=w * 0.12)
    c.rect(w * 0.04, h * 0.28, w * 0.22, h * 0.48, main, r=w * 0.08)
    c.rect(w * 0.12, h * 0.42, w * 0.42, h * 0.50, main, r=w * 0.04)
    c.rect(w * 0.78, h * 0.20, w * 0.96, h * 0.42, main, r=w * 0.08)
    c.rect(w * 0.58, h * 0.36, w * 0.88, h * 0.44, main, r=w * 0.04)
    for y in np.linspace(0.15, 0.55, 6):
        c.line([(w * 0.5, h * y), (w * 0.5, h * (y + 0.03))], shade(main, 0.7), w * 0.015)
    c.ellipse(w * 0.44, h * 0.05, w * 0.56, h * 0.14, accent)  # a flower
    _pot(c, second, shade(second, 0.85), top, 0.0, 1.0)


def _pot(c: Canvas, colour: Colour, rim: Colour, top: float, x0=0.18, x1=0.82) -> None:  # noqa: ANN001
    w, h = c.w_cm, c.h_cm
    inset, taper = (x1 - x0) * 0.06, (x1 - x0) * 0.19
    c.poly([(w * (x0 + inset), top + h * 0.06), (w * (x1 - inset), top + h * 0.06),
            (w * (x1 - taper), h), (w * (x0 + taper), h)], colour)  # fmt: skip
    c.rect(w * x0, top, w * x1, top + h * 0.08, rim, r=w * 0.02)


def _mug(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    body_r = w * 0.74
    c.ellipse(w * 0.62, h * 0.22, w * 1.0, h * 0.74, None, outline=main, width=w * 0.09)  # handle
    c.rect(0, h * 0.06, body_r, h, main, r=w * 0.08)
    c.ellipse(0, 0, body_r, h * 0.14, shade(main, 0.85))  # the rim seen from above
    c.ellipse(w * 0.04, h * 0.02, body_r - w * 0.04, h * 0.12, second)  # coffee or tea
    c.rect(w * 0.08, h * 0.45, body_r - w * 0.08, h * 0.60, accent, r=w * 0.02)  # a band


def _monitor(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(w * 0.30, h * 0.94, w * 0.70, h, shade(main, 0.8), r=h * 0.02)  # base
    c.rect(w * 0.45, h * 0.62, w * 0.55, h * 0.96, main, r=h * 0.01)  # neck
    c.rect(0, 0, w, h * 0.70, main, r=h * 0.02)  # bezel
    screen = (w * 0.02, h * 0.025, w * 0.98, h * 0.64)
    c.rect(*screen, second)
    x0, y0, x1, y1 = screen
    for i in range(6):  # a soft wallpaper: diagonal bands
        t = i / 6
        c.poly([(x0 + (x1 - x0) * t, y1), (x0 + (x1 - x0) * (t + 0.25), y0),
                (x0 + (x1 - x0) * (t + 0.32), y0), (x0 + (x1 - x0) * (t + 0.07), y1)],
               shade(accent, 0.8 + 0.06 * i))  # fmt: skip
    c.rect(x0, y0, x1, y0 + (y1 - y0) * 0.05, shade(second, 0.8))


def _keyboard(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, 0, w, h, main, r=h * 0.08)
    cols, rows = 15, 5
    kw, kh = (w * 0.94) / cols, (h * 0.84) / rows
    for r in range(rows):
        for k in range(cols):
            x, y = w * 0.03 + k * kw, h * 0.08 + r * kh
            colour = accent if (r == 0 and k == 0) or (r == 2 and k == 13) else second
            if r == rows - 1 and 4 <= k <= 9:  # the space bar
                if k == 4:
                    c.rect(x, y, x + kw * 6 - kw * 0.15, y + kh * 0.82, second, r=kh * 0.12)
                continue
            c.rect(x, y, x + kw * 0.85, y + kh * 0.82, colour, r=kh * 0.12)


def _rgb_keyboard(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    _keyboard(c, main, second, accent)
    w, h = c.w_cm, c.h_cm
    rainbow = [(255, 46, 136), (123, 47, 247), (0, 229, 255), (0, 230, 118), (255, 214, 0)]
    for i, colour in enumerate(rainbow):  # an RGB glow along the edge
        c.rect(w * i / 5, h * 0.93, w * (i + 1) / 5, h, colour)


def _mouse(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.ellipse(0, 0, w, h, main)
    c.line([(w * 0.5, h * 0.02), (w * 0.5, h * 0.40)], shade(main, 0.7), w * 0.03)
    c.rect(w * 0.43, h * 0.12, w * 0.57, h * 0.28, second, r=w * 0.05)  # wheel
    c.ellipse(w * 0.30, h * 0.70, w * 0.70, h * 0.85, accent)  # logo light


def _speaker(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, 0, w, h, main, r=w * 0.08)
    c.ellipse(w * 0.25, h * 0.10, w * 0.75, h * 0.33, shade(main, 0.7))  # tweeter
    c.ellipse(w * 0.38, h * 0.16, w * 0.62, h * 0.27, second)
    c.ellipse(w * 0.08, h * 0.40, w * 0.92, h * 0.92, shade(main, 0.7))  # woofer
    c.ellipse(w * 0.18, h * 0.47, w * 0.82, h * 0.85, second)
    c.ellipse(w * 0.40, h * 0.60, w * 0.60, h * 0.72, accent)


def _round_speaker(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, h * 0.04, w, h, main, r=w * 0.45)
    for row in range(8):  # the fabric mesh
        for col in range(7):
            x, y = w * (0.14 + col * 0.12), h * (0.20 + row * 0.09)
            c.ellipse(x - w * 0.02, y - w * 0.02, x + w * 0.02, y + w * 0.02, shade(main, 0.8))
    c.ellipse(w * 0.2, 0, w * 0.8, h * 0.10, second)
    c.rect(w * 0.3, h * 0.03, w * 0.7, h * 0.06, accent, r=h * 0.01)  # light ring


def _headphones(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.arc(w * 0.08, h * 0.0, w * 0.92, h * 1.2, 180, 360, main, w * 0.08)  # headband
    c.arc(w * 0.14, h * 0.06, w * 0.86, h * 1.1, 195, 345, second, w * 0.04)  # its cushion
    for x0 in (0.0, w * 0.72):
        c.rect(x0, h * 0.48, x0 + w * 0.28, h, main, r=w * 0.08)  # ear cups
        c.rect(x0 + w * 0.05, h * 0.56, x0 + w * 0.23, h * 0.92, second, r=w * 0.06)
        c.ellipse(x0 + w * 0.10, h * 0.68, x0 + w * 0.18, h * 0.80, accent)


def _books(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    colours = [main, second, accent, shade(main, 0.75)]
    y = h
    for i, colour in enumerate(colours):  # a stack, each a little offset
        bh = h * (0.22 + 0.04 * (i % 2))
        inset = w * (0.02 + 0.05 * ((i * 3) % 4))
        c.rect(inset, y - bh, w - w * 0.08 + inset * 0.5, y, colour, r=h * 0.02)
        c.rect(inset + w * 0.02, y - bh * 0.75, w - w * 0.1 + inset * 0.5, y - bh * 0.25,
               (245, 240, 228), r=h * 0.01)  # the pages  # fmt: skip
        c.rect(inset, y - bh * 0.62, inset + w * 0.06, y - bh * 0.38, shade(colour, 1.3))
        y -= bh


def _clock(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(w * 0.15, h * 0.85, w * 0.30, h, shade(main, 0.8), r=w * 0.03)  # feet
    c.rect(w * 0.70, h * 0.85, w * 0.85, h, shade(main, 0.8), r=w * 0.03)
    c.ellipse(0, 0, w, h * 0.94, main)
    c.ellipse(w * 0.08, h * 0.075, w * 0.92, h * 0.865, second)
    cx, cy, r = w * 0.5, h * 0.47, w * 0.38
    for i in range(12):
        a = math.radians(i * 30)
        inner = 0.82 if i % 3 else 0.70
        c.line([(cx + math.sin(a) * r * inner, cy - math.cos(a) * r * inner),
                (cx + math.sin(a) * r * 0.95, cy - math.cos(a) * r * 0.95)],
               shade(main, 0.6), w * 0.025)  # fmt: skip
    c.line([(cx, cy), (cx + r * 0.45, cy - r * 0.25)], shade(main, 0.5), w * 0.04)  # hour
    c.line([(cx, cy), (cx - r * 0.15, cy - r * 0.75)], shade(main, 0.5), w * 0.025)  # minute
    c.line([(cx, cy + r * 0.2), (cx + r * 0.3, cy - r * 0.7)], accent, w * 0.01)  # second
    c.ellipse(cx - w * 0.03, cy - w * 0.03, cx + w * 0.03, cy + w * 0.03, accent)


def _digital_clock(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, 0, w, h, main, r=h * 0.2)
    c.rect(w * 0.08, h * 0.18, w * 0.92, h * 0.82, second, r=h * 0.08)
    segs = {"1": "bc", "2": "abged", "3": "abgcd", "0": "abcdef", "7": "abc"}
    for i, digit in enumerate("1027"):  # "10:27" in seven segments
        x0 = w * (0.14 + i * 0.19 + (0.05 if i > 1 else 0))
        dw, dh, t = w * 0.11, h * 0.5, w * 0.025
        y0 = h * 0.25
        ends = {
            "a": [(x0, y0), (x0 + dw, y0)], "b": [(x0 + dw, y0), (x0 + dw, y0 + dh / 2)],
            "c": [(x0 + dw, y0 + dh / 2), (x0 + dw, y0 + dh)],
            "d": [(x0, y0 + dh), (x0 + dw, y0 + dh)],
            "e": [(x0, y0 + dh / 2), (x0, y0 + dh)], "f": [(x0, y0), (x0, y0 + dh / 2)],
            "g": [(x0, y0 + dh / 2), (x0 + dw, y0 + dh / 2)],
        }  # fmt: skip
        for s in segs[digit]:
            c.line(ends[s], accent, t)
    for y in (0.40, 0.60):
        c.ellipse(w * 0.50, h * y, w * 0.53, h * y + w * 0.03, accent)


def _desk_mat(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, 0, w, h, second, r=h * 0.08)  # the edge
    c.rect(w * 0.01, h * 0.03, w * 0.99, h * 0.97, main, r=h * 0.07)
    for x in np.linspace(0.03, 0.97, 60):  # stitching along the long edges
        c.line([(w * x, h * 0.07), (w * (x + 0.008), h * 0.07)], accent, h * 0.012)
        c.line([(w * x, h * 0.93), (w * (x + 0.008), h * 0.93)], accent, h * 0.012)


def _rgb_desk_mat(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(0, 0, w, h, accent, r=h * 0.08)  # the glowing LED rim
    c.rect(w * 0.01, h * 0.03, w * 0.99, h * 0.97, main, r=h * 0.07)
    c.poly([(w * 0.55, h * 0.97), (w * 0.75, h * 0.03), (w * 0.80, h * 0.03), (w * 0.60, h * 0.97)],
           second)  # fmt: skip


def _notebook(c: Canvas, main: Colour, second: Colour, accent: Colour) -> None:
    w, h = c.w_cm, c.h_cm
    c.rect(w * 0.02, h * 0.01, w, h, (240, 236, 226), r=w * 0.03)  # page edges
    c.rect(0, 0, w * 0.97, h * 0.99, main, r=w * 0.04)
    c.rect(w * 0.80, 0, w * 0.84, h * 0.99, accent)  # the elastic band
    c.rect(w * 0.15, h * 0.18, w * 0.65, h * 0.30, second, r=w * 0.02)  # label


DRAWERS: dict[str, Callable[[Canvas, Colour, Colour, Colour], None]] = {
    "arm_lamp": _arm_lamp,
    "dome_lamp": _dome_lamp,
    "light_bar": _light_bar,
    "leafy_plant": _leafy_plant,
    "snake_plant": _snake_plant,
    "cactus": _cactus,
    "mug": _mug,
    "monitor": _monitor,
    "keyboard": _keyboard,
    "rgb_keyboard": _rgb_keyboard,
    "mouse": _mouse,
    "speaker": _speaker,
    "round_speaker": _round_speaker,
    "headphones": _headphones,
    "books": _books,
    "clock": _clock,
    "digital_clock": _digital_clock,
    "desk_mat": _desk_mat,
    "rgb_desk_mat": _rgb_desk_mat,
    "notebook": _notebook,
}


def draw_item(shape: str, width_cm: float, height_cm: float, colours: list[str]) -> Image.Image:
    """The cut-out of one demo item: RGBA, longer side at most SIZE pixels."""
    palette = [hex_rgb(c) for c in colours] or [(128, 128, 128)]
    main, second, accent = (palette * 3)[:3]
    canvas = Canvas(width_cm, height_cm)
    DRAWERS[shape](canvas, main, second, accent)
    return canvas.finish()
