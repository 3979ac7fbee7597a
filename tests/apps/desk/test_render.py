"""The CPU makeover render on a desk photo drawn in code, with a hand-built analysis."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from render_scene import desk_analysis, desk_photo, items, keyboard_box, lamp, mug

from pixelsmith.apps.desk.placement import DEFAULT_FORESHORTENING, surface_mask
from pixelsmith.apps.desk.render import RenderItem, RenderResult, composite
from pixelsmith.apps.desk.types import Box, DeskItem

SLOPES = [0.0, 0.012]  # flat scale, and nearer rows 0.012 px/cm bigger per row


def _box_cutout(w: int, h: int, colour=(60, 90, 200)) -> np.ndarray:
    img = np.zeros((h, w, 4), np.uint8)
    img[:] = (*colour, 255)
    return img


def _in_box(box: Box, h: int, w: int) -> np.ndarray:
    m = np.zeros((h, w), bool)
    m[box.y : box.y2, box.x : box.x2] = True
    return m


def _luma(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.int16)


@pytest.mark.parametrize("per_row", SLOPES)
def test_only_pixels_under_item_masks_and_shadows_change(per_row):
    photo = desk_photo()
    result = composite(photo, desk_analysis(per_row=per_row), items(), seed=3)
    assert isinstance(result, RenderResult) and result.image.shape == photo.shape
    assert [p.placed for p in result.items] == [True, True, True]
    h, w = photo.shape[:2]
    union = np.zeros((h, w), bool)
    for p in result.items:
        union |= p.full_mask(h, w) | p.full_shadow(h, w)
    outside = ~union
    assert outside.mean() > 0.5  # most of the photo is untouched …
    assert np.array_equal(result.image[outside], photo[outside])  # … bit for bit
    changed = np.any(result.image != photo, axis=2)
    for p in result.items:  # and each item really was drawn
        drawn = changed[p.box.y : p.box.y2, p.box.x : p.box.x2]
        assert drawn[p.mask > 250].mean() > 0.8, p.product_id


@pytest.mark.parametrize("per_row", SLOPES)
def test_each_item_stands_on_the_free_surface_and_off_the_keyboard(per_row):
    analysis = desk_analysis(per_row=per_row)
    surface = surface_mask(analysis).astype(bool)
    result = composite(desk_photo(), analysis, items())
    kb = _in_box(keyboard_box(), analysis.height, analysis.width)
    for p in result.placed:
        f = p.footprint
        assert surface[f.y : f.y2, f.x : f.x2].all(), p.product_id
        mask = p.full_mask(analysis.height, analysis.width)
        assert not (mask & kb).any(), p.product_id
        # The base: the item's lowest solid row lies on the free surface.
        ys, xs = np.nonzero(p.mask > 127)
        base = ys == ys.max()
        assert surface[p.box.y + ys[base], p.box.x + xs[base]].all(), p.product_id
        assert abs((p.box.y + ys.max() + 1) - f.y2) <= 3  # the footprint is under the base


def test_size_follows_the_scale():
    """10 px/cm everywhere: a 44 × 30 cm item is 440 px wide; its height is 300 px squashed by
    the default look-down (vertical compression half-way to cos θ, θ = asin(0.5))."""
    analysis = desk_analysis(per_row=0.0)
    assert analysis.scale.at(500) == pytest.approx(10.0)
    item = RenderItem("box", "laptop", _box_cutout(880, 600), 44.0, 30.0, depth_cm=20.0)
    (p,) = composite(desk_photo(), analysis, [item]).items
    assert p.placed and p.px_per_cm == pytest.approx(10.0)
    solid = p.mask > 127
    assert solid.sum(axis=1).max() == pytest.approx(440, rel=0.02)
    r = DEFAULT_FORESHORTENING
    squash = 1 - 0.5 * (1 - math.sqrt(1 - r * r))
    assert solid.any(axis=1).sum() == pytest.approx(300 * squash, rel=0.02)
    # Flat scale: no keystone, the top edge is as wide as the base.
    rows = np.nonzero(solid.any(axis=1))[0]
    assert solid[rows[0]].sum() == pytest.approx(solid[rows[-1]].sum(), abs=2)


def test_the_top_narrows_when_the_desk_recedes():
    analysis = desk_analysis(per_row=0.012)
    item = RenderItem("box", "laptop", _box_cutout(880, 600), 44.0, 30.0, depth_cm=20.0)
    (p,) = composite(desk_photo(), analysis, [item]).items
    solid = p.mask > 127
    rows = np.nonzero(solid.any(axis=1))[0]
    top, bottom = solid[rows[1]].sum(), solid[rows[-2]].sum()
    base_y = p.box.y + rows[-1] + 1
    assert bottom == pytest.approx(44.0 * analysis.scale.at(base_y), rel=0.03)
    assert 0.8 * bottom <= top < 0.97 * bottom


def test_nearer_rows_give_bigger_items():
    """The same 8.5 × 10 cm cut-out as a 'monitor' (placed at the back) and a 'mug' (front)."""
    cut = mug()
    back, front = composite(
        desk_photo(),
        desk_analysis(per_row=0.012),
        [RenderItem("a", "monitor", cut, 8.5, 10.0), RenderItem("b", "mug", cut, 8.5, 10.0)],
    ).items
    assert back.placed and front.placed
    assert back.footprint.y2 < front.footprint.y2
    assert front.px_per_cm > back.px_per_cm
    assert front.box.w > 1.2 * back.box.w
    flat = composite(
        desk_photo(),
        desk_analysis(per_row=0.0),
        [RenderItem("a", "monitor", cut, 8.5, 10.0), RenderItem("b", "mug", cut, 8.5, 10.0)],
    ).items
    assert abs(flat[0].box.w - flat[1].box.w) <= 1


def test_items_never_overlap_each_other_or_the_keyboard_in_front_of_them():
    """Placed items never overlap; one may stand in front of the keyboard (hiding part of it, as
    a real mug would) but never reach over it from behind."""
    analysis = desk_analysis(per_row=0.012)
    many = [RenderItem(f"mug-{i}", "mug", mug(), 8.5, 10.0) for i in range(8)]
    many += [RenderItem(f"plant-{i}", "plant", items()[2].rgba, 20.0, 35.0) for i in range(3)]
    result = composite(desk_photo(), analysis, many)
    placed = result.placed
    assert len(placed) >= 8
    h, w = analysis.height, analysis.width
    kb = keyboard_box()
    keyboard = _in_box(kb, h, w)
    taken = np.zeros((h, w), bool)
    for p in placed:
        mask = p.full_mask(h, w)
        assert not (mask & taken).any(), p.product_id
        if p.footprint.y < kb.y2:  # the keyboard stands at or in front of this item
            assert not (mask & keyboard).any(), (p.product_id, p.footprint, kb)
        taken |= mask


def test_an_item_that_cannot_fit_says_so_and_changes_nothing():
    photo = desk_photo()
    analysis = desk_analysis()
    monitors = [RenderItem(f"m{i}", "monitor", _box_cutout(600, 450), 60.0, 45.0) for i in (1, 2)]
    huge = RenderItem("sofa", "desk_mat", _box_cutout(400, 100), 400.0, 100.0)
    result = composite(photo, analysis, [*monitors, huge])
    first, second, sofa = result.items
    assert first.placed
    assert not second.placed and "no free desk space" in second.reason
    assert not sofa.placed and "400 × 100 cm desk mat" in sofa.reason
    assert second.box is None and second.mask is None and second.hotspot is None
    h, w = photo.shape[:2]
    untouched = ~(first.full_mask(h, w) | first.full_shadow(h, w))
    assert np.array_equal(result.image[untouched], photo[untouched])


def test_a_desk_mat_is_no_obstacle_and_a_faint_matte_haze_does_not_set_the_size():
    analysis = desk_analysis()
    mat = DeskItem("desk_mat", Box(0, 360, 1024, 400), 0.8)  # covers the whole desk
    analysis.items.append(mat)
    hazy = _box_cutout(880, 600)
    padded = np.zeros((800, 1200, 4), np.uint8)
    padded[..., 3] = 6  # what a matting model leaves around the product
    padded[100:700, 160:1040] = hazy
    item = RenderItem("box", "laptop", padded, 44.0, 30.0, depth_cm=20.0)
    (p,) = composite(desk_photo(), analysis, [item]).items
    assert p.placed
    assert (p.mask > 127).sum(axis=1).max() == pytest.approx(440, rel=0.02)


def test_no_surface_or_an_empty_cutout_is_refused_with_a_reason():
    analysis = desk_analysis()
    analysis.surface = []
    (p,) = composite(desk_photo(), analysis, [items()[0]]).items
    assert not p.placed and "no free desk surface" in p.reason
    empty = RenderItem("ghost", "mug", np.zeros((50, 50, 4), np.uint8), 8.0, 8.0)
    (p,) = composite(desk_photo(), desk_analysis(), [empty]).items
    assert not p.placed and "no visible pixels" in p.reason


@pytest.mark.parametrize("per_row", SLOPES)
def test_the_shadow_darkens_the_desk_under_each_item(per_row):
    photo = desk_photo()
    result = composite(photo, desk_analysis(per_row=per_row), items())
    h, w = photo.shape[:2]
    items_mask = np.zeros((h, w), bool)
    for p in result.placed:
        items_mask |= p.full_mask(h, w)
    before, after = _luma(photo), _luma(result.image)
    for p in result.placed:
        assert p.shadow is not None
        shade = p.full_shadow(h, w) & ~items_mask
        assert (after[shade] <= before[shade]).all()  # a shadow never brightens
        # Just in front of the base, at the foot's middle, the contact shadow darkens the desk
        # by a fifth or more (the faint drop shadow alone does about half that).
        ys, xs = np.nonzero(p.mask > 127)
        base_y = p.box.y + ys.max() + 1
        foot = xs[ys == ys.max()]
        cx = p.box.x + int(np.median(foot))
        band = (slice(base_y, min(h, base_y + 2)), slice(cx - 2, cx + 3))
        assert (after[band] < 0.8 * before[band]).all(), p.product_id


def test_colours_follow_the_light_of_the_photo_but_keep_the_product():
    analysis = desk_analysis()
    red_mug = [RenderItem("mug", "mug", mug(), 8.5, 10.0)]
    bright = composite(desk_photo(), analysis, red_mug)
    dim = composite(desk_photo(light=0.45), analysis, red_mug)
    b, d = bright.items[0], dim.items[0]
    assert b.box == d.box  # the same spot: only the light differs

    def body(result, p):
        crop = result.image[p.box.y : p.box.y2, p.box.x : p.box.x2][p.mask == 255]
        return crop.astype(float).mean(axis=0)

    rb, gb, bb = body(bright, b)
    rd, gd, bd = body(dim, d)
    assert rd < rb - 15  # dimmer in the dim room …
    assert rd > 2 * gd and rd > 2 * bd  # … and still a red mug
    assert abs(rb - 200) < 40  # and close to its own colour in a well-lit room


def test_same_seed_same_render_and_hotspots_on_the_items():
    photo, analysis = desk_photo(), desk_analysis(per_row=0.012)
    a = composite(photo, analysis, items(), seed=5)
    b = composite(photo, analysis, items(), seed=5)
    assert np.array_equal(a.image, b.image)
    assert [p.to_dict() for p in a.items] == [p.to_dict() for p in b.items]
    for p in a.placed:
        x, y = p.hotspot
        assert p.mask[y - p.box.y, x - p.box.x] > 127
    d = a.to_dict()
    assert d["path"] == "cpu" and len(d["items"]) == 3 and d["items"][0]["hotspot"]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="analysis is of a 1024×768"):
        composite(desk_photo(800, 600), desk_analysis(), items())
    with pytest.raises(ValueError, match="width_cm"):
        RenderItem("x", "lamp", lamp(), 0.0, 45.0)
    with pytest.raises(ValueError, match="HxWx4"):
        composite(desk_photo(), desk_analysis(), [RenderItem("x", "lamp", lamp()[..., :3], 5, 5)])


def test_an_item_may_hide_part_of_a_found_item_behind_it_but_not_most_of_it():
    from pixelsmith.apps.desk import placement
    from pixelsmith.apps.desk.types import Box, DeskItem

    analysis = desk_analysis()
    behind = Box(400, 300, 100, 100)  # stands on row 400
    analysis.items = [DeskItem("speaker", behind, 0.9)]
    occ = placement.Occupancy(analysis)
    g = occ.gap
    xs = np.array([400 - g, 470 - g, 700])  # covers it all / about a third / not at all
    ok = occ.clear_of_found(xs, 100 + 2 * g, top=280, base=520, back=460)
    assert ok.tolist() == [False, True, True], ok
    # In front of the item's footprint (its base below the back edge): never overlapped.
    analysis.items = [DeskItem("speaker", Box(400, 300, 100, 200), 0.9)]  # stands on row 500
    occ = placement.Occupancy(analysis)
    ok = occ.clear_of_found(np.array([470 - g, 700]), 100 + 2 * g, top=280, base=520, back=460)
    assert ok.tolist() == [False, True], ok
