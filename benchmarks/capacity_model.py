"""Capacity model for a GPU farm: jobs per hour per GPU and queueing vs number of workers.

A paper model, no GPU needed: `python benchmarks/capacity_model.py` prints the tables that
docs/capacity.md holds (and rewrites them there, between `<!-- capacity:… -->` markers), so
anyone can change a figure below and recompute.

Queueing: each GPU worker is one server (solo pool, prefetch 1: one job at a time), jobs
arrive at random (Poisson). M/M/c (Erlang C) is exact for exponential run times; SDXL jobs
at fixed settings take nearly the same time each, which M/D/c describes better. For M/D/c
we use the usual approximation Wq(M/D/c) ≈ Wq(M/M/c) / 2 (exact for c = 1, Pollaczek-
Khinchine; close for larger c at the loads that matter here), so the M/M/c column is the
pessimistic bound and M/D/c the expected figure.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "capacity.md"

# Seconds for one SDXL 1.0 base image, 1024×1024, 30 steps, batch 1, from public
# measurements (docs/capacity.md cites each), plus the job system's own overhead per job
# (claim, preview/progress events, PNG encode and upload: budgeted at 0.3 s).
OVERHEAD_S = 0.3
GPUS: list[tuple[str, float, str]] = [
    ("A100 80GB, diffusers bf16 + SDPA + torch.compile", 2.52, "diffusers docs"),
    ("RTX 4090, diffusers fp16 + SDPA", 2.0, "vendor benchmark"),
    ("A100 80GB, diffusers fp32, default attention", 7.35, "diffusers docs"),
    ("RX 6900 XT, ComfyUI (1.62 it/s)", 30 / 1.62, "ComfyUI issue 7332"),
    ("RTX 3060 12GB, ComfyUI (batch 4 at 2.78 s/it, 832×1216)", 30 * 2.78 / 4, "stable-fast #63"),
]

WORKERS = [1, 2, 4, 8, 16, 32, 64, 100]
LOADS = [0.5, 0.7, 0.85, 0.95]


def erlang_c(c: int, a: float) -> float:
    """Probability that a job waits, for c servers and offered load a = λ·S (a < c).
    Erlang B by its stable recursion, then C from B."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1 - rho * (1 - b))


def mmc(c: int, rho: float, service_s: float) -> dict[str, float]:
    """Queueing figures of M/M/c at utilisation rho with mean run time service_s."""
    a = rho * c
    lam = a / service_s
    p_wait = erlang_c(c, a)
    wq = p_wait * service_s / (c * (1 - rho))  # mean wait in queue
    lq = lam * wq  # mean queue depth (Little)
    # P(W > t) = p_wait · exp(-(c·μ − λ)·t) → the 95th percentile of the wait.
    rate = c / service_s - lam
    p95 = 0.0 if p_wait <= 0.05 else math.log(p_wait / 0.05) / rate
    return {"lam": lam, "p_wait": p_wait, "wq": wq, "lq": lq, "p95": p95}


def per_gpu_table() -> str:
    lines = [
        "| GPU and software | s per image | + overhead | jobs/hour/GPU (100 % busy) | at 85 % |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, s, _src in GPUS:
        total = s + OVERHEAD_S
        lines.append(
            f"| {name} | {s:.2f} | {total:.2f} | {3600 / total:,.0f} | {0.85 * 3600 / total:,.0f} |"
        )
    return "\n".join(lines)


def queue_table(service_s: float) -> str:
    lines = [
        "| GPUs | load | jobs/hour | P(wait) | mean wait M/D/c | mean wait M/M/c "
        "| p95 wait M/M/c | mean queue depth M/D/c |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in WORKERS:
        for rho in LOADS:
            m = mmc(c, rho, service_s)
            lines.append(
                f"| {c} | {rho:.0%} | {m['lam'] * 3600:,.0f} | {m['p_wait']:.1%} "
                f"| {m['wq'] / 2:.2f} s | {m['wq']:.2f} s | {m['p95']:.1f} s | {m['lq'] / 2:.2f} |"
            )
    return "\n".join(lines)


def gpus_needed_table(service_s: float) -> str:
    """Fewest GPUs that keep the M/M/c p95 wait under a target, per demand."""
    targets = [5.0, 30.0]
    demands = [500, 1_000, 5_000, 10_000, 50_000, 100_000]
    head = " | ".join(f"GPUs for p95 wait ≤ {t:g} s" for t in targets)
    lines = [f"| jobs/hour | {head} |", "| --- |" + " --- |" * len(targets)]
    for d in demands:
        cells = []
        for t in targets:
            lam = d / 3600
            c = max(1, math.ceil(lam * service_s))
            while True:
                rho = lam * service_s / c
                if rho < 1 and mmc(c, rho, service_s)["p95"] <= t:
                    break
                c += 1
            cells.append(str(c))
        lines.append(f"| {d:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    service = GPUS[1][1] + OVERHEAD_S  # the RTX 4090 row: the common self-hosted card
    sections = {
        "per_gpu": per_gpu_table(),
        "queue": queue_table(service),
        "needed": gpus_needed_table(service),
    }
    for name, table in sections.items():
        print(f"## {name}\n\n{table}\n")
    if DOC.exists():
        text = DOC.read_text()
        for name, table in sections.items():
            pat = re.compile(rf"(<!-- capacity:{name} -->\n).*?(<!-- /capacity:{name} -->)", re.S)
            text = pat.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
        DOC.write_text(text)


if __name__ == "__main__":
    main()
