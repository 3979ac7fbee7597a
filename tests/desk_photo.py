"""A desk photo drawn in code, for the Desk Makeover's browser tests and demos.

A home-office desk seen from a chair: a warm wood desktop in perspective against a pale wall,
a monitor showing a code editor and a browser window, a keyboard with a visible key grid, a
mouse, a coffee mug and a potted plant, each with a soft contact shadow; window light from the
left, a vignette, sensor noise and a little lens blur, saved as a large JPEG so the page's
in-browser downscale is exercised. The same arguments always give the same pixels.

No photo is copied from anywhere: the real desk photos in /work/shared/data carry no licence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SS = 2  # supersampling for smooth edges


@dataclass(frozen=True)
class DeskPhoto:
    path: Path
    width: int
    height: int
    # Where each item is, in photo pixels (x, y, w, h): what a test can check the analysis by.
    boxes: dict[str, tuple[int, int, int, int]]


def _noise(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Smooth value noise in 0..1 (a coarse random grid, bicubic-upscaled)."""
    h, w = shape
    small = rng.random((max(2, h // scale), max(2, w // scale))).astype(np.float32)
    img = Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 255.0


def _wood(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A planed oak texture, grain running left to right (RGB floats 0..1, h×w×3)."""
    y = np.arange(h, dtype=np.float32)[:, None]
    x = np.arange(w, dtype=np.float32)[None, :]
    wobble = _noise(rng, (h, w), 180) * 40 + _noise(rng, (h, w), 40) * 6
    rings = np.sin((y + wobble) / 9.0 + np.sin(x / 310.0) * 2.2) * 0.5 + 0.5
    fine = _noise(rng, (h, w), 3)
    streak = (
        np.asarray(
            Image.fromarray((rng.random((h, max(2, w // 60))) * 255).astype(np.uint8)).resize(
                (w, h), Image.Resampling.BILINEAR
            ),
            dtype=np.float32,
        )
        / 255.0
    )
    tone = 0.70 + 0.06 * rings**3 + 0.04 * fine + 0.06 * streak  # planed: grain, no ridges
    base = np.array([0.74, 0.52, 0.32], dtype=np.float32)
    return np.clip(tone[..., None] * base[None, None, :] * 1.18, 0, 1)


def _paste_texture(canvas: Image.Image, texture: np.ndarray, quad: list[tuple[float, float]]):
    """Warp a flat texture onto a quadrilateral (tl, tr, br, bl) of the canvas."""
    th, tw = texture.shape[:2]
    src = Image.fromarray((texture * 255).astype(np.uint8))
    # PIL's perspective transform maps output → input; solve for the 8 coefficients.
    dst = np.array(quad, dtype=np.float64)
    srcpts = np.array([(0, 0), (tw, 0), (tw, th), (0, th)], dtype=np.float64)
    rows = []
    rhs = []
    for (X, Y), (u, v) in zip(dst, srcpts, strict=True):
        rows.append([X, Y, 1, 0, 0, 0, -u * X, -u * Y])
        rows.append([0, 0, 0, X, Y, 1, -v * X, -v * Y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows), np.array(rhs))
    warped = src.transform(
        canvas.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC
    )
    mask = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in quad], fill=255)
    canvas.paste(warped, (0, 0), mask)


def _shadow(canvas: Image.Image, box: tuple[float, float, float, float], blur: float, alpha: int):
    """A soft elliptical contact shadow under an object."""
    layer = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=alpha)
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    dark = Image.new("RGB", canvas.size, (40, 26, 16))
    canvas.paste(dark, (0, 0), layer)


def _lerp(a, b, t):
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def _vertical_gradient(draw, box, top, bottom):
    x0, y0, x1, y1 = (int(v) for v in box)
    for y in range(y0, y1):
        draw.line([(x0, y), (x1, y)], fill=_lerp(top, bottom, (y - y0) / max(1, y1 - y0)))


def _screen(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    """What the monitor shows: a dark code editor on the left, a bright web page on the right."""
    img = Image.new("RGB", (w, h), (30, 33, 40))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, int(h * 0.05)), fill=(48, 52, 62))  # title bar
    for i, c in enumerate([(236, 95, 87), (245, 190, 80), (98, 197, 84)]):
        r = h * 0.012
        cx, cy = w * 0.015 + i * r * 3.2, h * 0.025
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=c)
    d.rectangle((0, int(h * 0.05), int(w * 0.09), h), fill=(38, 41, 50))  # file tree
    for i in range(14):
        y = h * (0.09 + i * 0.055)
        d.rectangle(
            (w * 0.012, y, w * (0.03 + rng.random() * 0.05), y + h * 0.018), fill=(110, 118, 135)
        )
    colours = [(198, 120, 221), (97, 175, 239), (152, 195, 121), (229, 192, 123), (171, 178, 191)]
    split = int(w * 0.55)
    y = h * 0.09
    line_h = h * 0.037
    while y < h * 0.95:
        x = w * 0.115 + (rng.integers(0, 4) * w * 0.02)
        for _ in range(int(rng.integers(1, 5))):
            seg = w * (0.02 + rng.random() * 0.07)
            if x + seg > split - w * 0.02:
                break
            d.rectangle((x, y, x + seg, y + line_h * 0.5), fill=colours[int(rng.integers(0, 5))])
            x += seg + w * 0.01
        y += line_h
    # a browser window on the right half
    d.rectangle((split, int(h * 0.05), w, h), fill=(246, 247, 249))
    d.rectangle((split, int(h * 0.05), w, int(h * 0.12)), fill=(222, 225, 230))
    d.rounded_rectangle(
        (split + w * 0.03, h * 0.065, w - w * 0.03, h * 0.105),
        radius=h * 0.02,
        fill=(255, 255, 255),
    )
    d.rectangle(
        (split + w * 0.03, h * 0.16, w - w * 0.03, h * 0.46), fill=(70, 130, 200)
    )  # hero image
    d.polygon(
        [
            (split + w * 0.03, h * 0.46),
            (split + w * 0.17, h * 0.27),
            (split + w * 0.27, h * 0.38),
            (split + w * 0.34, h * 0.31),
            (w - w * 0.03, h * 0.42),
            (w - w * 0.03, h * 0.46),
        ],
        fill=(60, 150, 90),
    )
    for i in range(7):
        yy = h * (0.52 + i * 0.06)
        d.rectangle(
            (split + w * 0.03, yy, split + w * (0.12 + rng.random() * 0.28), yy + h * 0.022),
            fill=(120, 124, 132),
        )
    return img


def render_desk_photo(
    path: Path, *, size: tuple[int, int] = (2400, 1600), seed: int = 11
) -> DeskPhoto:
    """Draw the desk scene at `size` (w, h) and save it as a JPEG at `path`."""
    rng = np.random.default_rng(seed)
    W, H = size
    w, h = W * SS, H * SS
    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)

    # Wall: warm off-white, brighter towards the window on the left.
    wall = np.zeros((h, w, 3), dtype=np.float32)
    xs = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    light = 0.80 + 0.14 * (1 - xs) + 0.03 * ys
    wall[:] = np.array([0.93, 0.91, 0.87], dtype=np.float32)
    wall *= light[..., None]
    img = Image.fromarray((np.clip(wall, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(img)

    # The desk top in perspective: the back edge at 52% of the height, the front edge off the
    # bottom of the frame, wider than the photo.
    back_y = h * 0.54
    quad = [(-w * 0.04, back_y), (w * 1.04, back_y), (w * 1.30, h * 1.02), (-w * 0.30, h * 1.02)]
    _paste_texture(img, _wood(rng, 1400, 700), quad)
    d = ImageDraw.Draw(img)
    d.rectangle((0, back_y - h * 0.006, w, back_y + h * 0.002), fill=(120, 84, 54))  # back edge
    # The wall's shadow line just above the desk.
    shade = Image.new("L", img.size, 0)
    ImageDraw.Draw(shade).rectangle((0, back_y - h * 0.05, w, back_y), fill=60)
    img.paste((90, 80, 70), (0, 0), shade.filter(ImageFilter.GaussianBlur(h * 0.02)))
    d = ImageDraw.Draw(img)

    boxes: dict[str, tuple[float, float, float, float]] = {}

    # ---- monitor ---------------------------------------------------------------------------
    mx0, mx1 = w * 0.27, w * 0.73
    my0, my1 = h * 0.10, h * 0.50
    stand_x = (mx0 + mx1) / 2
    _shadow(
        img,
        (stand_x - w * 0.10, back_y + h * 0.05, stand_x + w * 0.10, back_y + h * 0.12),
        h * 0.012,
        150,
    )
    d = ImageDraw.Draw(img)
    # base plate and neck
    d.polygon(
        [
            (stand_x - w * 0.085, back_y + h * 0.105),
            (stand_x + w * 0.085, back_y + h * 0.105),
            (stand_x + w * 0.07, back_y + h * 0.075),
            (stand_x - w * 0.07, back_y + h * 0.075),
        ],
        fill=(58, 60, 64),
    )
    d.polygon(
        [
            (stand_x - w * 0.085, back_y + h * 0.105),
            (stand_x + w * 0.085, back_y + h * 0.105),
            (stand_x + w * 0.085, back_y + h * 0.112),
            (stand_x - w * 0.085, back_y + h * 0.112),
        ],
        fill=(35, 36, 39),
    )
    d.rectangle(
        (stand_x - w * 0.022, my1 - h * 0.02, stand_x + w * 0.022, back_y + h * 0.085),
        fill=(72, 74, 79),
    )
    d.rectangle(
        (stand_x - w * 0.022, my1 - h * 0.02, stand_x - w * 0.012, back_y + h * 0.085),
        fill=(92, 94, 99),
    )
    # bezel and screen
    d.rounded_rectangle((mx0, my0, mx1, my1), radius=h * 0.008, fill=(22, 23, 26))
    d.rectangle((mx0, my1 - h * 0.028, mx1, my1), fill=(30, 31, 35))
    bez = h * 0.012
    sw, sh = int(mx1 - mx0 - 2 * bez), int(my1 - my0 - bez - h * 0.028)
    img.paste(_screen(sw, sh, rng), (int(mx0 + bez), int(my0 + bez)))
    d = ImageDraw.Draw(img)
    # a faint reflection across the glass
    glare = Image.new("L", img.size, 0)
    ImageDraw.Draw(glare).polygon(
        [
            (mx0 + (mx1 - mx0) * 0.05, my0),
            (mx0 + (mx1 - mx0) * 0.22, my0),
            (mx0 + (mx1 - mx0) * 0.10, my1),
            (mx0 - (mx1 - mx0) * 0.07, my1),
        ],
        fill=22,
    )
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rectangle((mx0 + bez, my0 + bez, mx0 + bez + sw, my0 + bez + sh), fill=255)
    glare = Image.fromarray(np.minimum(np.asarray(glare), np.asarray(mask)))
    img.paste((255, 255, 255), (0, 0), glare)
    d = ImageDraw.Draw(img)
    boxes["monitor"] = (mx0, my0, mx1, back_y + h * 0.112)

    # ---- keyboard (in perspective, keys in rows) ----------------------------------------------
    kt, kb = h * 0.70, h * 0.86  # top and bottom edge rows
    kl_t, kr_t = w * 0.30, w * 0.68
    kl_b, kr_b = w * 0.27, w * 0.71
    _shadow(img, (kl_b - w * 0.01, kb - h * 0.02, kr_b + w * 0.01, kb + h * 0.035), h * 0.01, 170)
    d = ImageDraw.Draw(img)
    thick = h * 0.018
    d.polygon([(kl_b, kb), (kr_b, kb), (kr_b, kb + thick), (kl_b, kb + thick)], fill=(28, 29, 32))
    d.polygon([(kl_t, kt), (kr_t, kt), (kr_b, kb), (kl_b, kb)], fill=(44, 46, 51))
    rows = 6
    for r in range(rows):
        t0 = (r + 0.12) / rows
        t1 = (r + 0.88) / rows
        y0 = kt + (kb - kt) * t0
        y1 = kt + (kb - kt) * t1
        l0, r0 = kl_t + (kl_b - kl_t) * t0, kr_t + (kr_b - kr_t) * t0
        l1, r1 = kl_t + (kl_b - kl_t) * t1, kr_t + (kr_b - kr_t) * t1
        if r == 0:
            units = [1.0] * 15
        elif r == rows - 1:
            units = [1.3, 1.3, 1.3, 6.5, 1.3, 1.3, 1.3, 1.3]
        elif r == 1:
            units = [1.0] * 13 + [2.0]
        elif r == 2:
            units = [1.5] + [1.0] * 12 + [1.5]
        elif r == 3:
            units = [1.8] + [1.0] * 11 + [2.2]
        else:
            units = [2.3] + [1.0] * 10 + [2.7]
        total = sum(units)
        acc = 0.0
        for u in units:
            a0 = (acc + 0.08) / total
            a1 = (acc + u - 0.08) / total
            acc += u
            pts = [
                (l0 + (r0 - l0) * a0, y0),
                (l0 + (r0 - l0) * a1, y0),
                (l1 + (r1 - l1) * a1, y1),
                (l1 + (r1 - l1) * a0, y1),
            ]
            d.polygon(pts, fill=(74, 77, 84))
            # the key's lit top face, a little inset
            cx = sum(p[0] for p in pts) / 4
            cy = sum(p[1] for p in pts) / 4
            inner = [
                (cx + (px - cx) * 0.78, cy + (py - cy) * 0.72 - (y1 - y0) * 0.08) for px, py in pts
            ]
            d.polygon(inner, fill=(96, 99, 107))
    boxes["keyboard"] = (kl_b, kt, kr_b, kb + thick)

    # ---- mouse ---------------------------------------------------------------------------------
    mcx, mcy = w * 0.80, h * 0.80
    mrx, mry = w * 0.032, h * 0.060
    _shadow(
        img, (mcx - mrx * 1.1, mcy - mry * 0.6, mcx + mrx * 1.3, mcy + mry * 1.25), h * 0.01, 170
    )
    d = ImageDraw.Draw(img)
    d.ellipse((mcx - mrx, mcy - mry, mcx + mrx, mcy + mry), fill=(36, 37, 41))
    d.ellipse(
        (mcx - mrx * 0.86, mcy - mry * 0.92, mcx + mrx * 0.80, mcy + mry * 0.70), fill=(58, 60, 66)
    )
    d.ellipse(
        (mcx - mrx * 0.6, mcy - mry * 0.85, mcx + mrx * 0.1, mcy - mry * 0.1), fill=(78, 80, 88)
    )
    d.line([(mcx, mcy - mry * 0.95), (mcx, mcy - mry * 0.2)], fill=(24, 24, 27), width=int(SS * 2))
    d.rounded_rectangle(
        (mcx - mrx * 0.1, mcy - mry * 0.72, mcx + mrx * 0.1, mcy - mry * 0.45),
        radius=mrx * 0.08,
        fill=(130, 132, 140),
    )
    boxes["mouse"] = (mcx - mrx, mcy - mry, mcx + mrx, mcy + mry)

    # ---- mug -------------------------------------------------------------------------------------
    ux0, ux1 = w * 0.135, w * 0.215
    uy0, uy1 = h * 0.60, h * 0.77
    ew = ux1 - ux0
    eh = h * 0.028
    _shadow(img, (ux0 - ew * 0.1, uy1 - eh * 0.8, ux1 + ew * 0.35, uy1 + eh * 1.6), h * 0.01, 170)
    d = ImageDraw.Draw(img)
    # handle
    d.ellipse(
        (ux1 - ew * 0.12, uy0 + (uy1 - uy0) * 0.22, ux1 + ew * 0.38, uy0 + (uy1 - uy0) * 0.72),
        fill=(196, 70, 52),
    )
    d.ellipse(
        (ux1 + ew * 0.0, uy0 + (uy1 - uy0) * 0.32, ux1 + ew * 0.25, uy0 + (uy1 - uy0) * 0.62),
        fill=(0, 0, 0),
    )
    # re-fill the handle hole with what is behind it (the wall or the desk)
    hole = Image.new("L", img.size, 0)
    ImageDraw.Draw(hole).ellipse(
        (ux1 + ew * 0.0, uy0 + (uy1 - uy0) * 0.32, ux1 + ew * 0.25, uy0 + (uy1 - uy0) * 0.62),
        fill=255,
    )
    behind = img.crop(
        (int(ux1 + ew * 0.5), 0, int(ux1 + ew * 0.5) + img.size[0] // 20, img.size[1])
    )
    strip = Image.new("RGB", img.size)
    strip.paste(behind.resize((int(ew * 0.3) + 2, img.size[1])), (int(ux1 - ew * 0.02), 0))
    img.paste(strip, (0, 0), hole)
    d = ImageDraw.Draw(img)
    # body: shaded cylinder
    body = np.zeros((int(uy1 - uy0), int(ew), 3), dtype=np.float32)
    u = np.linspace(-1, 1, body.shape[1], dtype=np.float32)
    shading = 0.55 + 0.45 * np.clip(np.cos((u + 0.35) * 1.3), 0, 1)
    body[:] = np.array([0.82, 0.30, 0.22], dtype=np.float32)[None, None, :] * shading[None, :, None]
    body_img = Image.fromarray((body * 255).astype(np.uint8))
    bmask = Image.new("L", body_img.size, 0)
    ImageDraw.Draw(bmask).rectangle((0, 0, body_img.size[0], body_img.size[1] - eh / 2), fill=255)
    ImageDraw.Draw(bmask).ellipse(
        (0, body_img.size[1] - eh, body_img.size[0], body_img.size[1]), fill=255
    )
    img.paste(body_img, (int(ux0), int(uy0)), bmask)
    d = ImageDraw.Draw(img)
    d.ellipse((ux0, uy0 - eh / 2, ux1, uy0 + eh / 2), fill=(226, 120, 100))
    d.ellipse(
        (ux0 + ew * 0.06, uy0 - eh * 0.36, ux1 - ew * 0.06, uy0 + eh * 0.40), fill=(70, 40, 24)
    )
    boxes["mug"] = (ux0, uy0 - eh / 2, ux1 + ew * 0.38, uy1)

    # ---- plant in a pot -----------------------------------------------------------------------
    px0, px1 = w * 0.80, w * 0.90
    py0, py1 = h * 0.46, h * 0.62
    pe = h * 0.025
    _shadow(img, (px0 - w * 0.01, py1 - pe, px1 + w * 0.03, py1 + pe * 1.5), h * 0.01, 170)
    d = ImageDraw.Draw(img)
    # leaves behind and above the pot: overlapping green ellipses, rotated
    for _ in range(34):
        ang = rng.uniform(-2.6, -0.5)
        length = rng.uniform(0.10, 0.22) * h
        bx = (px0 + px1) / 2 + rng.uniform(-0.25, 0.25) * (px1 - px0)
        by = py0 + pe * 0.2
        tipx = bx + np.cos(ang) * length
        tipy = by + np.sin(ang) * length
        widthl = rng.uniform(0.018, 0.03) * h
        nx, ny = -np.sin(ang) * widthl, np.cos(ang) * widthl
        midx, midy = (bx + tipx) / 2, (by + tipy) / 2
        g = rng.uniform(0.75, 1.15)
        colour = (int(52 * g), int(128 * g), int(60 * g))
        d.polygon(
            [(bx, by), (midx + nx, midy + ny), (tipx, tipy), (midx - nx, midy - ny)], fill=colour
        )
        d.line([(bx, by), (tipx, tipy)], fill=(int(40 * g), int(96 * g), int(44 * g)), width=SS * 2)
    # terracotta pot, tapered
    d.polygon(
        [(px0, py0), (px1, py0), (px1 - (px1 - px0) * 0.12, py1), (px0 + (px1 - px0) * 0.12, py1)],
        fill=(184, 98, 62),
    )
    d.polygon(
        [
            (px0, py0),
            (px0 + (px1 - px0) * 0.3, py0),
            (px0 + (px1 - px0) * 0.34, py1),
            (px0 + (px1 - px0) * 0.12, py1),
        ],
        fill=(204, 118, 80),
    )
    d.rectangle(
        (px0 - (px1 - px0) * 0.04, py0 - pe * 0.3, px1 + (px1 - px0) * 0.04, py0 + pe * 0.9),
        fill=(196, 108, 70),
    )
    boxes["plant"] = (px0 - (px1 - px0) * 0.6, h * 0.24, px1 + (px1 - px0) * 0.6, py1)

    # ---- a notebook and pen, left front ---------------------------------------------------------
    nb = [(w * 0.06, h * 0.84), (w * 0.19, h * 0.82), (w * 0.215, h * 0.97), (w * 0.07, h * 0.995)]
    _shadow(img, (w * 0.05, h * 0.85, w * 0.23, h * 1.01), h * 0.008, 130)
    d = ImageDraw.Draw(img)
    d.polygon(nb, fill=(38, 58, 92))
    d.line([nb[0], nb[3]], fill=(25, 38, 62), width=SS * 6)
    d.line([(w * 0.20, h * 0.83), (w * 0.245, h * 0.975)], fill=(210, 170, 60), width=SS * 7)

    # ---- light, lens and sensor ---------------------------------------------------------------
    img = img.resize((W, H), Image.Resampling.LANCZOS)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    r2 = ((xx - W * 0.45) / (W * 0.75)) ** 2 + ((yy - H * 0.45) / (H * 0.80)) ** 2
    vignette = 1.0 - 0.28 * np.clip(r2, 0, 1.5)
    window = 1.0 + 0.10 * np.clip(1 - xx / W * 1.6, 0, 1)  # daylight from the left
    arr = arr * (vignette * window)[..., None]
    arr = arr**0.96  # a touch of tone curve
    arr[..., 2] *= 0.97  # warm white balance
    img = Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.9)
    )
    arr = np.asarray(img, dtype=np.float32)
    arr += rng.normal(0, 3.2, arr.shape).astype(np.float32)  # sensor noise
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=90)
    scaled = {
        name: (
            int(max(0, x0 / SS)),
            int(max(0, y0 / SS)),
            int((min(w, x1) - max(0, x0)) / SS),
            int((min(h, y1) - max(0, y0)) / SS),
        )
        for name, (x0, y0, x1, y1) in boxes.items()
    }
    return DeskPhoto(path=path, width=W, height=H, boxes=scaled)


if __name__ == "__main__":  # python tests/desk_photo.py out.jpg
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "desk.jpg")
    print(render_desk_photo(out))
