"""Desk Makeover analysis: p50 at 1600 px on one core; item precision / recall on dev labels.

Bar (issue 11): analyze() ≤ 1.5 s p50 on a 1600 px working photo, one core. Items are scored
against benchmarks/data/desk_items.json (hand-labelled boxes for photos in
../shared/data/desk): a detection is right when it overlaps a labelled box of the same item
label with IoU ≥ 0.3 (each label matched once).
"""

from __future__ import annotations

import argparse
import json
import time

import cv2
import numpy as np
import torch

from harness import ROOT, median, report, row
from pixelsmith.apps.desk.analysis import analyze
from pixelsmith.apps.desk.items import iou
from pixelsmith.apps.desk.types import WORKING_MAX_SIDE, Box

DESK_SET = ROOT.parent / "shared" / "data" / "desk"
LABELS = ROOT / "benchmarks" / "data" / "desk_items.json"


def working(path) -> np.ndarray:
    img = cv2.imread(str(path))[:, :, ::-1]
    s = WORKING_MAX_SIDE / max(img.shape[:2])
    if s < 1:
        img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    rows, notes = [], []
    photos = sorted(p for p in DESK_SET.glob("desk_[0-9]*.jpg")) if DESK_SET.is_dir() else []
    if not photos:
        report(
            "bench_desk_analysis", "Desk Makeover: analysis", [], notes=f"no photos at {DESK_SET}"
        )
        return
    analyze(working(photos[0]))  # load the models
    times, styles = [], []
    for p in photos:
        img = working(p)
        ts = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            res = analyze(img)
            ts.append((time.perf_counter() - t0) * 1000)
        times.append(median(ts))
        styles.append(f"{p.name} {res.style.style} ({res.style.evidence[0]})")
    p50 = median(times)
    rows.append(
        row(
            f"analyze() p50 at ≤ 1600 px, desk photos ({len(photos)})",
            p50,
            "ms",
            "≤ 1500 ms",
            p50 <= 1500,
        )
    )
    labels = json.loads(LABELS.read_text())["photos"]
    tp = fp = found = wanted = 0
    for name, truth in labels.items():
        res = analyze(working(DESK_SET / name))
        gt = [(t["label"], Box(*t["box"])) for t in truth]
        countable = [t.get("count_in_recall", True) for t in truth]
        used = [False] * len(gt)
        for it in res.items:
            hit = next(
                (
                    i
                    for i, (lab, box) in enumerate(gt)
                    if not used[i] and lab == it.label and iou(box, it.box) >= 0.3
                ),
                None,
            )
            if hit is None:
                fp += 1
            else:
                used[hit] = True
                tp += 1
        wanted += sum(countable)
        found += sum(u and c for u, c in zip(used, countable, strict=True))
    prec = tp / max(1, tp + fp)
    rec = found / max(1, wanted)
    rows.append(
        row(f"item precision, IoU ≥ 0.3 ({len(labels)} photos)", 100 * prec, "%", "–", None)
    )
    rows.append(row(f"item recall, IoU ≥ 0.3 ({wanted} labelled items)", 100 * rec, "%", "–", None))
    notes.append("Style per photo: " + "; ".join(styles) + ".")
    report(
        "bench_desk_analysis",
        "Desk Makeover: analysis at 1600 px, one core",
        rows,
        notes=f"analyze() on the working photo (longer side ≤ 1600 px), median of {args.runs} runs "
        "after a warm-up, torch/cv2/onnxruntime on one thread. Items: selective search on a "
        "256 px copy, ≤ 40 crops classified in one batch. " + " ".join(notes),
    )


if __name__ == "__main__":
    main()
