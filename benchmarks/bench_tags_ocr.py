"""Tag Scanner recognition: exact match and latency per crop on rendered shoe-tag crops.

Bars (issue 3): ≥ 90% exact match (ignoring case, spaces and dashes), ≤ 150 ms p50 per crop on
one core. The crops are rendered at run time by `pixelsmith.apps.tags.synth` with a fixed seed.
The reported set is *held out*: a seed, fonts and photo backgrounds that tuning never used
(tuning used the "dev" split, seeds 1 and 3). The dev figure is printed alongside.

One core: onnxruntime runs with intra_op_num_threads=1 and OpenCV with setNumThreads(1).

Real crops (issue 14): when `../shared/data/tags-real-dev` is present (63 real phone crops,
`gt.txt`; read in place, never copied), the benchmark also reports exact and top-3 match on
them, the same crops turned by 90°, 180° and 270° (what a wrong EXIF Orientation tag or a
vertical code does to the pixels), and the gap to the synthetic held-out figure. Bar there:
≥ 93% exact. Scoring as the set's README: upper-case, only A–Z and 0–9 compared.

Auto-find (issue 14, item 4): each real crop is pasted into a synthetic 1600×1067 "whole
photo" (a blurred photo background, a label with four lines of other tag text: sizes, origin,
a barcode number, a brand line) and the photo goes to `find_code` (what a scan with no crop
box runs on a photo of 800 px or more). "Found" means
the returned box's centre lies on the pasted code. Bar: ≤ 600 ms p50 per 1600 px photo on one
core. A rendered 1600×1067 box-label photo (tests/tag_photo.py) is timed as well.

    cd benchmarks && ../.venv/bin/python bench_tags_ocr.py            # 400 held-out crops
    cd benchmarks && ../.venv/bin/python bench_tags_ocr.py --n 60     # quick mode
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from harness import median, percentile, report, row  # noqa: E402
from pixelsmith.apps.tags import codes  # noqa: E402
from pixelsmith.apps.tags.recognize import find_code, recognize  # noqa: E402
from pixelsmith.apps.tags.synth import make_dataset  # noqa: E402
from pixelsmith.core.models.ocr import load  # noqa: E402

HELDOUT_SEED = 20240917
DEV_SEED = 1
ROOT = Path(__file__).resolve().parent.parent
REAL_DEV = ROOT.parent / "shared" / "data" / "tags-real-dev"
PHOTO_SIZE = (1600, 1067)


def evaluate(model, n: int, seed: int, split: str) -> dict:
    samples = make_dataset(n, seed, split=split)
    recognize(samples[0].rgb, ocr=model)  # warm-up (session allocations)
    hits, top3, lat = 0, 0, []
    groups: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    stages: collections.Counter[str] = collections.Counter()
    for s in samples:
        t = time.perf_counter()
        r = recognize(s.rgb, ocr=model)
        lat.append((time.perf_counter() - t) * 1000)
        ok = codes.same_code(r.code, s.label)
        hits += ok
        top3 += any(codes.same_code(c, s.label) for c, _ in r.alternatives[:3])
        stages[r.stage] += 1
        m = s.meta
        keys = [
            f"difficulty {s.difficulty}",
            f"family {s.family}",
            f"crop {m['crop']}",
            "tilt > 15°" if abs(m["tilt"]) > 15 else None,
            "text < 20 px" if m["text_h"] < 20 else None,
            "neighbouring text" if m["neighbours"] else None,
            "glare" if m["glare"] else None,
            "low contrast" if m["low_contrast"] else None,
            "light on dark" if m["dark"] else None,
            "photo background" if m["background"] == "photo" else None,
        ]
        for k in keys:
            if k:
                groups[k][0] += ok
                groups[k][1] += 1
    return {
        "n": n,
        "acc": hits / n,
        "top3": top3 / n,
        "p50": median(lat),
        "p95": percentile(lat, 0.95),
        "groups": dict(groups),
        "stages": dict(stages),
    }


def real_key(code: str) -> str:
    """The real set's scoring key: upper-case, only A–Z and 0–9."""
    return "".join(c for c in code.upper() if c.isascii() and c.isalnum())


def load_real(root: Path) -> list[tuple[str, np.ndarray, str]]:
    rows = []
    for line in (root / "gt.txt").read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            path, label = line.split("\t", 1)
            with Image.open(root / path) as im:  # as stored: the EXIF tag is not applied
                rows.append((path, np.asarray(im.convert("RGB")), label.strip()))
    return rows


def evaluate_real(model, rows, quarter_turns: int = 0) -> dict:
    hits, top3, lat, misses, turned = 0, 0, [], [], 0
    for path, rgb, label in rows:
        img = np.ascontiguousarray(np.rot90(rgb, quarter_turns))
        t = time.perf_counter()
        r = recognize(img, ocr=model)
        lat.append((time.perf_counter() - t) * 1000)
        ok = real_key(r.code) == real_key(label)
        hits += ok
        top3 += any(real_key(c) == real_key(label) for c, _ in r.alternatives[:3])
        turned += any(k.startswith("turn") for k in r.timings)
        if not ok:
            misses.append(f"{path}: {label!r} read {r.code!r}")
    n = len(rows)
    return {"n": n, "acc": hits / n, "top3": top3 / n, "p50": median(lat),
            "p95": percentile(lat, 0.95), "turned": turned / n, "misses": misses}  # fmt: skip


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size)


