"""Cut-outs (core/cutout.py): U2Net-p at 320x320 on one core, the refinement, the whole cut-out
of a real photo, and drawing one demo desk item (first-run cost of the demo catalog).

Bar (brief, bundled model table): U2Net-p ≈ 200 ms at 320² on one CPU core.
"""

from __future__ import annotations

import argparse
import time

from harness import median, percentile, report, row
from skimage import data

from pixelsmith.core import cutout
from pixelsmith.core.catalog.demo import desk_drawings
from pixelsmith.core.catalog.drawings import draw_item
from pixelsmith.core.images import encode_image
from pixelsmith.core.models import u2net


def timed(fn, n: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    model = u2net.load(threads=1)
    photo = data.coffee()  # 400x600
    model.mask320(photo)  # warm-up
    infer = timed(lambda: model.mask320(photo), args.runs)
    mask = model.mask320(photo)
    refine = timed(lambda: cutout.refine_alpha(photo, mask), args.runs)
    whole = timed(lambda: cutout.cut_out(photo, model=model), args.runs)
    items = list(desk_drawings().values())
    draw = timed(lambda: [encode_image(draw_item(*it), "png") for it in items], 1)[0]
    rows = [
        row("U2Net-p 320² inference, 1 thread, p50", median(infer), "ms", "≈ 200", None),
        row("U2Net-p 320² inference, 1 thread, p95", percentile(infer, 0.95), "ms", "", None),
        row("refinement (guided filter) 600x400, p50", median(refine), "ms", "", None),
        row("cut_out() of a 600x400 photo, p50", median(whole), "ms", "", None),
        row("draw + PNG one demo desk item", draw / len(items), "ms", "", None),
        row("demo desk catalog first run (all items)", draw, "ms", "", None),
    ]
    report(
        "cutout",
        "Cut-outs (U2Net-p) and demo desk drawings",
        rows,
        notes="Measured on a 2-core machine shared with other work: figures are upper bounds.",
    )


if __name__ == "__main__":
    main()
