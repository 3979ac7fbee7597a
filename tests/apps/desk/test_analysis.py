"""Desk analysis on real models, against desk scenes drawn in code (tests/apps/desk/scenes.py)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from scenes import WHITE_DESK, WOOD, desk_scene

from pixelsmith.apps.desk.analysis import analyze
from pixelsmith.apps.desk.palette import dominant_palette
from pixelsmith.apps.desk.scale import DEFAULT_SPAN_CM, estimate_scale
from pixelsmith.apps.desk.types import ITEM_LABELS, STYLES, Box, DeskAnalysis, DeskItem
from pixelsmith.core.colour import colour_name


@pytest.fixture(scope="module")
def wood():
    img, things = desk_scene(WOOD)
    return img, things, analyze(img)


@pytest.fixture(scope="module")
def white():
    img, things = desk_scene(WHITE_DESK, mug_rgb=(40, 90, 200))
    return img, things, analyze(img)


def test_colour_names_are_plain():
    assert colour_name(WOOD) == "brown"
    assert colour_name((250, 250, 250)) == "white"
    assert colour_name((15, 15, 15)) == "black"
    assert colour_name((30, 60, 200)) == "blue"


def test_palette_top_colour_is_the_drawn_desk_or_wall():
    img, _ = desk_scene(WOOD)
    pal = dominant_palette(img)
    assert 5 <= len(pal.colours) <= 6
    assert abs(sum(c.share for c in pal.colours) - 1) < 1e-6
    assert [c.share for c in pal.colours] == sorted((c.share for c in pal.colours), reverse=True)
    # Desk (45% of the photo, less what stands on it) and wall (~40%) are the two biggest.
    assert {pal.colours[0].name, pal.colours[1].name} == {"brown", "light_grey"}
    solid = np.zeros((300, 400, 3), np.uint8)
    solid[:] = (40, 90, 200)
    assert dominant_palette(solid).colours[0].name == "blue"


def test_style_is_wood_for_a_wood_desk_and_minimal_for_a_white_one(wood, white):
    assert wood[2].style.style == "wood_natural", wood[2].styles
    assert any("warm brown" in e for e in wood[2].style.evidence)
    assert white[2].style.style == "minimal_white", white[2].styles
    assert {s.style for s in wood[2].styles} == set(STYLES)


@pytest.mark.parametrize("which", ["wood", "white"])
def test_free_surface_lies_on_the_desk_and_avoids_the_items(which, request):
    img, things, res = request.getfixturevalue(which)
    assert res.surface, "no free surface found"
    h, w = img.shape[:2]
    free = np.zeros((h, w), np.uint8)
    for poly in res.surface:
        cv2.fillPoly(free, [np.array(poly, np.int32)], 1)
    area = free.sum()
    assert area > 0.1 * w * h  # a good share of the drawn desk is free
    _, dy, _, _ = things["desk"]
    assert free[: dy - 5].sum() < 0.02 * area  # on the desk, not on the wall
    for name in ("keyboard", "mug"):
        x, y, bw, bh = things[name]
        assert free[y : y + bh, x : x + bw].sum() < 0.05 * bw * bh, name


def test_items_are_known_labels_inside_the_photo(wood):
    img, _, res = wood
    h, w = img.shape[:2]
    for it in res.items:
        assert it.label in ITEM_LABELS and 0 < it.score <= 1 and it.evidence
        assert 0 <= it.box.x < it.box.x2 <= w and 0 <= it.box.y < it.box.y2 <= h


def test_the_analysis_survives_json(wood):
    res = wood[2]
    again = DeskAnalysis.from_dict(json.loads(json.dumps(res.to_dict())))
    assert json.dumps(again.to_dict()) == json.dumps(res.to_dict())
    assert again.style.style == res.style.style and again.scale.at(500) == res.scale.at(500)


def test_scale_from_a_keyboard_with_perspective_and_a_default_without():
    kb = DeskItem("keyboard", Box(400, 700, 440, 120), 0.9)
    mug = DeskItem("mug", Box(900, 400, 60, 80), 0.8)
    s = estimate_scale([kb, mug], 1600, 1000)
    assert s.source == "keyboard" and s.px_per_cm == pytest.approx(10.0)
    assert s.per_row > 0 and s.at(900) > s.at(700) > s.at(480)
    d = estimate_scale([], 1600, 1000)
    assert d.source == "default" and d.px_per_cm == pytest.approx(1600 / DEFAULT_SPAN_CM)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        analyze(np.zeros((2000, 1000, 3), np.uint8))
    with pytest.raises(ValueError):
        analyze(np.zeros((100, 100), np.uint8))


def test_an_unlabelled_thing_on_the_desk_is_an_obstacle_nothing_is_placed_over():
    """A dark puck no ImageNet class names (the way a real mouse is often missed) is a hole in
    the desk top: the analysis reports it, and a render places nothing over it."""
    from render_scene import items as cutouts

    from pixelsmith.apps.desk.render import composite

    img, things = desk_scene(WOOD)
    img = img.copy()
    h, w = img.shape[:2]
    cx, cy, r = int(w * 0.2), int(h * 0.86), int(h * 0.035)
    cv2.ellipse(img, (cx, cy), (int(r * 1.6), r), 0, 0, 360, (30, 30, 34), -1)
    res = analyze(img)
    puck = (cx - int(r * 1.6), cy - r, int(r * 3.2), 2 * r)

    def overlap(b) -> bool:
        return (
            b.x < puck[0] + puck[2]
            and puck[0] < b.x2
            and b.y < puck[1] + puck[3]
            and puck[1] < b.y2
        )

    assert any(overlap(b) for b in res.obstacles), (res.obstacles, puck)
    placed = composite(img, res, [*cutouts(), *cutouts()], seed=0).placed
    assert placed, "nothing was placed at all"
    blob = np.zeros((h, w), bool)
    cv2.ellipse(blob.view(np.uint8), (cx, cy), (int(r * 1.6), r), 0, 0, 360, 1, -1)
    for p in placed:
        assert not (p.full_mask(h, w) & blob).any(), p.product_id


def test_things_shown_on_a_screen_are_not_items_on_the_desk():
    from pixelsmith.apps.desk.analysis import drop_screen_content
    from pixelsmith.apps.desk.types import Box, DeskItem

    monitor = DeskItem("monitor", Box(100, 50, 600, 350), 0.8)
    clock_on_screen = DeskItem("clock", Box(300, 120, 80, 80), 0.5)
    mug_in_front = DeskItem("mug", Box(650, 330, 90, 110), 0.6)  # half below the screen
    kept = drop_screen_content([monitor, clock_on_screen, mug_in_front])
    assert [i.label for i in kept] == ["monitor", "mug"]
