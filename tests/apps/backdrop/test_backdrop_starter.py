"""The starter set: 30+ distinct, described, deterministic backgrounds with sane geometry."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pixelsmith.apps.backdrop import describe, starter
from pixelsmith.apps.backdrop.types import ASSET_KINDS, ASSET_SIDE
from pixelsmith.core.colour import colour_word

SIDE = 96
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def painted() -> dict[str, starter.StarterImage]:
    return {img.spec.id: img for img in starter.make_all(SIDE)}


def test_at_least_thirty_described_assets_in_both_languages():
    specs = starter.STARTER_SPECS
    assert len(specs) >= 30
    assert len({s.id for s in specs}) == len(specs)
    assert len({s.en for s in specs}) == len(specs) and len({s.ko for s in specs}) == len(specs)
    for s in specs:
        assert s.id.startswith("starter-") and re.fullmatch(r"[a-z0-9-]+", s.id)
        assert s.kind in ASSET_KINDS
        assert len(s.en.split()) >= 6 and s.en.isascii()
        assert HANGUL.search(s.ko), s.id
        assert s.tags and s.name
    kinds = {s.kind for s in specs}
    for wanted in (
        "gradient",
        "paper_sweep",
        "marble",
        "wood",
        "concrete",
        "linen",
        "bokeh",
        "podium",
        "terrazzo",
        "studio_floor",
        "solid",
    ):
        assert wanted in kinds


def test_every_starter_backdrop_has_a_korean_name_and_only_they_do():
    ko = starter.NAMES["ko"]
    ids = {s.id for s in starter.STARTER_SPECS}
    assert set(ko) == ids, (sorted(ids - set(ko)), sorted(set(ko) - ids))
    assert all(HANGUL.search(name) for name in ko.values()), ko
    assert len(set(ko.values())) == len(ko), "two backdrops share a Korean name"
    first = starter.STARTER_SPECS[0]
    assert starter.display_name(first.id, first.name, "ko") == ko[first.id]
    assert starter.display_name(first.id, first.name, "en") == first.name
    assert starter.display_name("import-abc", "my wall", "ko") == "my wall"  # the user's own


def test_images_are_distinct_and_not_flat(painted):
    imgs = list(painted.values())
    for img in imgs:
        assert img.rgb.shape == (SIDE, SIDE, 3) and img.rgb.dtype == np.uint8
        if img.spec.kind != "solid":
            assert img.rgb.std() > 2.0, img.spec.id  # some light falloff or texture
    flat = np.stack([i.rgb.astype(np.float32) for i in imgs])
    diff = np.abs(flat[:, None] - flat[None]).mean(axis=(2, 3, 4))
    np.fill_diagonal(diff, np.inf)
    i, j = np.unravel_index(np.argmin(diff), diff.shape)
    assert diff[i, j] > 2.0, (imgs[i].spec.id, imgs[j].spec.id)
    assert (painted["starter-solid-white"].rgb == 255).all()


def test_painting_is_deterministic():
    spec = starter.BY_ID["starter-marble-white"]
    a, b = starter.make(spec, SIDE), starter.make(spec, SIDE)
    assert np.array_equal(a.rgb, b.rgb)
    other = starter.make(starter.BY_ID["starter-marble-green"], SIDE)
    assert not np.array_equal(a.rgb, other.rgb)


def test_geometry_is_where_a_product_can_stand(painted):
    for img in painted.values():
        assert 0.5 <= img.floor_y <= 0.92, img.spec.id
        if img.spec.kind == "podium":
            box = img.podium
            assert box is not None, img.spec.id
            assert 0 <= box.x < box.x2 <= ASSET_SIDE and 0 <= box.y < box.y2 <= ASSET_SIDE
            # the product's base sits on the podium's top face
            assert box.y <= img.floor_y * ASSET_SIDE <= box.y2
            assert box.w > 0.2 * ASSET_SIDE
        else:
            assert img.podium is None


def test_measured_colours_match_what_was_painted(painted):
    dark = describe.measure(painted["starter-marble-black"].rgb)
    bright = describe.measure(painted["starter-sweep-white"].rgb)
    assert dark["brightness"] < 35 < 80 < bright["brightness"]
    assert describe.measure(painted["starter-sweep-mint"].rgb)["colours"][0]["name"] in {
        "mint",
        "light blue",
        "sage",
        "green",
    }
    wood = describe.measure(painted["starter-wood-walnut"].rgb)
    assert wood["texture"] > describe.measure(painted["starter-gradient-white"].rgb)["texture"]


def test_describe_recognises_most_backdrops_without_labels():
    """The kind guess for imports, tried on the starter set (whose kinds are known)."""
    right = 0
    for spec in starter.STARTER_SPECS:
        d = describe.describe_image(starter.make(spec, 256).rgb, classifier=False)
        right += d["kind"] == spec.kind
        assert d["kind"] in ASSET_KINDS
        assert d["description"].isascii() and HANGUL.search(d["descriptions"]["ko"])
        assert colour_word(d["colours"][0]["name"]) in d["description"] and d["labels"] == []
    assert right >= 0.55 * len(starter.STARTER_SPECS), right  # 25 of 42 at 256², 32 at 384²