def whole_photo(crop: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
    """A 1600×1067 synthetic photo with the real crop pasted on a label among other tag text;
    the crop's (x0, y0, x1, y1) in the photo."""
    from skimage import data

    bg = Image.fromarray(data.coffee()).resize(PHOTO_SIZE).filter(ImageFilter.GaussianBlur(3))
    code_h = int(rng.integers(40, 80))  # the code line's height in the photo
    s = code_h / crop.shape[0]
    cw = max(8, round(crop.shape[1] * s))
    code = Image.fromarray(crop).resize((cw, code_h), Image.Resampling.BICUBIC)
    small = max(16, int(code_h * rng.uniform(0.45, 0.75)))
    lines = ["SIZE US 9  UK 8  EUR 42.5", "MADE IN VIETNAM", "0 193145 97812 4",
             "RUNNING  ·  MEN'S"]  # fmt: skip
    lw = max(cw + 80, int(small * 14))
    lh = code_h + 5 * int(small * 1.6) + 60
    label = Image.new("RGB", (lw, lh), tuple(int(v) for v in rng.integers(225, 252, 3)))
    d = ImageDraw.Draw(label)
    y = 30
    order = [0, None, 1, 2, 3]  # the code is the second line
    box_in_label = (0, 0, 0, 0)
    for i in order:
        if i is None:
            label.paste(code, (40, y))
            box_in_label = (40, y, 40 + cw, y + code_h)
            y += code_h + int(small * 0.6)
        else:
            d.text((40, y), lines[i], font=_font(i == 0, small), fill=(35, 35, 35))
            y += int(small * 1.6)
    ox = int(rng.integers(0, max(1, PHOTO_SIZE[0] - lw)))
    oy = int(rng.integers(0, max(1, PHOTO_SIZE[1] - lh)))
    bg.paste(label, (ox, oy))
    x0, y0, x1, y1 = box_in_label
    return np.asarray(bg), (x0 + ox, y0 + oy, x1 + ox, y1 + oy)


def evaluate_photos(model, rows) -> dict:
    rng = np.random.default_rng(14)
    found, hits, lat = 0, 0, []
    for _path, rgb, label in rows:
        photo, (x0, y0, x1, y1) = whole_photo(rgb, rng)
        t = time.perf_counter()
        r = find_code(photo, ocr=model)
        lat.append((time.perf_counter() - t) * 1000)
        if r.box:
            cx, cy = np.mean(np.asarray(r.box), axis=0)
            found += bool(x0 <= cx <= x1 and y0 <= cy <= y1)
        hits += real_key(r.code) == real_key(label)
    n = len(rows)
    return {"n": n, "found": found / n, "acc": hits / n, "p50": median(lat),
            "p95": percentile(lat, 0.95)}  # fmt: skip


def time_rendered_photo(model, runs: int = 7) -> list[float]:
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from tag_photo import render_tag_photo

    with tempfile.TemporaryDirectory() as tmp:
        photo = render_tag_photo(Path(tmp) / "tag.jpg", code="CW2288-111", size=PHOTO_SIZE)
        rgb = np.asarray(Image.open(photo.path).convert("RGB"))
    lat = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        r = find_code(rgb, ocr=model)
        lat.append((time.perf_counter() - t) * 1000)
    assert codes.same_code(r.code, "CW2288-111"), r
    return lat[1:]


def time_busy_photo(model, runs: int = 5) -> list[float]:
    """A 1600×1200 label with 14 long lines of small tag text around one code line: the case
    where reading every detected line made a scan take seconds."""
    img = Image.new("RGB", (1600, 1200), (240, 238, 230))
    d = ImageDraw.Draw(img)
    y = 30
    for i in range(14):
        d.text((60, y), f"LINE {i} SIZE US 9 UK 8 EUR 42.5 CM 27 MADE IN VIETNAM {i * 7}",
               font=_font(False, 30), fill=(30, 30, 30))  # fmt: skip
        y += 48
        if i == 6:
            d.text((60, y), "CW2288-111", font=_font(True, 64), fill=(10, 10, 10))
            y += 90
    rgb = np.asarray(img)
    lat = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        r = find_code(rgb, ocr=model)
        lat.append((time.perf_counter() - t) * 1000)
    assert codes.same_code(r.code, "CW2288-111"), r
    return lat[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=HELDOUT_SEED)
    ap.add_argument("--dev-n", type=int, default=None, help="dev-split crops (default: n/2)")
    ap.add_argument("--real", type=Path, default=REAL_DEV, help="real crops (gt.txt) folder")
    args = ap.parse_args()

    cv2.setNumThreads(1)
    model = load(threads=1)
    held = evaluate(model, args.n, args.seed, "heldout")
    dev_n = args.dev_n if args.dev_n is not None else max(args.n // 2, 30)
    dev = evaluate(model, dev_n, DEV_SEED, "dev")

    rows = [
        row("exact match, held-out (fonts, backgrounds, seed)", held["acc"] * 100, "%",
            "≥ 90%", held["acc"] >= 0.90),
        row("top-3 match, held-out", held["top3"] * 100, "%", "–", None),
        row("latency per crop p50 (1 core)", held["p50"], "ms", "≤ 150 ms", held["p50"] <= 150),
        row("latency per crop p95 (1 core)", held["p95"], "ms", "–", None),
        row("exact match, dev split (tuned on)", dev["acc"] * 100, "%", "–", None),
        row("top-3 match, dev split", dev["top3"] * 100, "%", "–", None),
    ]  # fmt: skip
    real_note = ""
    if (args.real / "gt.txt").is_file():
        real = load_real(args.real)
        upright = evaluate_real(model, real)
        n = upright["n"]
        rows += [
            row(f"real dev crops: exact match (n={n})", upright["acc"] * 100, "%", "≥ 93%",
                upright["acc"] >= 0.93),
            row("real dev crops: top-3 match", upright["top3"] * 100, "%", "–", None),
            row("gap: synthetic held-out − real dev (exact)", (held["acc"] - upright["acc"]) * 100,
                "points", "–", None),
            row("real dev crops: latency p50 (1 core)", upright["p50"], "ms", "≤ 150 ms",
                upright["p50"] <= 150),
            row("real dev crops: latency p95 (1 core)", upright["p95"], "ms", "–", None),
            row("real dev crops: share that spent extra turns", upright["turned"] * 100, "%", "–",
                None),
        ]  # fmt: skip
        for k in (1, 2, 3):
            r = evaluate_real(model, real, k)
            rows.append(row(f"real dev crops turned {90 * k}°: exact match", r["acc"] * 100, "%",
                            "–", None))  # fmt: skip
            rows.append(row(f"real dev crops turned {90 * k}°: latency p50", r["p50"], "ms",
                            "≤ 150 ms", r["p50"] <= 150))  # fmt: skip
        photos = evaluate_photos(model, real)
        rows += [
            row(f"auto-find on {n} whole photos (real crop in a 1600 px frame): code found",
                photos["found"] * 100, "%", "–", None),
            row("auto-find: exact match", photos["acc"] * 100, "%", "–", None),
            row("auto-find: latency p50 per 1600 px photo (1 core)", photos["p50"], "ms",
                "≤ 600 ms", photos["p50"] <= 600),
            row("auto-find: latency p95", photos["p95"], "ms", "–", None),
        ]  # fmt: skip
        real_note = (
            f" Real dev crops: {n} real phone crops from `{args.real.name}` (read in place; "
            "scored as its README, only A–Z/0–9), as stored and turned by 90°/180°/270° (the "
            "wrong-EXIF and vertical-code cases); misses as stored: "
            + ("; ".join(upright["misses"]) or "none")
            + ". Auto-find photos: each real crop scaled to a 40–80 px high code line and "
            "pasted as the second line of a synthetic label (four lines of other tag text) "
            "on a blurred photo background, 1600×1067; found = the returned box's centre on "
            "the code."
        )
    else:
        print(f"real crops not found at {args.real}: real-set rows skipped", file=sys.stderr)
    rendered = time_rendered_photo(model)
    rows.append(row("auto-find: rendered 1600×1067 box-label photo, p50 (1 core)",
                    median(rendered), "ms", "≤ 600 ms", median(rendered) <= 600))  # fmt: skip
    busy = time_busy_photo(model)
    rows.append(row("auto-find: busy 1600×1200 label (15 lines of text), p50 (1 core)",
                    median(busy), "ms", "≤ 600 ms", median(busy) <= 600))  # fmt: skip
    for key in sorted(held["groups"]):
        ok, tot = held["groups"][key]
        rows.append(row(f"held-out: {key} (n={tot})", 100 * ok / tot, "%", "–", None))
    notes = (
        f"{held['n']} held-out crops (seed {args.seed}; fonts DejaVuSerif, DejaVuSansMono-Bold, "
        "DejaVuSans-Oblique, cmr10, STIXGeneral(+Bold), cmss10, Hershey complex/triplex; photo "
        "textures grass, gravel, rocket, astronaut, immunohistochemistry) and "
        f"{dev['n']} dev crops (seed {DEV_SEED}; the fonts/backgrounds used while tuning), "
        "rendered by `pixelsmith.apps.tags.synth`. Exact match ignores case, spaces and dashes. "
        "Recognizer: PP-OCRv4 rec/det (rapidocr-onnxruntime) with CTC decoding constrained to "
        "the code charset and brand patterns (soft prior), adaptive stages "
        f"(held-out: {held['stages']}); an unsure reading is retried turned by 90/270/180°."
        + real_note
        + " The machine was shared with other work while this ran: latencies are medians."
    )
    report("bench_tags_ocr", "Tag Scanner: code recognition per crop (1 core)", rows, notes)


if __name__ == "__main__":
    main()
