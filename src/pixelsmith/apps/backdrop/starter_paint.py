"""Procedural studio backdrops: the painters behind the starter set (starter.py).

Everything is vectorised numpy/OpenCV on float32 RGB in 0..1. Noise is made on coarse random
grids and upsampled (cheap, smooth, seeded), so a 2048² backdrop takes a few hundred
milliseconds. Scenes are built the way a studio is: a wall or a sweep behind, a surface (a
tabletop or a floor) in perspective in front, a key light from the upper left, shallow depth of
field on what is far away, and a little film grain so gradients never band.

Each painter returns (rgb float32 HxWx3, floor_y, podium) where floor_y is the share of the
height where a product's base should stand and podium the (x, y, w, h) of a podium's top face
in pixels of this image, or None.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

Rgb = tuple[int, int, int]
Painted = tuple[np.ndarray, float, tuple[int, int, int, int] | None]
Texture = Callable[[int, np.random.Generator], np.ndarray]


# --------------------------------------------------------------------------- small helpers


def rgb(c: Rgb) -> np.ndarray:
    return np.asarray(c, dtype=np.float32) / 255.0


def mix(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """a + (b - a)·t with t HxW (or scalar) and a, b colours or HxWx3 images."""
    t = np.asarray(t, dtype=np.float32)
    if t.ndim == 2:
        t = t[:, :, None]
    return a + (b - a) * t


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def noise(h: int, w: int, cells_y: int, cells_x: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth value noise in about 0..1: a coarse random grid, bicubically upsampled."""
    grid = rng.random((cells_y + 1, cells_x + 1), dtype=np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def fbm(
    h: int,
    w: int,
    rng: np.random.Generator,
    *,
    cells: int = 3,
    octaves: int = 5,
    gain: float = 0.5,
    stretch: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """Fractal noise normalised to 0..1. `stretch` (y, x) divides the grid's cells along an
    axis: (1, 0.05) gives streaks along x, as in wood grain."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        c = cells * 2**o
        cy = max(1, min(h // 2, round(c * stretch[0])))
        cx = max(1, min(w // 2, round(c * stretch[1])))
        out += amp * noise(h, w, cy, cx, rng)
        total += amp
        amp *= gain
    out /= total
    lo, hi = (
        float(v) for v in np.percentile(out[:: max(1, h // 64), :: max(1, w // 64)], (0.5, 99.5))
    )
    return np.clip((out - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur, on a reduced copy when sigma is large (same look, a fraction of the cost)."""
    if sigma <= 0.5:
        return img
    h, w = img.shape[:2]
    f = 1
    while sigma / f > 6 and min(h, w) // (f * 2) >= 16:
        f *= 2
    small = cv2.resize(img, (w // f, h // f), interpolation=cv2.INTER_AREA) if f > 1 else img
    small = cv2.GaussianBlur(small, (0, 0), sigma / f)
    if f == 1:
        return small
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def grain(img: np.ndarray, rng: np.random.Generator, amount: float = 0.006) -> np.ndarray:
    """Film grain from a tiled 256² patch: breaks up banding in smooth gradients."""
    h, w = img.shape[:2]
    tile = rng.normal(0.0, amount, (256, 256)).astype(np.float32)
    reps = (-(-h // 256), -(-w // 256))
    g = np.tile(tile, reps)[:h, :w]
    return img + g[:, :, None]


def to_u8(img: np.ndarray) -> np.ndarray:
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def key_light(
    side: int, *, cx: float = 0.42, cy: float = 0.35, radius: float = 0.75, strength: float = 0.55
) -> np.ndarray:
    """A soft pool of light (1 at its centre, falling off), key light from the upper left."""
    y, x = np.ogrid[:side, :side]
    d = np.sqrt(((x / side - cx) / radius) ** 2 + ((y / side - cy) / radius) ** 2)
    return (1.0 - strength * smoothstep(0.0, 1.0, d.astype(np.float32))).astype(np.float32)


def vignette(side: int, strength: float = 0.18) -> np.ndarray:
    y, x = np.ogrid[:side, :side]
    d = ((x / side - 0.5) ** 2 + (y / side - 0.5) ** 2) * 2.0
    return (1.0 - strength * d).astype(np.float32)


# --------------------------------------------------------------------------- flat textures


def marble_texture(
    base: Rgb, vein: Rgb, *, cloud: Rgb | None = None, veins: float = 1.0, sharp: float = 10.0
) -> Texture:
    """Veins as the zero lines of a turbulent diagonal field: thin cores with a soft halo,
    fading in and out along their length, finer secondary veins across, cloudy patches."""

    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        warp = fbm(h, w, rng, cells=2, octaves=6)
        warp2 = fbm(h, w, rng, cells=3, octaves=6)
        y, x = np.mgrid[:h, :w].astype(np.float32) / side
        a = float(rng.uniform(0.5, 1.1))
        b = a + float(rng.uniform(0.9, 1.3))
        u = x * math.cos(a) + y * math.sin(a)
        s1 = np.abs(np.sin((u * 2.6 + warp * 1.7 + warp2 * 0.5) * np.pi))
        core = 1.0 - s1
        fade = 0.25 + 0.75 * smoothstep(0.15, 0.7, fbm(h, w, rng, cells=2, octaves=3))
        v_main = (core**sharp + 0.3 * core ** (sharp / 5)) * fade
        s2 = np.abs(np.sin(((x * math.cos(b) + y * math.sin(b)) * 6.0 + warp2 * 2.4) * np.pi))
        fade2 = smoothstep(0.45, 0.9, fbm(h, w, rng, cells=3, octaves=3))
        v = np.clip((v_main + (1.0 - s2) ** (sharp * 2.5) * 0.55 * fade2) * veins, 0.0, 1.0)
        v = blur(v, side / 1600)
        out = np.broadcast_to(rgb(base), (h, w, 3)).copy()
        clouds = fbm(h, w, rng, cells=4, octaves=5)
        out = mix(out, rgb(cloud or vein), 0.3 * smoothstep(0.5, 1.0, clouds))
        return mix(out, rgb(vein), v * 0.8)

    return paint


def wood_texture(light: Rgb, dark: Rgb, *, planks: int = 6, seams: bool = True) -> Texture:
    """Planks along x with grain streaks and rings, a tone per plank, dark gaps and butt joints."""

    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        streak = fbm(h, w, rng, cells=6, octaves=5, stretch=(4.0, 0.08))
        wave = fbm(h, w, rng, cells=2, octaves=3, stretch=(1.0, 0.5))
        y, x = np.mgrid[:h, :w].astype(np.float32) / side
        ph = 1.0 / planks
        pid = np.minimum((y / ph).astype(np.int32), planks - 1)
        phase = rng.uniform(0, 10, planks).astype(np.float32)[pid]
        fine = fbm(h, w, rng, cells=24, octaves=3, stretch=(4.0, 0.05))
        rings = 0.5 + 0.5 * np.sin((y * 70.0 + wave * 2.5 + fine * 1.5 + phase) * np.pi)
        g = np.clip(0.5 * streak + 0.25 * fine + 0.25 * rings**4, 0.0, 1.0)
        tone = rng.uniform(-0.07, 0.07, planks).astype(np.float32)[pid]
        out = mix(rgb(dark), rgb(light), np.clip(g * 0.85 + 0.15 + tone, 0.0, 1.0))
        gap = 1.0 - 0.55 * (np.abs(y / ph - np.round(y / ph)) * ph * side < max(1.0, side / 900))
        if seams:
            offs = rng.uniform(0, 1, planks).astype(np.float32)[pid]
            joint = ((x + offs) % 0.7) * side < max(1.0, side / 900)
            gap = gap * (1.0 - 0.45 * joint)
        return out * gap[:, :, None]

    return paint


def herringbone_texture(light: Rgb, dark: Rgb, *, width: float = 0.045, ratio: int = 4) -> Texture:
    """Herringbone parquet: planks `ratio` times longer than wide, in staircase bands,
    the whole laid at 45°. Every plank has its own tone and its grain follows its length."""

    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        y, x = np.mgrid[:h, :w].astype(np.float32) / side
        c, s = np.float32(np.cos(np.pi / 4)), np.float32(np.sin(np.pi / 4))
        u = (x * c - y * s) / width + 1000.0  # plank-width units, kept positive
        v = (x * s + y * c) / width + 1000.0
        fu, fv = np.floor(u), np.floor(v)
        m = ratio
        d = fv - fu
        k = np.floor((d + m - 1) / (2 * m))
        r = (d + m - 1) - k * 2 * m
        horiz = r < m
        n = np.where(horiz, fv - m * k, fu + m * k)
        along = np.where(horiz, u - (n - m * k), v - (n + m * k + 1))  # 0..m along the plank
        across = np.where(horiz, v - fv, u - fu)  # 0..1 across it
        pid = (n * 7919 + k * 104729 + horiz * 31).astype(np.int64) % 4096
        tones = rng.uniform(-0.12, 0.12, 4096).astype(np.float32)
        offs = rng.uniform(0, 64, 4096).astype(np.float32)
        ns = 256
        streaks = fbm(ns, ns, rng, cells=8, octaves=4, stretch=(3.0, 0.1))
        map_x = ((along / m) * ns * 0.5 + offs[pid]) % (ns - 1)
        map_y = (across * ns * 0.25 + offs[pid] * 2.0) % (ns - 1)
        g = cv2.remap(streaks, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR)
        g = np.clip(g * 0.8 + 0.2 + tones[pid], 0.0, 1.0)
        out = mix(rgb(dark), rgb(light), g)
        edge = np.minimum(np.minimum(across, 1 - across), np.minimum(along, m - along))
        line = 1.0 - 0.5 * (edge * width * side < max(0.8, side / 1100))
        return out * line[:, :, None]

    return paint


def concrete_texture(base: Rgb, *, dark: Rgb | None = None, pores: float = 1.0) -> Texture:
    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        n = fbm(h, w, rng, cells=3, octaves=7, gain=0.58)
        blot = smoothstep(0.55, 0.9, fbm(h, w, rng, cells=2, octaves=3))
        lo = rgb(dark) if dark else rgb(base) * 0.78
        out = mix(rgb(base) * 1.04, lo, np.clip(0.35 * n + 0.45 * blot, 0, 1))
        count = int(side * side / 900 * pores)
        ys = rng.integers(0, h, count)
        xs = rng.integers(0, w, count)
        holes = np.zeros((h, w), np.float32)
        holes[ys, xs] = 1.0
        holes = cv2.GaussianBlur(holes, (0, 0), max(0.6, side / 2400)) * 4.0
        return out * (1.0 - 0.35 * np.clip(holes, 0, 1))[:, :, None]

    return paint


def linen_texture(base: Rgb, *, period: float = 0.0045) -> Texture:
    """Plain weave: warp and weft threads of uneven thickness (slubs), drawn at full size."""

    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        p = max(2.0, period * side)
        y, x = np.mgrid[:h, :w].astype(np.float32)
        jitter_x = noise(h, w, 3, 40, rng) * 2.0
        jitter_y = noise(h, w, 40, 3, rng) * 2.0
        warp = np.abs(np.sin(np.pi * (x / p + jitter_x)))
        weft = np.abs(np.sin(np.pi * (y / p + jitter_y)))
        slub_w = fbm(h, w, rng, cells=8, octaves=3, stretch=(0.05, 12.0))
        slub_h = fbm(h, w, rng, cells=8, octaves=3, stretch=(12.0, 0.05))
        over = ((np.floor(x / p) + np.floor(y / p)) % 2).astype(np.float32)
        thread = over * warp * (0.7 + 0.6 * slub_w) + (1 - over) * weft * (0.7 + 0.6 * slub_h)
        shade = 0.86 + 0.16 * np.clip(thread, 0, 1.3)
        soft = fbm(h, w, rng, cells=2, octaves=3)
        return rgb(base) * (shade * (0.96 + 0.06 * soft))[:, :, None]

    return paint


def terrazzo_texture(base: Rgb, chips: list[Rgb], *, density: float = 1.0) -> Texture:
    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        img = np.empty((h, w, 3), np.uint8)
        img[:] = base
        count = int(4500 * density * (side / 2048) ** 2) + 40
        for _ in range(count):
            r = rng.uniform(0.003, 0.012) * side * (2.0 if rng.random() < 0.08 else 1.0)
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            k = int(rng.integers(4, 8))
            ang = np.sort(rng.uniform(0, 2 * np.pi, k))
            rad = r * rng.uniform(0.55, 1.0, k)
            pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
            col = chips[int(rng.integers(0, len(chips)))]
            cv2.fillPoly(img, [np.round(pts).astype(np.int32)], col, lineType=cv2.LINE_AA)
        out = img.astype(np.float32) / 255.0
        soft = fbm(h, w, rng, cells=3, octaves=4)
        return out * (0.96 + 0.06 * soft)[:, :, None]

    return paint


def quartz_texture(base: Rgb, speck: Rgb) -> Texture:
    def paint(side: int, rng: np.random.Generator) -> np.ndarray:
        h = w = side
        clouds = fbm(h, w, rng, cells=3, octaves=5)
        out = mix(rgb(base), rgb(base) * 0.93, clouds * 0.6)
        dots = (rng.random((h, w), dtype=np.float32) > 0.9975).astype(np.float32)
        dots = cv2.GaussianBlur(dots, (0, 0), max(0.5, side / 2600)) * 3.0
        return mix(out, rgb(speck), np.clip(dots, 0, 0.8))

    return paint


def subway_tiles(side: int, rng: np.random.Generator, colour: Rgb, grout: Rgb) -> np.ndarray:
    tw, th = 0.11 * side, 0.055 * side
    y, x = np.mgrid[:side, :side].astype(np.float32)
    row = np.floor(y / th)
    xo = x + (row % 2) * tw / 2
    col = np.floor(xo / tw)
    lu, lv = (xo % tw) / tw, (y % th) / th
    g = max(1.5, side / 500)
    inside = np.minimum(np.minimum(lu * tw, (1 - lu) * tw), np.minimum(lv * th, (1 - lv) * th))
    tile = smoothstep(0.0, g, inside - g * 0.5)
    tone = ((row * 73 + col * 151) % 17 / 17.0 - 0.5) * 0.04
    gloss = 1.0 + 0.06 * (1 - lv) - 0.03 * smoothstep(0.0, g * 3, inside) + tone
    return mix(rgb(grout), rgb(colour) * gloss[:, :, None], tile)


# --------------------------------------------------------------------------- scenes


def perspective(tex: np.ndarray, side: int, horizon: float, *, tilt: float = 0.55) -> np.ndarray:
    """Lay a flat texture (side²) on a horizontal plane seen from a camera a little above it:
    the plane's far edge at `horizon` (share of the height), the frame's bottom the near edge.
    Returns the side×side image of the plane (rows above the horizon hold the far edge)."""
    y_h = horizon * side
    y_v = y_h - tilt * side  # the plane's vanishing line, above the frame
    rows = np.arange(side, dtype=np.float32)
    d = np.maximum(rows - y_v, 1.0) / side
    z = 1.0 / d  # depth along the plane
    z_far, z_near = 1.0 / tilt, 1.0 / (tilt + 1.0 - horizon)
    cols = (np.arange(side, dtype=np.float32) - side / 2) / side
    width = z_far  # world size of the texture: the far edge just spans it
    t = side - 1
    map_x = ((cols[None, :] * z[:, None]) / width + 0.5) * t
    map_y = np.broadcast_to(
        ((z_far - z) / width * t + (1 - (z_far - z_near) / width) * t)[:, None], (side, side)
    )
    return cv2.remap(
        tex,
        map_x.astype(np.float32),
        np.ascontiguousarray(map_y, dtype=np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT101,
    )


def tabletop(
    side: int,
    rng: np.random.Generator,
    surface: Texture,
    wall: Rgb | np.ndarray,
    *,
    horizon: float = 0.56,
    wall_texture: Texture | None = None,
    wall_blur: float = 0.006,
    gloss: float = 0.0,
) -> Painted:
    """A surface in perspective in front of a softly lit wall, product on the surface."""
    tex = surface(side, rng)
    plane = perspective(tex, side, horizon)
    y = np.arange(side, dtype=np.float32)[:, None] / side
    # depth of field: sharp in front, softer toward the back edge
    far = smoothstep(horizon + 0.22, horizon, y)
    plane = mix(plane, blur(plane, side * 0.004), far)
    light = key_light(side, cy=horizon + 0.1, radius=0.9, strength=0.3)
    plane = plane * (light * (0.9 + 0.1 * smoothstep(1.0, horizon, y)))[:, :, None]
    if gloss:
        plane = plane + gloss * smoothstep(horizon + 0.25, horizon, y)[:, :, None]
    if wall_texture is not None:
        w_img = wall_texture(side, rng)
    else:
        w_img = np.broadcast_to(rgb(wall) if isinstance(wall, tuple) else wall, (side, side, 3))
    w_img = blur(np.ascontiguousarray(w_img, dtype=np.float32), side * wall_blur)
    wall_light = key_light(side, cy=horizon - 0.05, radius=0.8, strength=0.25) * (
        0.9 + 0.1 * smoothstep(0.0, horizon, y)
    )
    w_img = w_img * wall_light[:, :, None]
    shade = 1.0 - 0.12 * smoothstep(horizon - 0.05, horizon, y)  # the wall darkens at the edge
    w_img = w_img * shade[:, :, None]
    below = smoothstep(horizon - 0.0015, horizon + 0.0015, y)
    out = mix(w_img, plane, np.broadcast_to(below, (side, side)))
    edge = np.exp(-(((y - horizon - 0.004) / 0.0025) ** 2))  # the surface's lit front edge
    out = out * (1.0 + 0.08 * edge)[:, :, None]
    out = out * vignette(side, 0.12)[:, :, None]
    return grain(out, rng), min(0.9, horizon + 0.26), None


def flat(side: int, rng: np.random.Generator, surface: Texture, *, light: float = 1.0) -> Painted:
    """A texture seen from straight above (flat lay), lit from the upper left."""
    out = surface(side, rng) * (key_light(side, radius=1.2, strength=0.3) * light)[:, :, None]
    return grain(out * vignette(side, 0.1)[:, :, None], rng), 0.82, None


def gradient(
    side: int, rng: np.random.Generator, centre: Rgb, edge: Rgb, *, top: Rgb | None = None
) -> Painted:
    """A radial studio gradient (light behind the product), optionally toward another colour
    at the top (a duotone)."""
    y, x = np.ogrid[:side, :side]
    d = np.sqrt(((x / side - 0.5) / 0.8) ** 2 + ((y / side - 0.58) / 0.72) ** 2)
    t = smoothstep(0.0, 1.0, d.astype(np.float32))
    out = mix(rgb(centre), rgb(edge), np.broadcast_to(t, (side, side)))
    if top is not None:
        ty = smoothstep(0.65, 0.0, np.arange(side, dtype=np.float32) / side)[:, None]
        out = mix(out, rgb(top), np.broadcast_to(ty * 0.85, (side, side)))
    return grain(out, rng, 0.005), 0.8, None


def sweep_image(
    side: int, colour: Rgb, *, bend: float = 0.66, floor_tint: float = 1.04
) -> np.ndarray:
    """A seamless paper sweep: the wall's falloff toward the top, a soft bright bend, the floor
    coming toward the camera, light from the upper left."""
    y = np.arange(side, dtype=np.float32) / side
    wall = 0.86 + 0.14 * smoothstep(0.0, bend, y)
    floor = floor_tint - 0.08 * smoothstep(bend + 0.05, 1.0, y)
    prof = mix(wall, floor, smoothstep(bend - 0.08, bend + 0.1, y))
    prof = prof + 0.035 * np.exp(-(((y - bend) / 0.06) ** 2))
    light = key_light(side, cy=bend - 0.1, radius=0.95, strength=0.18)
    shade = prof[:, None] * light
    return rgb(colour) * shade[:, :, None]


def paper_sweep(side: int, rng: np.random.Generator, colour: Rgb, *, bend: float = 0.66) -> Painted:
    out = sweep_image(side, colour, bend=bend)
    fibres = fbm(side, side, rng, cells=64, octaves=2)
    out = out * (0.995 + 0.01 * fibres)[:, :, None]
    return grain(out * vignette(side, 0.06)[:, :, None], rng), 0.8, None


def studio_floor(
    side: int, rng: np.random.Generator, wall: Rgb, floor: Rgb, *, horizon: float = 0.6
) -> Painted:
    """A cyclorama-less studio: a painted wall meeting a smooth floor at a crisp horizon line,
    a pool of light on the floor, a faint reflection of the wall in the floor's sheen."""
    y = np.arange(side, dtype=np.float32)[:, None] / side
    w_img = (
        np.broadcast_to(rgb(wall), (side, side, 3))
        * (0.82 + 0.18 * smoothstep(0.0, horizon, y))[:, :, None]
    )
    sheen = fbm(side, side, rng, cells=2, octaves=3, stretch=(0.4, 1.5))
    f_img = rgb(floor) * (0.93 + 0.1 * smoothstep(1.0, horizon, y) + 0.03 * sheen)[:, :, None]
    below = smoothstep(horizon - 0.001, horizon + 0.001, y)
    out = mix(w_img, f_img, np.broadcast_to(below, (side, side)))
    shadow = 1.0 - 0.1 * np.exp(-(((y - horizon) / 0.012) ** 2)) * (y < horizon)
    out = out * (shadow * key_light(side, cy=horizon, radius=0.9, strength=0.35))[:, :, None]
    return grain(out * vignette(side)[:, :, None], rng), min(0.9, horizon + 0.22), None


def bokeh(
    side: int,
    rng: np.random.Generator,
    bg_top: Rgb,
    bg_bottom: Rgb,
    lights: list[Rgb],
    *,
    horizon: float = 0.64,
) -> Painted:
    """Out-of-focus lights (discs with a brighter rim) behind a glossy dark surface that
    reflects them."""
    y = np.arange(side, dtype=np.float32)[:, None] / side
    out = mix(rgb(bg_top), rgb(bg_bottom), np.broadcast_to(y, (side, side)))
    s = side // 2
    layer = np.zeros((s, s, 3), np.float32)
    for _ in range(70):
        r = rng.uniform(0.02, 0.07) * s
        cx, cy = rng.uniform(0, s), rng.uniform(-0.05, horizon + 0.02) * s
        a = rng.uniform(0.12, 0.45)
        col = rgb(lights[int(rng.integers(0, len(lights)))]) * a
        x0, x1 = int(max(0, cx - r - 2)), int(min(s, cx + r + 3))
        y0, y1 = int(max(0, cy - r - 2)), int(min(s, cy + r + 3))
        if x1 <= x0 or y1 <= y0:
            continue
        yy, xx = np.ogrid[y0:y1, x0:x1]
        dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / r
        disc = smoothstep(1.0, 0.93, dist.astype(np.float32)) * (0.8 + 0.35 * dist**6)
        layer[y0:y1, x0:x1] += disc[:, :, None] * col
    layer = cv2.GaussianBlur(layer, (0, 0), s / 700 + 0.6)
    layer = cv2.resize(layer, (side, side), interpolation=cv2.INTER_LINEAR)
    out = 1.0 - (1.0 - out) * (1.0 - np.clip(layer, 0, 1))  # screen blend
    below = np.broadcast_to(smoothstep(horizon - 0.002, horizon + 0.002, y), (side, side))
    k = int(horizon * side)
    refl = np.zeros_like(out)
    n = min(k, side - k)
    refl[k : k + n] = out[k - n : k][::-1]
    refl = blur(refl, side * 0.01) * 0.35
    surf = rgb(bg_bottom) * 0.5 + refl
    surf = surf * (1.0 - 0.3 * smoothstep(horizon, 1.0, y))[:, :, None]
    out = mix(out, surf, below)
    return grain(out * vignette(side, 0.22)[:, :, None], rng, 0.008), min(0.9, horizon + 0.2), None


def cylinder(
    img: np.ndarray,
    side: int,
    body: np.ndarray | Rgb,
    *,
    cx: float = 0.5,
    top: float = 0.62,
    radius: float = 0.2,
    height: float = 0.16,
) -> tuple[int, int, int, int]:
    """Draw a lit cylinder podium standing on the floor (with its contact and cast shadows)
    into `img` in place; return its top face's box in pixels."""
    cxp, rx = cx * side, radius * side
    ry = rx * 0.17
    yt, yb = top * side, (top + height) * side
    # everything happens in the box around the podium and its shadows
    x0, x1 = max(0, int(cxp - 2.2 * rx)), min(side, int(cxp + 2.2 * rx) + 1)
    y0, y1 = max(0, int(yt - ry) - 2), min(side, int(yb + 4 * ry) + 2)
    roi = img[y0:y1, x0:x1]
    y, x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    full = isinstance(body, np.ndarray)
    colour = body[y0:y1, x0:x1] if full else rgb(body)
    dx = (x - cxp) / rx
    inside_x = np.abs(dx) <= 1.0
    rim = ry * np.sqrt(np.clip(1.0 - dx * dx, 0, 1))
    # shadows first, on the floor: a tight contact shadow and a soft one cast to the right
    dist = np.sqrt(((x - cxp) / (rx * 1.08)) ** 2 + ((y - yb) / (ry * 1.5)) ** 2)
    contact = smoothstep(1.15, 0.85, dist) * 0.45
    dist2 = np.sqrt(
        ((x - cxp - rx * 0.35) / (rx * 1.5)) ** 2 + ((y - yb - ry * 0.2) / (ry * 2.6)) ** 2
    )
    cast = smoothstep(1.2, 0.2, dist2) * 0.25
    roi *= (1.0 - np.maximum(contact, cast))[:, :, None]
    # the body: Lambert shading around the curve, the light from the upper left
    theta = np.arcsin(np.clip(dx, -1, 1))
    shade = 0.5 + 0.5 * np.clip(np.cos(theta + 0.55), 0, 1) + 0.06
    body_mask = inside_x & (y >= yt) & (y <= yb + rim)
    body_img = colour * shade[:, :, None]
    top_d = ((x - cxp) / rx) ** 2 + ((y - yt) / ry) ** 2
    top_mask = smoothstep(1.0, 0.96, top_d)
    top_img = colour * (1.04 - 0.05 * ((y - yt) / ry))[:, :, None]
    soft = cv2.GaussianBlur(body_mask.astype(np.float32), (0, 0), max(0.6, side / 1800))
    roi[:] = mix(roi, body_img, soft)
    roi[:] = mix(roi, np.clip(top_img, 0, 1.1), top_mask)
    edge = np.exp(-(((np.sqrt(top_d) - 1.0) / 0.03) ** 2)) * (y > yt)  # the bevel catches light
    roi *= (1.0 + 0.12 * edge)[:, :, None]
    return (round(cxp - rx), round(yt - ry), round(2 * rx), round(2 * ry))


def podium(
    side: int,
    rng: np.random.Generator,
    backdrop: Rgb,
    body: Rgb | Texture,
    *,
    radius: float = 0.2,
    top: float = 0.62,
    height: float = 0.16,
    arch: Rgb | None = None,
) -> Painted:
    """A cylinder podium on a paper sweep (optionally in front of an arch), product on top."""
    img = sweep_image(side, backdrop, bend=top + height * 0.55).astype(np.float32)
    if arch is not None:
        draw_arch(img, side, arch, bottom=top + height * 0.55)
    colour = body(side, rng) if callable(body) else body
    box = cylinder(img, side, colour, top=top, radius=radius, height=height)
    return grain(img * vignette(side, 0.14)[:, :, None], rng), top, box


def draw_arch(
    img: np.ndarray, side: int, colour: Rgb, *, bottom: float, width: float = 0.5
) -> None:
    """A recessed arch in the wall: a rounded-top panel with a shadowed inner edge."""
    y, x = np.mgrid[:side, :side].astype(np.float32) / side
    r = width / 2
    top_c = bottom - 0.42
    dx = x - 0.5
    dist = np.where(y < top_c, np.sqrt(dx * dx + (y - top_c) ** 2), np.abs(dx))
    inside = smoothstep(r + 0.002, r - 0.002, dist) * (y < bottom)
    panel = rgb(colour) * (0.92 + 0.08 * smoothstep(0.0, bottom, y))[:, :, None]
    panel = panel * (1.0 - 0.18 * smoothstep(r - 0.03, r, dist) * (dx < 0.1))[:, :, None]
    img[:] = mix(img, panel, inside)


def arch_set(
    side: int, rng: np.random.Generator, wall: Rgb, arch: Rgb, floor: Rgb, block: Rgb
) -> Painted:
    """A pastel set: a wall with an arch, a floor of another colour, a low round plinth."""
    y = np.arange(side, dtype=np.float32)[:, None] / side
    horizon = 0.7
    w_img = (
        np.broadcast_to(rgb(wall), (side, side, 3))
        * (0.88 + 0.12 * smoothstep(0.0, horizon, y))[:, :, None]
    )
    w_img = np.ascontiguousarray(w_img, dtype=np.float32)
    draw_arch(w_img, side, arch, bottom=horizon, width=0.46)
    f_img = rgb(floor) * (1.0 - 0.08 * smoothstep(horizon, 1.0, y))[:, :, None]
    out = mix(
        w_img, f_img, np.broadcast_to(smoothstep(horizon - 0.001, horizon + 0.001, y), (side, side))
    )
    out = out * key_light(side, cy=0.55, radius=0.95, strength=0.3)[:, :, None]
    out = np.ascontiguousarray(out, dtype=np.float32)
    box = cylinder(out, side, block, top=0.74, radius=0.17, height=0.07)
    return grain(out * vignette(side, 0.12)[:, :, None], rng), 0.74, box
