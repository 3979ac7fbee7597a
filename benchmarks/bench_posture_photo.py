"""Posture Coach, single photos only: `bench_posture.py --photos` under its own name (the
section "bench_posture_photo" of docs/benchmarks.md says to run this)."""

from __future__ import annotations

import os

from bench_posture import photo_main

if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    photo_main()
