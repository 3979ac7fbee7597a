"""Sketch Studio filters at 1024×1024 on one core (cv2.setNumThreads(1)).

Bars (issue 5): every filter ≤ 300 ms, oil painting ≤ 1.5 s. Median of runs after a warm-up,
on a real photo (scikit-image's astronaut, resized to 1024×1024).
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np
from skimage import data

from harness import median, report, row
from pixelsmith.core.filters import apply_filter, filter_names

BARS_MS = {"oil": 1500.0}
DEFAULT_BAR_MS = 300.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    img = np.ascontiguousarray(
        cv2.resize(data.astronaut(), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    )
    rows, notes = [], []
    for name in filter_names():
        apply_filter(img, name)  # warm-up
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            apply_filter(img, name)
            times.append((time.perf_counter() - t0) * 1000)
        bar = BARS_MS.get(name, DEFAULT_BAR_MS)
        value = median(times)
        rows.append(row(f"{name} (median)", value, "ms", f"≤ {bar:g} ms", value <= bar))
        notes.append(f"{name} {min(times):.0f}–{max(times):.0f}")
    report(
        "bench_studio_filters",
        "Sketch Studio: filters at 1024×1024, one core",
        rows,
        notes=f"{args.runs} runs per filter after a warm-up, cv2.setNumThreads(1), default "
        "parameters, full resolution in and out. Cartoon, stylization and watercolour do their "
        "edge-preserving smoothing on a half-size copy (edges at full size). Range per filter "
        f"(ms): {', '.join(notes)}.",
    )


if __name__ == "__main__":
    main()
