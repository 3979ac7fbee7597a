"""Sketch Studio panorama: 4 overlapping photos of about 1000 px each → one panorama.

Bar (issue 5): ≤ 5 s. The views are cut from a real photo (scikit-image's stereo_motorcycle,
enlarged) and varied in perspective, exposure and scale, then stitched in panorama mode with
the border crop, the same `stitch()` the job runs. Default OpenCV threading (2 cores here).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import cv2

from harness import median, report, row

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "apps" / "studio"))
from studio_views import source, views  # noqa: E402

from pixelsmith.apps.studio.panorama import stitch  # noqa: E402

BAR_S = 5.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    src = source("stereo_motorcycle", upscale=3.0)
    vs, _ = views(src, 4, overlap=0.35)
    vs = [
        cv2.resize(
            v,
            None,
            fx=1000 / max(v.shape[:2]),
            fy=1000 / max(v.shape[:2]),
            interpolation=cv2.INTER_AREA,
        )
        for v in vs
    ]
    sizes = ", ".join(f"{v.shape[1]}×{v.shape[0]}" for v in vs)
    times, result = [], None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = stitch(vs, mode="panorama")
        times.append(time.perf_counter() - t0)
    h, w = result.image.shape[:2]
    value = median(times)
    report(
        "bench_studio_panorama",
        "Sketch Studio: panorama of 4 photos (~1000 px each)",
        [
            row("stitch + crop, 4 photos (median)", value, "s", f"≤ {BAR_S:g} s", value <= BAR_S),
            row("output width", w, "px", "–", None),
            row("output height", h, "px", "–", None),
        ],
        notes=f"{args.runs} runs; inputs {sizes} (views of an enlarged real photo with "
        f"perspective, exposure and scale changes); panorama mode; runs: "
        f"{', '.join(f'{t:.2f}' for t in times)} s.",
    )


if __name__ == "__main__":
    main()
