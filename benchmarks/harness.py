"""Benchmark harness: machine facts, medians, JSON output and the docs/benchmarks.md table.

Each benchmark script calls `report(name, title, rows)`; rows are
{"metric", "value", "unit", "bar", "ok"}. The JSON goes to stdout and to
benchmarks/results/<name>.json; docs/benchmarks.md gets the section between
`<!-- bench:<name> -->` markers replaced (added if missing).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def row(metric: str, value: float, unit: str, bar: str, ok: bool | None) -> dict:
    return {"metric": metric, "value": round(value, 3), "unit": unit, "bar": bar, "ok": ok}


def report(name: str, title: str, rows: list[dict], notes: str = "") -> dict:
    result = {
        "benchmark": name,
        "title": title,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": rows,
        "notes": notes,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    _update_doc(result)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return result


def _update_doc(result: dict) -> None:
    m = result["machine"]
    lines = [
        f"<!-- bench:{result['benchmark']} -->",
        f"## {result['title']}",
        "",
        f"`python benchmarks/{result['benchmark']}.py` — {result['when']}, "
        f"{m['cpu']}, {m['cores']} cores, Python {m['python']}",
        "",
        "| metric | measured | bar | meets bar |",
        "| --- | --- | --- | --- |",
    ]
    for r in result["rows"]:
        ok = {True: "yes", False: "**no**", None: "–"}[r["ok"]]
        lines.append(f"| {r['metric']} | {r['value']:g} {r['unit']} | {r['bar']} | {ok} |")
    if result["notes"]:
        lines += ["", result["notes"]]
    lines.append(f"<!-- /bench:{result['benchmark']} -->")
    section = "\n".join(lines)

    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    name = re.escape(result["benchmark"])
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section + "\n")
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
