"""`pixelsmith desk …` on a real data dir: gate, analyze --json, products, makeover -o."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from desk_photo import render_desk_photo
from pixelsmith.cli import app
from pixelsmith.core.config import get_settings


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def desk_path(tmp_path_factory):
    return render_desk_photo(tmp_path_factory.mktemp("cli") / "desk.jpg", size=(1200, 800)).path


def test_gate_exit_codes_and_reasons(cli, desk_path, tmp_path):
    r = cli("desk", "gate", desk_path)
    assert r.exit_code == 0 and "accepted" in r.stdout, r.stdout
    from skimage import data

    cat = tmp_path / "cat.jpg"
    Image.fromarray(data.chelsea()).save(cat)
    r = cli("desk", "gate", cat, "--json", "--lang", "ko")
    assert r.exit_code == 1, r.stdout
    body = json.loads(r.stdout)
    assert body["reasons"][0]["code"] == "not_a_desk", body
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image")
    r = cli("desk", "gate", junk)
    assert r.exit_code == 2 and "JPEG, PNG or WebP" in r.stdout, r.stdout


def test_analyze_json_has_items_palette_style_and_surface(cli, desk_path):
    r = cli("desk", "analyze", desk_path, "--json")
    assert r.exit_code == 0, r.stdout
    a = json.loads(r.stdout)
    assert a["items"] and a["palette"] and a["style"]["style"] and a["surface"], a.keys()


def test_makeover_writes_a_render_of_the_photo_with_the_chosen_items(cli, desk_path, tmp_path):
    products = json.loads(cli("desk", "products", "--json", "--category", "lamp").stdout)
    assert products and all(p["category"] == "lamp" for p in products)
    out = tmp_path / "out" / "render.png"
    r = cli(
        "desk",
        "makeover",
        desk_path,
        "-o",
        out,
        "--items",
        products[0]["product_id"],
        "--engine",
        "cpu",
    )
    assert r.exit_code == 0, r.stdout
    assert f"wrote {out}" in r.stdout.replace("\n", ""), r.stdout
    render = np.asarray(Image.open(out).convert("RGB"))
    with Image.open(desk_path) as src:
        assert max(render.shape[:2]) == max(src.size)  # ≤ 1600 px: kept at its size
    assert products[0]["name"] in r.stdout, r.stdout
    r = cli("desk", "makeover", desk_path, "-o", out, "--items", "nope")
    assert r.exit_code == 2 and "product ids" in r.stdout, r.stdout
