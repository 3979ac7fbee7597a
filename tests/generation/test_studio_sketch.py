"""Sketch Studio's canvas endpoint submits a real gen.sketch2img job once a model is installed
(the 503 without one is tested in tests/apps/studio)."""

from __future__ import annotations

import dataclasses
import io

from gen_helpers import artifact_image, wait
from PIL import Image, ImageDraw

from pixelsmith.core.generation.catalogue import CATALOGUE


def test_studio_sketch_runs_a_sketch2img_job(gen_client, monkeypatch):
    # The tiny model at its native size would be 1024² and 30 steps: make it 64² and 2 steps.
    e = CATALOGUE["sdxl-t2i-sketch"]
    monkeypatch.setitem(CATALOGUE, e.name, dataclasses.replace(e, default_size=64, default_steps=2))
    img = Image.new("RGB", (128, 96), "white")
    ImageDraw.Draw(img).line((10, 10, 110, 80), fill="black", width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    r = gen_client.post(
        "/api/v1/studio/sketch",
        files={"file": ("sketch.png", buf.getvalue(), "image/png")},
        data={"prompt": "a kite", "category": "vehicle", "style": "watercolor"},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "gen.sketch2img"
    assert job["params"]["width"] == 88 and job["params"]["height"] == 64
    done = wait(gen_client, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["result"]["prompt"].startswith("a kite, vehicle, watercolor painting")
    assert artifact_image(gen_client, done).size == (88, 64)


def test_studio_page_has_the_sketch_job_box(gen_client):
    html = gen_client.get("/studio").text
    for element in ('id="sketch-job"', 'id="sketch-cancel"', 'id="sketch-result"'):
        assert element in html
