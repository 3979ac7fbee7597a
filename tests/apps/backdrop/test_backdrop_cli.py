"""`pixelsmith backdrop …` on a real data dir: suggest --json, render --bg -o, import DIR,
batch DIR -o, assets, presets, and the exit codes of bad input."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from pixelsmith.cli import app
from pixelsmith.core.config import get_settings


def draw_product(path, colour=(30, 80, 200), size=(480, 360)):
    """A shaded box standing on a light backdrop."""
    w, h = size
    img = Image.new("RGB", size, (234, 230, 224))
    d = ImageDraw.Draw(img)
    for i in range(w // 3):
        shade = 0.6 + 0.4 * (i / (w / 3))
        d.line(
            [(w // 3 + i, h // 4), (w // 3 + i, h * 5 // 6)],
            fill=tuple(int(c * shade) for c in colour),
        )
    img.save(path)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("backdrop-cli") / "data"


@pytest.fixture
def cli(data_dir, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        result.text = " ".join(result.stdout.split())  # rich wraps long lines
        return result

    yield invoke
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    return draw_product(tmp_path_factory.mktemp("photos") / "box.jpg")


def test_suggest_json_has_the_product_its_brief_and_k_backgrounds(cli, photo):
    r = cli("backdrop", "suggest", photo, "--k", "3", "--json")
    assert r.exit_code == 0, r.stdout
    out = json.loads(r.stdout)
    assert out["product"]["analysis"]["category"] and out["product"]["brief"]["text"]
    assert 1 <= len(out["suggestions"]) <= 3, out["suggestions"]
    assert all(s["asset"]["id"] and s["score"] is not None for s in out["suggestions"])
    r = cli("backdrop", "suggest", photo, "--k", "2")
    assert r.exit_code == 0 and "backdrop render" in r.text, r.stdout


def test_render_writes_the_product_on_a_background_at_the_presets_size(cli, photo, tmp_path):
    bg = json.loads(cli("backdrop", "suggest", photo, "--k", "2", "--json").stdout)
    ids = [s["asset"]["id"] for s in bg["suggestions"]]
    presets = {p["id"]: p for p in json.loads(cli("backdrop", "presets", "--json").stdout)}
    out = tmp_path / "out" / "render.png"
    r = cli("backdrop", "render", photo, "--bg", ids[0], "--preset", "square_1000", "-o", out)
    assert r.exit_code == 0, r.stdout
    assert f"wrote {out}" in r.stdout.replace("\n", ""), r.stdout
    with Image.open(out) as img:
        p = presets["square_1000"]
        assert img.size == (p["width"], p["height"])
    many = tmp_path / "both.zip"
    r = cli("backdrop", "render", photo, "--bg", ids[0], "--bg", ids[-1], "-o", many)
    assert r.exit_code == 0, r.stdout
    assert len(zipfile.ZipFile(many).namelist()) == len(set(ids[:1] + ids[-1:]))
    r = cli("backdrop", "render", photo, "--bg", "no-such-background", "-o", out)
    assert r.exit_code == 2 and "Unknown background" in r.text, r.stdout


def test_import_adds_a_folders_images_and_says_what_it_skipped(cli, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    rgb = np.zeros((300, 400, 3), np.uint8)
    rgb[:] = (200, 190, 175)
    rgb[:, ::10] = (170, 160, 150)
    Image.fromarray(rgb).save(folder / "linen.png")
    Image.fromarray(255 - rgb).save(folder / "dark.jpg")
    (folder / "notes.txt").write_text("not an image")
    before = json.loads(cli("backdrop", "assets", "--json").stdout)
    r = cli("backdrop", "import", folder)
    assert r.exit_code == 0, r.stdout
    assert "added 2" in r.stdout and "notes.txt" in r.stdout, r.stdout
    after = json.loads(cli("backdrop", "assets", "--json").stdout)
    assert len(after) == len(before) + 2
    assert sum(a["source"] == "import" for a in after) >= 2


def test_batch_writes_one_zip_with_a_folder_per_product(cli, tmp_path):
    folder = tmp_path / "shoot"
    folder.mkdir()
    draw_product(folder / "blue.jpg")
    draw_product(folder / "red.jpg", colour=(200, 40, 40))
    (folder / "readme.txt").write_text("hi")
    out = tmp_path / "renders.zip"
    r = cli("backdrop", "batch", folder, "-o", out, "--k", "2")
    assert r.exit_code == 0, r.stdout
    names = zipfile.ZipFile(out).namelist()
    assert {"blue/cutout.png", "red/cutout.png", "contact-sheet.jpg", "report.json"} <= set(names)
    assert sum(n.startswith("blue/") and n.endswith(".jpg") for n in names) == 2, names
    assert "readme.txt" in r.stdout, r.stdout
    report = json.loads(zipfile.ZipFile(out).read("report.json"))
    assert report["lighting"] and len(report["products"]) == 2


def test_bad_files_exit_with_a_clear_message(cli, tmp_path):
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image")
    r = cli("backdrop", "suggest", junk)
    assert r.exit_code == 2 and "JPEG, PNG or WebP" in r.text, r.stdout
    flat = tmp_path / "flat.png"
    Image.new("RGB", (300, 200), (128, 128, 128)).save(flat)
    r = cli("backdrop", "suggest", flat)
    assert r.exit_code == 1 and "stands out" in r.text, r.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("backdrop", "batch", empty, "-o", tmp_path / "x.zip")
    assert r.exit_code == 2 and "empty" in r.stdout.lower(), r.stdout
