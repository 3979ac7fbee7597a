"""Toon Diary on one core: the inline steps of a request and the Lounge's queries.

- toonify: a 1600×1200 JPEG photo (skimage's astronaut, chelsea and coffee, resized) →
  decode, downscale to 1024, cartoon filter, NSFW screen of photo and toon, JPEG encode
  (toonify.toonify_photo, what POST /posts/{id}/image with a photo runs). Bar: ≤ 300 ms p50,
  so it runs inline instead of as a job.
- keywords of a Korean diary sentence (mecab-ko) and the whole prompt with the Korean →
  English glossary lookup (USE multilingual).
- NSFW screen alone, per image (open-nsfw, 224², one onnxruntime thread).
- Lounge queries over N public posts in SQLite: a page of 20 (keyset), the Hot sort (its
  bounded candidate set, scored at query time), Hot Toons, and recommendations under a post.
"""

from __future__ import annotations

import argparse
import io
import secrets
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from harness import median, percentile, report, row

SENTENCES = [
    "오늘은 친구와 함께 바닷가에서 맛있는 아이스크림을 먹었다. 정말 행복했어요!",
    "퇴근길에 비가 와서 우산을 쓰고 고양이랑 집에 왔다.",
    "엄마 생일이라 케이크를 사서 가족이랑 노래를 불렀다.",
    "I walked my dog in the park and had coffee with my sister.",
]


def _photos() -> list[bytes]:
    from skimage import data

    out = []
    for img in (data.astronaut(), data.chelsea(), data.coffee()):
        big = Image.fromarray(img).resize((1600, 1200), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        big.save(buf, "JPEG", quality=90)
        out.append(buf.getvalue())
    return out


def _time(fn, runs: int) -> list[float]:
    fn()  # warm-up: models load, caches fill
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--posts", type=int, default=1000)
    args = ap.parse_args()
    cv2.setNumThreads(1)

    from pixelsmith.apps.diary.moderation import ScreenConfig, screen
    from pixelsmith.apps.diary.moods import MOODS, STYLES
    from pixelsmith.apps.diary.prompt import build_prompt, extract_keywords
    from pixelsmith.apps.diary.toonify import toonify_photo
    from pixelsmith.core.models.registry import registry

    rows, notes = [], []
    photos = _photos()
    limits = (25 * 1024 * 1024, 40_000_000, 12_000)
    cfg = ScreenConfig()
    times = []
    for data in photos:
        times += _time(lambda d=data: toonify_photo(d, limits, cfg), args.runs)
    value = median(times)
    rows.append(row("toonify 1600×1200 → 1024 (p50)", value, "ms", "≤ 300 ms", value <= 300))
    notes.append(f"toonify p90 {percentile(times, 0.9):.0f} ms")

    checker = registry.get("nsfw")
    rgb = np.asarray(Image.open(io.BytesIO(photos[0])).convert("RGB"))
    times = _time(lambda: screen([rgb], cfg, checker), args.runs)
    rows.append(row("NSFW screen, one image (p50)", median(times), "ms", "–", None))

    times = []
    for s in SENTENCES:
        times += _time(lambda s=s: extract_keywords(s), args.runs * 5)
    rows.append(row("keywords of one sentence (p50)", median(times), "ms", "–", None))
    embedder = registry.get("embeddings_ml")
    times = _time(
        lambda: build_prompt("", SENTENCES[0], MOODS["happy"], STYLES["comic"], embedder),
        args.runs,
    )
    rows.append(row("prompt with Korean → English (p50)", median(times), "ms", "–", None))

    rows += _lounge(args.posts, args.runs)
    report(
        "bench_diary",
        "Toon Diary: toonify, prompt, NSFW screen and Lounge queries, one core",
        rows,
        notes=f"{args.runs} runs after a warm-up; cv2.setNumThreads(1); {args.posts} public "
        "posts (each with its embedding) in SQLite for the Lounge rows. " + "; ".join(notes) + ".",
    )


def _lounge(n: int, runs: int) -> list[dict]:
    from datetime import timedelta

    from sqlalchemy import update

    from pixelsmith.apps.diary.models import DiaryPost
    from pixelsmith.apps.diary.service import DiaryService, Viewer
    from pixelsmith.core.config import Settings
    from pixelsmith.core.db import utcnow
    from pixelsmith.core.services import Services

    with tempfile.TemporaryDirectory() as tmp:
        services = Services.create(Settings(data_dir=Path(tmp), workers=1))
        try:
            diary = DiaryService(services)
            rng = np.random.default_rng(0)
            moods = list(MOODS_NAMES)
            users = [secrets.token_hex(16) for _ in range(20)]
            ids = []
            for i in range(n):
                text = SENTENCES[i % len(SENTENCES)] + f" #{i}"
                p = diary.create_post(
                    users[i % 20],
                    title=f"day {i}",
                    text=text,
                    mood=moods[i % 8],
                    visibility="public",
                )
                ids.append(p["id"])
            now = utcnow()
            with services.db.session() as s:  # spread over 60 days, some with comments
                for pid in ids:
                    s.execute(
                        update(DiaryPost)
                        .where(DiaryPost.id == pid)
                        .values(
                            published_at=now - timedelta(hours=float(rng.uniform(0, 24 * 60))),
                            comment_count=int(rng.poisson(2)),
                        )
                    )
            viewer = Viewer(users[0])
            out = []
            page = diary.lounge(viewer, limit=20)
            for label, fn in (
                ("Lounge page of 20, first", lambda: diary.lounge(viewer, limit=20)),
                (
                    "Lounge page of 20, by cursor",
                    lambda: diary.lounge(viewer, limit=20, cursor=page["next_cursor"]),
                ),
                ("Lounge Hot sort, page of 20", lambda: diary.lounge(viewer, limit=20, sort="hot")),
                ("Hot Toons", lambda: diary.hot_toons(viewer)),
                ("recommended under a post (k=4)", lambda: diary.recommended(viewer, ids[-1])),
            ):
                out.append(
                    row(f"{label} ({n} posts, p50)", median(_time(fn, runs)), "ms", "–", None)
                )
            return out
        finally:
            services.close()


MOODS_NAMES = ("happy", "calm", "sad", "excited", "tired", "grateful", "angry", "nostalgic")

if __name__ == "__main__":
    main()
