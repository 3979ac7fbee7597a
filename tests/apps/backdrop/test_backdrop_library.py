"""The asset library on a real SQLite database, real blob storage and the real models."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from pixelsmith.apps.backdrop import starter
from pixelsmith.apps.backdrop.asset_models import BackdropAsset
from pixelsmith.apps.backdrop.library import AssetLibrary
from pixelsmith.core.db import Database
from pixelsmith.core.storage import LocalStorage

SIDE = 64
N_STARTER = len(starter.STARTER_SPECS)


def make_library(tmp_path, **kw) -> AssetLibrary:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    return AssetLibrary(db, LocalStorage(tmp_path / "blobs"), side=SIDE, **kw)


@pytest.fixture
def lib(tmp_path) -> AssetLibrary:
    return make_library(tmp_path)


def wood_planks(w: int = 320, h: int = 240) -> np.ndarray:
    """Brown planks with grain running along x."""
    y = np.arange(h, dtype=np.float32)[:, None]
    x = np.arange(w, dtype=np.float32)[None, :]
    grain = 0.5 + 0.5 * np.sin(y * 0.9 + 3 * np.sin(x / 40.0))
    img = np.stack([120 + 60 * grain, 75 + 40 * grain, 40 + 20 * grain], axis=2)
    img[(np.arange(h) % 60) < 2] *= 0.5
    return np.clip(img, 0, 255).astype(np.uint8)


def blue_gradient(w: int = 300, h: int = 300) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top, bottom = np.array([200, 220, 250], np.float32), np.array([40, 80, 180], np.float32)
    return np.broadcast_to(top + (bottom - top) * t, (h, w, 3)).astype(np.uint8)


def write(path, rgb: np.ndarray) -> None:
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[:, :, ::-1]))


def test_starter_set_is_made_once(lib: AssetLibrary):
    assert lib.ensure_starter() == N_STARTER
    assert lib.ensure_starter() == 0
    assets = lib.list()
    assert len(assets) == N_STARTER and {a.source for a in assets} == {"starter"}
    marble = lib.get("starter-marble-white")
    assert marble.kind == "marble" and marble.descriptions["ko"] and marble.colours
    assert marble.brightness > 60
    img = lib.image(marble)
    assert img.shape == (SIDE, SIDE, 3) and img.dtype == np.uint8
    assert lib.storage.exists(marble.thumb_key)
    assert len(lib.list(kind="podium")) >= 4
    with pytest.raises(KeyError):
        lib.get("starter-no-such-thing")


def test_two_libraries_racing_make_the_set_once(tmp_path):
    a, b = make_library(tmp_path), make_library(tmp_path)
    added, errors = [], []

    def run(lib):
        try:
            added.append(lib.ensure_starter())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(x,)) for x in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sum(added) == N_STARTER
    with a.db.session() as s:
        assert s.query(BackdropAsset).count() == N_STARTER


def test_import_dir_adds_and_describes_images_and_says_why_it_skipped(tmp_path):
    lib = make_library(
        tmp_path, limits={"max_bytes": 150_000, "max_pixels": 4_000_000, "max_side": 4000}
    )
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder / "planks.png", wood_planks())
    write(folder / "sky.jpg", blue_gradient())
    write(folder / "copy-of-sky.jpg", blue_gradient())  # the same pixels again
    (folder / "notes.txt").write_text("not an image")
    (folder / "fake.png").write_bytes(b"this is text pretending to be a PNG" * 10)
    noise = np.random.default_rng(1).integers(0, 256, (400, 400, 3), dtype=np.uint8)
    write(folder / "huge.png", noise)  # ~480 kB: over the 150 kB limit
    seen = []
    report = lib.import_dir(folder, user_id="alice", progress=lambda d, t, n: seen.append(d))
    names = sorted(a.name for a in report.added)
    assert len(names) == 2 and "planks" in names  # one of the two identical skies
    reasons = {s.path.rsplit("/", 1)[1]: s.code for s in report.skipped}
    assert reasons["notes.txt"] == "not_an_image"
    assert reasons["fake.png"] == "unsupported_type"
    assert reasons["huge.png"] == "file_too_large"
    assert "duplicate" in reasons.values()
    assert all(s.message for s in report.skipped)
    assert seen[-1] == 6
    by_name = {a.name: a for a in report.added}
    planks = by_name["planks"]
    assert planks.source == "import" and planks.kind == "wood"
    assert "brown" in planks.description or "tan" in planks.description
    assert planks.descriptions["ko"] and planks.texture > 0.1
    sky = next(a for a in report.added if a.name != "planks")
    assert sky.kind in {"gradient", "paper_sweep"} and sky.texture < 0.1
    assert any(w in sky.description for w in ("blue", "light blue", "navy"))
    with lib.db.session() as s:
        row = s.get(BackdropAsset, planks.id)
        assert row.labels and row.embedding and len(row.embedding) == 512 * 4
    # per-user: alice sees hers, bob and the shared view do not
    assert {a.id for a in lib.list(user_id="alice")} == {a.id for a in report.added}
    assert lib.list(user_id="bob") == [] and lib.list() == []
    with pytest.raises(KeyError):
        lib.get(planks.id, user_id="bob")
    assert lib.get(planks.id, user_id="alice").id == planks.id


def test_add_image_delete_and_the_cached_index(lib: AssetLibrary):
    lib.ensure_starter()
    first = lib.index()
    assert len(first) == N_STARTER and lib.index() is first  # cached while nothing changes
    gen = lib.add_image(
        blue_gradient(), source="generated", description="a deep blue studio gradient"
    )
    assert gen.source == "generated" and gen.description == "a deep blue studio gradient"
    second = lib.index()
    assert second is not first and len(second) == N_STARTER + 1
    blob = gen.blob_key
    lib.delete(gen.id)
    with pytest.raises(KeyError):
        lib.get(gen.id)
    assert not lib.storage.exists(blob)
    assert len(lib.index()) == N_STARTER
    with pytest.raises(ValueError):
        lib.add_image(blue_gradient(), source="downloaded")


def test_a_user_cannot_delete_what_is_not_theirs(lib: AssetLibrary):
    lib.ensure_starter()
    mine = lib.add_image(wood_planks(), source="import", user_id="alice")
    # each user's index holds the shared assets and their own
    assert mine.id in {a.id for a in lib.index(user_id="alice").assets}
    assert mine.id not in {a.id for a in lib.index(user_id="bob").assets}
    assert len(lib.index()) == N_STARTER
    with pytest.raises(KeyError):
        lib.delete(mine.id, user_id="bob")
    with pytest.raises(KeyError):
        lib.delete("starter-sweep-white", user_id="bob")
    lib.delete(mine.id, user_id="alice")
    assert lib.list(user_id="alice") == lib.list()
