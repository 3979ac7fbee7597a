"""A load test anyone can run: bounded mixed traffic against a real server on loopback (issue 10).

A real `pixelsmith serve` (embedded defaults) on 127.0.0.1 first answers each route alone
(the unloaded figures), then takes `--clients` concurrent clients for `--seconds`, each
picking its next request from a fixed mix: pages, /healthz, a photo filter, a tag scan, a job
submit, and live posture streams sending 10 frames a second. Every loop is bounded in count
and time, and the server stops at the end.

It reports throughput, p50/p95 per route loaded and unloaded, errors, and the server tree's
memory before, at its peak and after. Bar: 0 errors, and no route's loaded p95 above 4× its
unloaded p95, except the routes bound by CPU (filter, tag scan, posture frames): on a machine
with two cores, N clients asking for CPU work wait their turn, and those rows say so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import httpx

from harness import median, percentile, report, row
from live import MB, Tree, live_server, photo_jpeg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "apps" / "posture"))
import frames  # noqa: E402  (real frames of a person: scikit-image's astronaut)

from bench_tags_e2e import tag_photo  # noqa: E402

CPU_BOUND = {"filter", "tag scan", "posture frame"}
RATIO_BAR = 4.0
# (route, weight) of the HTTP mix; posture streams run beside it.
MIX = [("page", 30), ("healthz", 15), ("filter", 15), ("tag scan", 15), ("job submit", 25)]


class Load:
    def __init__(self, base: str) -> None:
        self.base = base
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.photo = photo_jpeg(640, 480, quality=85)
        self.tag, self.crop = tag_photo("CW2288-111")
        self.frame = frames.jpeg(frames.upright())
        self.pages = ["/", "/studio", "/tags", "/posture", "/jobs"]

    def record(self, route: str, ms: float | None, problem: str = "") -> None:
        if ms is None:
            self.errors[route] = self.errors.get(route, 0) + 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{route}: {problem}")
        else:
            self.times.setdefault(route, []).append(ms)

    async def request(self, client: httpx.AsyncClient, route: str) -> None:
        t0 = time.perf_counter()
        try:
            if route == "page":
                r = await client.get(random.choice(self.pages))
            elif route == "healthz":
                r = await client.get("/healthz")
            elif route == "filter":
                r = await client.post(
                    "/api/v1/studio/filter",
                    files={"file": ("p.jpg", self.photo, "image/jpeg")},
                    data={"style": random.choice(["cartoon", "pencil_gray", "emboss"])},
                )
            elif route == "tag scan":
                r = await client.post(
                    "/api/v1/tags/scan",
                    files={"file": ("tag.jpg", self.tag, "image/jpeg")},
                    data={"crop": self.crop},
                )
            else:
                r = await client.post(
                    "/api/v1/jobs",
                    json={"kind": "system.sleep", "params": {"seconds": 0.2, "steps": 4}},
                )
        except httpx.HTTPError as exc:
            self.record(route, None, f"{type(exc).__name__}: {exc}")
            return
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code >= 400:
            self.record(route, None, f"{r.status_code} {r.text[:200]}")
        else:
            self.record(route, ms)

    async def client_loop(self, client: httpx.AsyncClient, end: float, seed: int) -> None:
        rng = random.Random(seed)
        routes, weights = zip(*MIX, strict=True)
        while time.monotonic() < end:
            await self.request(client, rng.choices(routes, weights)[0])

    async def stream(self, end: float) -> None:
        from websockets.asyncio.client import connect

        url = self.base.replace("http", "ws") + "/api/v1/posture/stream"
        try:
            async with connect(url, max_size=None, open_timeout=30) as ws:
                ready = json.loads(await ws.recv())
                if ready["type"] != "ready":
                    self.record("posture frame", None, f"stream refused: {ready}")
                    return
                while time.monotonic() < end:
                    t0 = time.perf_counter()
                    await ws.send(self.frame)
                    while True:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                        if msg["type"] == "state":
                            break
                        if msg["type"] == "error":
                            self.record("posture frame", None, str(msg["error"]))
                            break
                    self.record("posture frame", (time.perf_counter() - t0) * 1000)
                    await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - t0)))
        except Exception as exc:  # a refused or dropped stream is an error of the run
            self.record("posture frame", None, f"{type(exc).__name__}: {exc}")


async def unloaded(load: Load, base: str, n: int) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for route, _ in MIX:
            for _ in range(3):  # warm: models load on the first call
                await load.request(client, route)
            load.times.pop(route, None)
            for _ in range(n):
                await load.request(client, route)
    await load.stream(time.monotonic() + n * 0.1 + 1)
    out, load.times = load.times, {}
    return out


async def loaded(load: Load, base: str, clients: int, streams: int, seconds: float) -> float:
    end = time.monotonic() + seconds

    async def one_client(seed: int) -> None:
        # One connection per client, as separate users have: a pool shared by all twenty
        # adds its own lock waits to every figure.
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await load.client_loop(client, end, seed)

    started = time.perf_counter()
    await asyncio.gather(
        *(one_client(seed) for seed in range(clients)),
        *(load.stream(end) for _ in range(streams)),
    )
    return time.perf_counter() - started


def run(coro):  # noqa: ANN001, ANN201
    """asyncio.run on uvloop (uvicorn's own loop, installed with it): the load generator's
    own event loop overhead is part of every latency it measures, so keep it small."""
    import uvloop

    return uvloop.run(coro)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--streams", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--unloaded", type=int, default=20, help="Requests per route, alone")
    args = ap.parse_args()
    with live_server() as (base, server, data_dir):
        tree = Tree(server.pid)
        load = Load(base)
        tree.quiet()  # workers done starting: the unloaded figures are the server's own
        alone = run(unloaded(load, base, args.unloaded))
        assert not load.errors, load.error_samples
        before = tree.settled()
        tree.reset_peaks()
        with tree:
            wall = run(loaded(load, base, args.clients, args.streams, args.seconds))
        after = tree.settled(timeout=20)
        logs = sorted(data_dir.glob("server-*.log"))  # tests/live_server.py names it by port
        log_tail = logs[-1].read_text(errors="replace")[-2000:] if logs else ""
    total = sum(len(v) for v in load.times.values())
    errors = sum(load.errors.values())
    rows = [
        row("requests and frames answered", total, "", "–", None),
        row("throughput", total / wall, "req/s", "–", None),
        row("errors", errors, "", "0", errors == 0),
    ]
    for route in [r for r, _ in MIX] + ["posture frame"]:
        got = load.times.get(route, [])
        if not got:
            rows.append(row(f"{route}: answered", 0, "", "> 0", False))
            continue
        p95, idle95 = percentile(got, 0.95), percentile(alone.get(route, [0.0]), 0.95)
        ratio = p95 / idle95 if idle95 else float("inf")
        cpu = route in CPU_BOUND
        rows.append(row(f"{route}: p50 loaded", median(got), "ms", "–", None))
        rows.append(row(f"{route}: p95 unloaded", idle95, "ms", "–", None))
        rows.append(
            row(
                f"{route}: p95 loaded" + (" (bound by CPU)" if cpu else ""),
                p95,
                f"ms ({ratio:.1f}× unloaded)",
                "–" if cpu else f"≤ {RATIO_BAR:g}× unloaded",
                None if cpu else ratio <= RATIO_BAR,
            )
        )
    rows += [
        row("server tree RSS before", before / MB, "MB", "–", None),
        row("server tree RSS peak", tree.peak_total / MB, "MB", "–", None),
        row("server tree RSS after", after / MB, "MB", "–", None),
    ]
    notes = (
        f"{args.clients} HTTP clients and {args.streams} posture streams for {args.seconds:g} s; "
        f"mix {', '.join(f'{r} {w}%' for r, w in MIX)}. " + __doc__.split("\n\n", 1)[1].strip()
    )
    if load.error_samples:
        notes += "\n\nFirst errors: " + "; ".join(load.error_samples)
        print(log_tail, file=sys.stderr)
    report("bench_load", "Load test: mixed traffic on a real server (loopback)", rows, notes)


if __name__ == "__main__":
    main()
