"""Backdrop Studio: one product composited on a background at 1024×1024 on one core
(cv2.setNumThreads(1)).

Bar (brief 2.6 / issue 12): ≤ 200 ms p50 per composite at 1024². The product mattes are real:
photos from ../shared/data/products (a bottle, a bag, a watch; at most 2048 px, the working size)
cut out with U2Net-p + the guided-filter refinement (core.cutout), or skimage's coffee cup when
that folder is absent. The background is a 2048² textured studio floor drawn here (the size of
the starter assets), so the cover resize is part of the work. Timed: everything compose() does
(cover resize, trim, scale, shadows, reflection, blends, mask); not timed: the cut-out.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from harness import median, percentile, report, row
from pixelsmith.apps.backdrop.composite import compose
from pixelsmith.apps.backdrop.types import ASSET_SIDE, WORKING_MAX_SIDE, Asset, Lighting, Matte
from pixelsmith.core import cutout

BAR_MS = 200.0
SIDE = 1024
PRODUCTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "products"
PHOTOS = ("bottle_01.jpg", "bag_01.jpg", "watch_01.jpg")


def _photos() -> tuple[list[np.ndarray], str]:
    if all((PRODUCTS / f).exists() for f in PHOTOS):
        out = []
        for name in PHOTOS:
            img = Image.open(PRODUCTS / name).convert("RGB")
            img.thumbnail((WORKING_MAX_SIDE, WORKING_MAX_SIDE))
            out.append(np.asarray(img))
        return out, f"{', '.join(PHOTOS)} from ../shared/data/products"
    from skimage import data

    print(f"{PRODUCTS} not found: using skimage's coffee cup instead")
    return [data.coffee()], "skimage.data.coffee() (../shared/data/products absent)"


def _matte(rgb: np.ndarray) -> Matte:
    alpha = cutout.refine_alpha(rgb, cutout.salient_mask(rgb))
    a = np.round(alpha * 255).astype(np.uint8)
    ys, xs = np.nonzero(a)
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs) + 1), int(np.ptp(ys) + 1))
    return Matte(rgb=rgb, alpha=a, box=box, confidence=1.0)


def _studio_floor(side: int = ASSET_SIDE, floor_y: float = 0.8) -> np.ndarray:
    """A warm wall fading into a floor, with a mottled texture at several scales."""
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, side, dtype=np.float32)[:, None, None]
    wall = np.array([226, 218, 206], np.float32) * (1 - 0.12 * t)
    img = np.broadcast_to(wall, (side, side, 3)).copy()
    img[round(floor_y * side) :] *= 0.78
    for cells, amp in ((8, 10.0), (64, 6.0), (512, 4.0)):
        noise = rng.normal(0, amp, (cells, cells, 1)).astype(np.float32)
        img += cv2.resize(noise, (side, side), interpolation=cv2.INTER_CUBIC)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    photos, source = _photos()
    mattes = [_matte(p) for p in photos]
    background = _studio_floor()
    asset = Asset(
        "bench-floor",
        "Studio floor",
        "A warm studio wall and floor.",
        "studio_floor",
        "starter",
        ["#e2dace"],
        86.0,
        0.2,
        floor_y=0.8,
        width=ASSET_SIDE,
        height=ASSET_SIDE,
    )
    rows, notes = [], []
    for reflection in (False, True):
        lighting = Lighting(reflection=reflection)
        for m in mattes:
            compose(m, background, asset, lighting, size=(SIDE, SIDE))  # warm-up
        times = []
        for _ in range(args.runs):
            for m in mattes:
                t0 = time.perf_counter()
                compose(m, background, asset, lighting, size=(SIDE, SIDE))
                times.append((time.perf_counter() - t0) * 1000)
        label = "with floor reflection" if reflection else "contact + drop shadow"
        value = median(times)
        rows.append(
            row(f"per composite, {label} (p50)", value, "ms", f"≤ {BAR_MS:g} ms", value <= BAR_MS)
        )
        notes.append(f"{label}: p90 {percentile(times, 0.9):.0f} ms")
    sizes = ", ".join(f"{p.shape[1]}×{p.shape[0]}" for p in photos)
    report(
        "bench_backdrop_composite",
        "Backdrop Studio: composite at 1024×1024, one core",
        rows,
        notes=f"{args.runs} runs of each of {len(mattes)} real product mattes ({source}; "
        f"{sizes}) on a {ASSET_SIDE}² textured background, after a warm-up; "
        "cv2.setNumThreads(1). " + "; ".join(notes) + ".",
    )


if __name__ == "__main__":
    main()
