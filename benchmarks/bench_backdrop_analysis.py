"""Backdrop Studio analysis + brief: p50 on one core, and category accuracy on real products.

Bar (issue 12): analysis well under 100 ms p50 on a 1024² photo's matte on one core (the
classifier alone is ~16 ms in onnxruntime); the brief in milliseconds (rules, no models).
Timed from a ready Matte: the cut-out is another step with its own benchmark (bench_cutout.py).

Sets: the real product photos in ../shared/data/products (labels.csv; their `label` mapped onto
Backdrop's categories, LABEL_TO_CATEGORY), skipped with a note when the folder is absent; and a
synthetic set drawn here (spheres, bars, woven patches) for the timing alone.
"""

from __future__ import annotations

import argparse
import csv
import time

import cv2
import numpy as np
import torch

from harness import ROOT, median, percentile, report, row
from pixelsmith.apps.backdrop.analysis import analyze
from pixelsmith.apps.backdrop.brief import make_brief
from pixelsmith.core.cutout import Matte

PRODUCTS = ROOT.parent / "shared" / "data" / "products"
SIDE = 1024
LABEL_TO_CATEGORY = {  # labels.csv's words → types.CATEGORIES
    "bag": "bag",
    "watch": "watch",
    "bottle": "bottle",
    "fitness": "sports",
    "keyboard": "electronics",
    "perfume": "cosmetics",
}


def photo_at(path, side: int = SIDE) -> np.ndarray:
    img = cv2.imread(str(path))[:, :, ::-1]
    s = side / max(img.shape[:2])
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(img, None, fx=s, fy=s, interpolation=interp))


def matte_of(rgb: np.ndarray) -> Matte:
    """core.cutout.matte when this tree has it, else the saliency map thresholded."""
    from pixelsmith.core import cutout

    if hasattr(cutout, "matte"):
        return cutout.matte(rgb)
    alpha = np.round(cutout.refine_alpha(rgb, cutout.salient_mask(rgb)) * 255).astype(np.uint8)
    ys, xs = np.nonzero(alpha)
    if ys.size == 0:
        raise cutout.NoObjectFound("nothing stands out")
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs) + 1), int(np.ptp(ys) + 1))
    return Matte(rgb=rgb, alpha=alpha, box=box, confidence=1.0)


def synthetic_mattes(n: int = 12) -> list[Matte]:
    rng = np.random.default_rng(5)
    out = []
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    for i in range(n):
        r = rng.uniform(200, 420)
        cx, cy = rng.uniform(r, SIDE - r, 2)
        d2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / r**2
        inside = d2 <= 1
        colour = rng.integers(20, 235, 3).astype(np.float32)
        shade = 0.3 + 0.7 * np.sqrt(np.clip(1 - d2, 0, 1))
        img = colour * shade[..., None] + rng.normal(0, 4 if i % 3 else 14, (SIDE, SIDE, 1))
        if i % 2:  # a specular spot
            img += (
                255
                * np.exp(-((xx - cx + r / 3) ** 2 + (yy - cy + r / 3) ** 2) / (r / 12) ** 2)[
                    ..., None
                ]
            )
        rgb = np.clip(img, 0, 255).astype(np.uint8)
        alpha = np.where(inside, 255, 0).astype(np.uint8)
        ys, xs = np.nonzero(alpha)
        box = (int(xs.min()), int(ys.min()), int(np.ptp(xs) + 1), int(np.ptp(ys) + 1))
        out.append(Matte(rgb=rgb, alpha=alpha, box=box, confidence=1.0))
    return out


def time_set(mattes: list[Matte], runs: int, classifier) -> tuple[list[float], list[float], list]:
    a_ms, b_ms, results = [], [], []
    for m in mattes:
        ta, tb = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            res = analyze(m, classifier=classifier)
            t1 = time.perf_counter()
            make_brief(res)
            t2 = time.perf_counter()
            ta.append((t1 - t0) * 1000)
            tb.append((t2 - t1) * 1000)
        a_ms.append(median(ta))
        b_ms.append(median(tb))
        results.append(res)
    return a_ms, b_ms, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    from pixelsmith.core.models import get

    classifier = get("classifier")
    rows, notes = [], []
    synth = synthetic_mattes()
    analyze(synth[0], classifier=classifier)  # warm-up
    a_ms, b_ms, _ = time_set(synth, args.runs, classifier)
    rows.append(
        row(
            f"analyze() p50, synthetic 1024² mattes ({len(synth)})",
            median(a_ms),
            "ms",
            "< 100 ms",
            median(a_ms) < 100,
        )
    )
    rows.append(
        row("make_brief() p50, synthetic", median(b_ms), "ms", "a few ms", median(b_ms) < 5)
    )

    photos = sorted(PRODUCTS.glob("*.jpg")) if PRODUCTS.is_dir() else []
    if not photos:
        notes.append(f"No real product set at {PRODUCTS}: real-photo rows skipped.")
    else:
        labels = {r["file"]: r["label"] for r in csv.DictReader(open(PRODUCTS / "labels.csv"))}
        mattes, truth, names = [], [], []
        for p in photos:
            if p.name not in labels:
                continue
            mattes.append(matte_of(photo_at(p)))
            truth.append(LABEL_TO_CATEGORY.get(labels[p.name], labels[p.name]))
            names.append(p.name)
        a_ms, b_ms, results = time_set(mattes, args.runs, classifier)
        p50a, p95a = median(a_ms), percentile(a_ms, 0.95)
        rows.append(
            row(
                f"analyze() p50, products at 1024 px ({len(mattes)})",
                p50a,
                "ms",
                "< 100 ms",
                p50a < 100,
            )
        )
        rows.append(row("analyze() p95, products", p95a, "ms", "–", None))
        rows.append(
            row("make_brief() p50, products", median(b_ms), "ms", "a few ms", median(b_ms) < 5)
        )
        right = [r.category == t for r, t in zip(results, truth, strict=True)]
        acc = 100 * sum(right) / len(right)
        rows.append(
            row(
                f"category accuracy, products/labels.csv ({len(right)} photos)", acc, "%", "–", None
            )
        )
        wrong = [
            f"{n}: {r.category} ({r.labels[0][0]}) for {t}"
            for n, r, t, ok in zip(names, results, truth, right, strict=True)
            if not ok
        ]
        if wrong:
            notes.append("Missed: " + "; ".join(wrong) + ".")
        mats = {}
        for r in results:
            mats[r.main_material] = mats.get(r.main_material, 0) + 1
        notes.append(
            "Main materials on the products: "
            + ", ".join(f"{k} {v}" for k, v in sorted(mats.items()))
            + "."
        )
    report(
        "bench_backdrop_analysis",
        "Backdrop Studio: product analysis and brief, one core",
        rows,
        notes=f"analyze() from a ready Matte (median of {args.runs} runs per image after a "
        "warm-up), "
        "classifier in onnxruntime on one thread, cv2 on one thread; make_brief() on its result. "
        + " ".join(notes),
    )


if __name__ == "__main__":
    main()
