"""Helpers for the generation tests: upload an image, wait for a job, read its artifact."""

from __future__ import annotations

import io
import time

from PIL import Image

TERMINAL = {"succeeded", "failed", "canceled"}


def upload(client, img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    r = client.post("/api/v1/images", files={"file": ("in.png", buf.getvalue(), "image/png")})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def wait(client, job_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in TERMINAL:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def artifact_image(client, job: dict) -> Image.Image:
    (art,) = job["artifacts"]
    r = client.get(art["url"])
    assert r.status_code == 200
    return Image.open(io.BytesIO(r.content)).convert("RGB")
