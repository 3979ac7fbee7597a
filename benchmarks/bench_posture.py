"""Posture Coach: single photos (verdicts on real side views, angle error where the true angle
is known) and the live stream (fps per stream, frame → state latency).

Photos (section "bench_posture_photo"; `--photos` runs only this part):

- Verdict accuracy on ../shared/data/posture-side (real side views labelled good/bad) when the
  folder is there: a photo labelled bad must get "bad"; one labelled good "good" or "warn"
  (the mild band). Every photo's angle, trunk, C7 source and verdict is printed.
- Angle error on drawn cases (tests/apps/posture/landmarks.py `profile`): landmarks and a person
  mask at known craniovertebral angles 20–70°, facing either way, trunk upright / reclined /
  hunched, as a profile and as a three-quarter view (the far ear and shoulder drawn apart),
  with 2 px of landmark noise: the error of the CVA answered, against the old reading (the
  shoulder landmark standing in for C7) on the same cases.
- The C7 offset behind and above the shoulder landmark (median over the real photos where the
  mask gave it): the fixed correction c7.SHOULDER_TO_C7 used when the mask gives no contour.

Bars (issue 4 / brief 2.3): ≥ 15 fps per stream on one core at 640×480; frame → state p95
≤ 100 ms.

1. Pipeline, one core: this process pinned to one CPU (sched_setaffinity; MediaPipe's and
   OpenCV's threads included), a real per-stream tracker, 640×480 JPEG frames of a real person
   (scikit-image's astronaut: upright, drifting forward, leaning), each frame decoded →
   pose → features → smoothing → state, back to back.
2. WebSocket, one core: a real `pixelsmith serve` pinned to one CPU (taskset); one client
   sends a frame and waits for its state (closed loop): fps and frame → state latency as the
   client sees it (network, JSON and the server's event loop included).
3. WebSocket, four streams on two cores: the server pinned to two CPUs; four clients in closed
   loop at once. The clients run on the same two cores (only two here), so this is a little
   pessimistic for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from harness import median, percentile, report, row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "apps" / "posture"))
REAL_SIDE = ROOT.parent / "shared" / "data" / "posture-side"
REAL_BAR = 0.90

FPS_BAR = 15.0
P95_BAR_MS = 100.0


def test_frames() -> list[bytes]:
    import frames

    seq = [frames.upright()] * 4
    seq += [frames.drifted(k / 4) for k in range(1, 5)]
    seq += [frames.leaning(d) for d in (6, 12, 6, 0)]
    return [frames.jpeg(f, quality=80) for f in seq]


# ---- 1. the pipeline on one core -------------------------------------------------------------


def bench_pipeline(jpegs: list[bytes], n: int, cpu: int) -> dict:
    os.sched_setaffinity(0, {cpu})
    import cv2

    cv2.setNumThreads(1)
    from pixelsmith.apps.posture.stream import StreamSession, decode_frame
    from pixelsmith.core.models import registry

    tracker = registry.get("pose").new_tracker()
    session = StreamSession(tracker)
    for i in range(20):  # warm-up: graph initialisation, first detection
        session.process(decode_frame(jpegs[i % len(jpegs)]))
    lat = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        msgs = session.process(decode_frame(jpegs[(i // 25) % len(jpegs)]))
        lat.append((time.perf_counter() - t0) * 1000)
        assert msgs[0]["type"] == "state"
    total = time.perf_counter() - started
    session.close()
    return {"fps": n / total, "p50": median(lat), "p95": percentile(lat, 0.95)}


# ---- 2./3. over a real server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp: str, cpus: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PIXELSMITH_DATA_DIR": tmp, "PIXELSMITH_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "pixelsmith", "serve", "--port", str(port)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", cpus, *cmd]
    log = open(Path(tmp) / f"server-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, base


async def one_stream(base: str, jpegs: list[bytes], seconds: float, lat: list[float]) -> float:
    from websockets.asyncio.client import connect

    url = base.replace("http", "ws") + "/api/v1/posture/stream"
    async with connect(url, max_size=None) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        for i in range(10):  # warm-up
            await ws.send(jpegs[i % len(jpegs)])
            while json.loads(await ws.recv())["type"] != "state":
                pass
        frames, i = 0, 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            t0 = time.perf_counter()
            await ws.send(jpegs[(i // 25) % len(jpegs)])
            while json.loads(await ws.recv())["type"] != "state":
                pass
            lat.append((time.perf_counter() - t0) * 1000)
            frames += 1
            i += 1
        return frames / (time.perf_counter() - started)


def bench_ws(jpegs: list[bytes], streams: int, cpus: str, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(tmp, cpus)
        try:
            lat: list[float] = []

            async def run() -> list[float]:
                return await asyncio.gather(
                    *(one_stream(base, jpegs, seconds, lat) for _ in range(streams))
                )

            fps = asyncio.run(run())
        finally:
            proc.terminate()
            proc.wait(20)
    return {
        "fps_min": min(fps),
        "fps_mean": statistics.mean(fps),
        "p50": median(lat),
        "p95": percentile(lat, 0.95),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=400, help="frames per pipeline run")
    ap.add_argument("--seconds", type=float, default=15.0, help="seconds per WebSocket run")
    ap.add_argument("--runs", type=int, default=3, help="runs of each; the median is reported")
    ap.add_argument("--photos", action="store_true", help="only the single-photo part")
    args = ap.parse_args()
    photo_main()
    if args.photos:
        return
    jpegs = test_frames()
    size = len(jpegs[0]) // 1024

    # The pipeline runs in a child process each time, so pinning it never pins this one.
    pipe = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--pipeline-child", str(args.frames)],
            capture_output=True,
            text=True,
            check=True,
        )
        pipe.append(json.loads(out.stdout.strip().splitlines()[-1]))
    one = [bench_ws(jpegs, 1, "0", args.seconds) for _ in range(args.runs)]
    four = [bench_ws(jpegs, 4, "0,1", args.seconds) for _ in range(args.runs)]

    def med(results: list[dict], key: str) -> float:
        return median([r[key] for r in results])

    p_fps, p_p95 = med(pipe, "fps"), med(pipe, "p95")
    w_fps, w_p95 = med(one, "fps_mean"), med(one, "p95")
    f_fps, f_p95 = med(four, "fps_min"), med(four, "p95")
    report(
        "bench_posture",
        "Posture Coach: live stream at 640×480 (fps per stream, frame → state)",
        [
            row("pipeline, 1 core: fps per stream", p_fps, "fps", "≥ 15 fps", p_fps >= FPS_BAR),
            row("pipeline, 1 core: frame → state p50", med(pipe, "p50"), "ms", "–", None),
            row(
                "pipeline, 1 core: frame → state p95", p_p95, "ms", "≤ 100 ms", p_p95 <= P95_BAR_MS
            ),
            row("WebSocket, 1 stream, 1 core: fps", w_fps, "fps", "≥ 15 fps", w_fps >= FPS_BAR),
            row("WebSocket, 1 stream, 1 core: frame → state p50", med(one, "p50"), "ms", "–", None),
            row(
                "WebSocket, 1 stream, 1 core: frame → state p95",
                w_p95,
                "ms",
                "≤ 100 ms",
                w_p95 <= P95_BAR_MS,
            ),
            row("WebSocket, 4 streams, 2 cores: fps, slowest stream", f_fps, "fps", "–", None),
            row(
                "WebSocket, 4 streams, 2 cores: fps, mean", med(four, "fps_mean"), "fps", "–", None
            ),
            row(
                "WebSocket, 4 streams, 2 cores: frame → state p50",
                med(four, "p50"),
                "ms",
                "–",
                None,
            ),
            row("WebSocket, 4 streams, 2 cores: frame → state p95", f_p95, "ms", "–", None),
        ],
        notes=(
            f"Median of {args.runs} runs each. Frames: 640×480 JPEG (~{size} kB, quality 80) of "
            "scikit-image's astronaut: upright, drifting forward, leaning (25 frames each in "
            f"turn). Pipeline: {args.frames} frames back to back in a process pinned to one CPU "
            "(decode → MediaPipe pose tracker → features → EMA → state machine). WebSocket: a "
            f"real `pixelsmith serve` pinned with taskset; each client sends a frame and waits "
            f"for its state ({args.seconds:g} s per run). Four streams on two cores share them "
            "with the four clients; the bars are per stream on one core, so these rows have "
            "none. Timings on this shared machine are noisy: medians reported."
        ),
    )


# ---- photos: verdicts on real side views, angle error on drawn ones ---------------------------


def bench_real_photos() -> dict | None:
    """Verdicts on the real side views, or None when the folder is not there."""
    import csv

    import numpy as np
    from PIL import Image, ImageOps

    from pixelsmith.apps.posture.photo import analyze_photo

    labels = REAL_SIDE / "labels.csv"
    if not labels.is_file():
        print(f"real side views not found at {REAL_SIDE}: accuracy skipped", file=sys.stderr)
        return None
    rows = list(csv.DictReader(labels.open()))
    right, ms, offsets, wrong = 0, [], [], []
    mirror: list[float] = []
    same = right_mirrored = 0
    for r in rows:
        with Image.open(REAL_SIDE / r["file"]) as im:
            rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        t0 = time.perf_counter()
        res = analyze_photo(rgb)
        ms.append((time.perf_counter() - t0) * 1000)
        said = "bad" if res["verdict"] == "bad" else "good"
        right += said == r["label"]
        # The same photo mirrored: the person faces the other way; the angle must not change.
        flipped = analyze_photo(np.ascontiguousarray(rgb[:, ::-1]))
        if res.get("cva_deg") is not None and flipped.get("cva_deg") is not None:
            mirror.append(abs(res["cva_deg"] - flipped["cva_deg"]))
            same += flipped["verdict"] == res["verdict"]
        right_mirrored += ("bad" if flipped["verdict"] == "bad" else "good") == r["label"]
        c7 = res.get("c7") or {}
        if c7.get("source") == "mask":
            offsets.append(_c7_offset(res))
        if said != r["label"]:
            wrong.append(f"{r['file']} ({res.get('cva_deg')}°, {res['verdict']})")
        print(
            f"{r['file']:12} {r['label']:4} view={res['view']:5} facing={res.get('facing')} "
            f"cva={res.get('cva_deg')} trunk={res.get('trunk_inclination_deg')} "
            f"c7={c7.get('source')} verdict={res['verdict']} reasons={res.get('reasons')}",
            file=sys.stderr,
        )
    return {
        "n": len(rows),
        "accuracy": right / len(rows),
        "wrong": wrong,
        "p50_ms": median(ms),
        "mirror_median": median(mirror) if mirror else None,
        "mirror_max": max(mirror) if mirror else None,
        "mirror_same": same / max(len(mirror), 1),
        "accuracy_mirrored": right_mirrored / len(rows),
        "c7_offset": (median([o[0] for o in offsets]), median([o[1] for o in offsets]))
        if offsets
        else None,
    }


def _c7_offset(res: dict) -> tuple[float, float]:
    """(back, up) of the mask's C7 from the shoulders' midpoint, in shoulder → ear rises."""
    w, h = res["image"]
    marks = res["landmarks"]  # OVERLAY_LANDMARKS order: 3/4 the ears, 7/8 the shoulders
    pts = {"ls": marks[7], "rs": marks[8], "le": marks[3], "re": marks[4]}
    sx, sy = (pts["ls"][0] + pts["rs"][0]) / 2 * w, (pts["ls"][1] + pts["rs"][1]) / 2 * h
    ey = (pts["le"][1] + pts["re"][1]) / 2 * h
    facing = 1 if res["facing"] == "right" else -1
    rise = max(sy - ey, 1e-6)
    cx, cy = res["c7"]["x"] * w, res["c7"]["y"] * h
    return (sx - cx) * facing / rise, (sy - cy) / rise


def bench_drawn_angles() -> dict:
    """CVA error on drawn landmark sets and masks at known angles (see the module docstring)."""
    import random

    from landmarks import pose, profile

    from pixelsmith.apps.posture.photo import analyze_landmarks
    from pixelsmith.core.models.pose import LANDMARK_NAMES

    rng = random.Random(14)
    errs, old_errs, fallback_errs = [], [], []
    for cva in range(20, 71, 5):
        for facing in (1, -1):
            for trunk in (-12.0, 0.0, 25.0):
                for spread in (0.0, 25.0):  # profile, three-quarter
                    p, mask, _ = profile(cva_deg=cva, facing=facing, trunk_deg=trunk)
                    pts = {}
                    for name, lm in zip(LANDMARK_NAMES, p.landmarks, strict=True):
                        if lm.visibility < 0.1:
                            continue
                        x, y = lm.x * p.width, lm.y * p.height
                        if name in ("left_ear", "left_shoulder"):
                            x += spread
                        elif name in ("right_ear", "right_shoulder"):
                            x -= spread
                        x, y = x + rng.gauss(0, 2), y + rng.gauss(0, 2)
                        pts[name] = (x, y, lm.z * p.width, max(lm.visibility, 0.9))
                    noisy = pose(pts, p.width, p.height)
                    res = analyze_landmarks(noisy, mask=mask)
                    errs.append(abs(res["cva_deg"] - cva))
                    incl = res["features"]["neck_inclination_deg"]
                    old_errs.append(abs(90.0 - incl - cva))
                    fallback_errs.append(abs(analyze_landmarks(noisy)["cva_deg"] - cva))
    return {
        "n": len(errs),
        "mean": sum(errs) / len(errs),
        "p95": percentile(errs, 0.95),
        "max": max(errs),
        "old_mean": sum(old_errs) / len(old_errs),
        "fallback_mean": sum(fallback_errs) / len(fallback_errs),
    }


def photo_main() -> None:
    drawn = bench_drawn_angles()
    real = bench_real_photos()
    rows = [
        row("drawn side views: CVA error, mean", drawn["mean"], "°", "–", None),
        row("drawn side views: CVA error, p95", drawn["p95"], "°", "–", None),
        row("drawn side views: CVA error, max", drawn["max"], "°", "–", None),
        row("drawn: old reading (shoulder as C7), mean error", drawn["old_mean"], "°", "–", None),
        row("drawn: no mask (shoulder correction), mean error", drawn["fallback_mean"], "°", "–",
            None),
    ]  # fmt: skip
    notes = (
        f"Drawn: {drawn['n']} cases (CVA 20–70° in 5° steps × facing left/right × trunk "
        "-12°/0°/25° × profile/three-quarter), landmarks with 2 px Gaussian noise (seed 14), "
        "the person mask drawn with C7 on its back contour, 0.4 rises behind the shoulder "
        "landmark (the real photos' median is printed below). The old reading (the shoulder "
        "landmark for C7) is off by construction there; it shows how much C7's place matters. "
    )
    if real is not None:
        rows += [
            row(f"real side views ({real['n']}, posture-side): verdict accuracy",
                real["accuracy"] * 100, "%", "≥ 90 %", real["accuracy"] >= REAL_BAR),
            row("real side views: analyse one photo, p50", real["p50_ms"], "ms", "–", None),
        ]  # fmt: skip
        if real["mirror_max"] is not None:
            rows += [
                row("real, mirrored (facing the other way): CVA change, median",
                    real["mirror_median"], "°", "–", None),
                row("real, mirrored: CVA change, max", real["mirror_max"], "°", "–", None),
                row("real, mirrored: same verdict", real["mirror_same"] * 100, "%", "–", None),
                row("real, mirrored: verdict accuracy", real["accuracy_mirrored"] * 100, "%",
                    "–", None),
            ]  # fmt: skip
        if real["c7_offset"]:
            back, up = real["c7_offset"]
            rows.append(row("real: C7 behind the shoulder landmark, median", back, "rises", "–",
                            None))  # fmt: skip
        notes += (
            f"Real: ../shared/data/posture-side, {real['n']} side views labelled good/bad by a "
            'person; a bad photo must get "bad", a good one "good" or "warn" (the mild '
            f"band). Wrong: {', '.join(real['wrong']) or 'none'}. Timing is one run per photo "
            "(pose on the photo and on its mirror image, person mask) on a machine shared with "
            "other work: the median is reported. Mirrored: each photo flipped left-right (all "
            "but two face right) and analysed again."
        )
    else:
        notes += "Real side views: ../shared/data/posture-side not found, so not measured."
    report("bench_posture_photo", "Posture Coach: single photos (side views)", rows, notes=notes)


def pipeline_child(n: int) -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")
    result = bench_pipeline(test_frames(), n, cpu=0)
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pipeline-child":
        pipeline_child(int(sys.argv[2]))
    else:
        main()
