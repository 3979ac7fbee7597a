"""Tag Scanner end to end over HTTP: upload a tag photo → code → confirm → product card.

Bar (issue 3 / brief 2.2): upload → product card p95 ≤ 1 s with the local catalog.
A real `pixelsmith serve` process on embedded defaults; photos are 1600×1067 JPEG labels on a
real photo background with the code among other text; the crop box is sent as the page does.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import httpx
import matplotlib
from PIL import Image, ImageDraw, ImageFont

from harness import median, percentile, report, row
from live import live_server

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
CODES = ["CW2288-111", "DD1391-100", "GZ5922", "FV0657", "M990GL6", "CW2288-001"]


def tag_photo(code: str) -> tuple[bytes, str]:
    from skimage import data

    photo = Image.fromarray(data.coffee()).resize((1600, 1067))
    label = Image.new("RGB", (900, 420), (250, 250, 246))
    d = ImageDraw.Draw(label)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 64)
    small = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 28)
    d.text((40, 30), "SIZE US 9  UK 8  EUR 42.5", font=small, fill=(40, 40, 40))
    d.text((40, 120), code, font=bold, fill=(15, 15, 15))
    d.text((40, 300), "MADE IN VIETNAM", font=small, fill=(40, 40, 40))
    photo.paste(label, (350, 320))
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=88)
    return buf.getvalue(), "370,420,640,120"  # the code line, as a user would box it


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    photos = [tag_photo(c) for c in CODES]
    with live_server() as (base, _, _), httpx.Client(base_url=base, timeout=30) as client:

        def once(i: int) -> tuple[float, bool]:
            data, crop = photos[i % len(photos)]
            code = CODES[i % len(CODES)]
            t0 = time.perf_counter()
            scan = client.post(
                "/api/v1/tags/scan",
                files={"file": ("tag.jpg", data, "image/jpeg")},
                data={"crop": crop},
            ).json()
            card = client.post(
                f"/api/v1/tags/scans/{scan['id']}/confirm", json={"label": scan["code"]}
            ).json()
            elapsed = time.perf_counter() - t0
            products = card["lookup"]["products"]
            return elapsed, bool(products) and products[0]["code"] == code

        for i in range(3):  # warm-up: the OCR model loads on the first scan
            once(i)
        results = [once(i) for i in range(args.runs)]
    times = [t * 1000 for t, _ in results]
    found = sum(ok for _, ok in results) / len(results)
    p95 = percentile(times, 0.95)
    report(
        "bench_tags_e2e",
        "Tag Scanner: upload → product card over HTTP (local catalog)",
        [
            row("upload → product card p50", median(times), "ms", "–", None),
            row("upload → product card p95", p95, "ms", "≤ 1000 ms", p95 <= 1000),
            row("right product card", found * 100, "%", "–", None),
        ],
        notes=f"{args.runs} runs after 3 warm-ups against a real `pixelsmith serve` (SQLite, "
        "2 job worker processes, demo catalog): POST /api/v1/tags/scan with a 1600×1067 JPEG and a "
        "crop box, then POST /api/v1/tags/scans/{id}/confirm with the first guess.",
    )


if __name__ == "__main__":
    main()
