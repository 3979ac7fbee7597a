"""core/compose.py: exact blends, shadows that follow the light, reflections, cover crops."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pixelsmith.core import compose as cc


def _noise(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _blob(w: int = 120, h: int = 200, pad: int = 6) -> np.ndarray:
    """A bottle-like alpha canvas: a body, a narrower neck, a soft rim, `pad` px around."""
    a = np.zeros((h + 2 * pad, w + 2 * pad), np.uint8)
    cv2.rectangle(a, (pad, pad + h // 3), (pad + w - 1, pad + h - 1), 255, -1)
    cv2.rectangle(a, (pad + w // 3, pad), (pad + 2 * w // 3, pad + h // 3), 255, -1)
    return cv2.GaussianBlur(a, (0, 0), 1.2)


def _centroid(darkness: np.ndarray, rect: cc.Rect) -> tuple[float, float]:
    ys, xs = np.nonzero(darkness)
    wts = darkness[ys, xs].astype(float)
    return rect[0] + float((xs * wts).sum() / wts.sum()), rect[1] + float(
        (ys * wts).sum() / wts.sum()
    )


def test_alpha_over_is_exact_where_alpha_is_0_or_255_and_between_elsewhere():
    bg = _noise(80, 100, 1)
    layer = _noise(40, 60, 2)
    alpha = np.random.default_rng(3).integers(0, 256, (40, 60), dtype=np.uint8)
    alpha[:10] = 255
    alpha[10:20] = 0
    out = bg.copy()
    cc.alpha_over(out, layer, alpha, (30, 25))
    region, before = out[25:65, 30:90], bg[25:65, 30:90]
    assert np.array_equal(region[alpha == 255], layer[alpha == 255])
    assert np.array_equal(region[alpha == 0], before[alpha == 0])
    lo, hi = np.minimum(layer, before).astype(int), np.maximum(layer, before).astype(int)
    assert ((region >= lo) & (region <= hi)).all()
    outside = np.ones((80, 100), bool)
    outside[25:65, 30:90] = False
    assert np.array_equal(out[outside], bg[outside])


def test_alpha_over_and_darken_clip_at_the_frame():
    bg = _noise(50, 50, 4)
    out = bg.copy()
    layer, alpha = _noise(30, 30, 5), np.full((30, 30), 255, np.uint8)
    cc.alpha_over(out, layer, alpha, (-10, 35))  # hangs off the left and the bottom
    assert np.array_equal(out[35:50, 0:20], layer[0:15, 10:30])
    assert np.array_equal(out[:35], bg[:35])
    cc.alpha_over(out, layer, alpha, (60, 60))  # wholly outside: nothing happens
    dark = np.full((20, 20), 255, np.uint8)
    cc.darken(out, dark, (40, -10))
    assert (out[0:10, 40:50] == 0).all()


def test_darken_never_brightens_and_leaves_zero_darkness_alone():
    bg = _noise(40, 40, 6)
    dark = np.random.default_rng(7).integers(0, 256, (40, 40), dtype=np.uint8)
    dark[:20] = 0
    out = bg.copy()
    cc.darken(out, dark, (0, 0))
    assert np.array_equal(out[:20], bg[:20])
    assert (out <= bg).all()
    half = np.full((40, 40), 128, np.uint8)
    flat = np.full((40, 40, 3), 200, np.uint8)
    cc.darken(flat, half, (0, 0))
    assert (flat == round(200 * 127 / 255)).all()


@pytest.mark.parametrize("aw,item_h", [(50, 100), (133, 217), (400, 57)])
def test_the_default_light_gives_the_desks_historical_drop_offset(aw, item_h):
    assert cc.drop_offset(cc.Light(), aw, item_h) == (
        round(0.03 * aw) + 1,
        round(0.015 * item_h) + 1,
    )


def test_drop_offsets_follow_the_light():
    w = h = 400
    left = cc.drop_offset(cc.Light(135, 50), w, h)
    right = cc.drop_offset(cc.Light(45, 50), w, h)
    assert left[0] > 0 and right[0] < 0 and left[1] == right[1] > 0  # mirrored
    assert cc.drop_offset(cc.Light(0, 50), w, h)[0] < 0  # light from the right → to the left
    above = cc.drop_offset(cc.Light(90, 50), w, h)
    assert above[0] == 0 and above[1] > 0
    assert cc.drop_offset(cc.Light(135, 90), w, h) == (0, 0)  # straight overhead
    low, high = cc.drop_offset(cc.Light(135, 20), w, h), cc.drop_offset(cc.Light(135, 70), w, h)
    assert low[0] > left[0] > high[0] > 0  # the lower the light, the longer the shadow


def test_shadows_lie_under_the_base_and_fall_away_from_the_light():
    alpha = _blob()
    ah, aw = alpha.shape
    origin, size = (200, 100), (600, 500)
    rows = cc.solid_rows(alpha)
    base_y = origin[1] + rows[-1] + 1
    cx = origin[0] + aw / 2
    found = {}
    for az in (135.0, 45.0):
        drop = cc.drop_offset(cc.Light(az, 40), aw, len(rows), (0.1, 0.05))
        rect, dark = cc.shadows(alpha, origin, size, foreshortening=0.4, drop=drop, lean=0.3)
        assert dark.dtype == np.uint8 and dark.shape == (rect[3], rect[2])
        found[az] = (rect, dark)
        # The contact shadow: darkest just under the foot's middle, fading away below it.
        col = round(cx) - rect[0]
        under, lower = base_y - rect[1], base_y - rect[1] + 25
        assert (
            dark[under, col] > 0.45 * 255
            and dark[under, col] > 3 * dark[min(lower, rect[3] - 1), col]
        )
    x_left, _ = _centroid(found[135.0][1], found[135.0][0])
    x_right, _ = _centroid(found[45.0][1], found[45.0][0])
    assert x_left > cx + 3 and x_right < cx - 3  # upper-left light → shadow to the right, …


def test_shadow_strength_scales_the_darkness_and_an_empty_alpha_casts_none():
    alpha = _blob()
    args = dict(foreshortening=0.5, drop=(5, 3), drop_strength=0.0)
    _, weak = cc.shadows(alpha, (50, 50), (400, 400), contact_strength=0.3, **args)
    _, strong = cc.shadows(alpha, (50, 50), (400, 400), contact_strength=0.6, **args)
    assert strong.max() == pytest.approx(2 * weak.max(), abs=2)
    assert cc.shadows(np.zeros((30, 30), np.uint8), (0, 0), (100, 100), **args) is None
    assert cc.shadows(alpha, (900, 900), (100, 100), **args) is None  # off the picture


def test_softness_blurs_the_contact_shadow_wider():
    alpha = _blob()
    args = dict(foreshortening=0.5, drop=(0, 0), drop_strength=0.0)
    _, soft = cc.shadows(alpha, (50, 50), (600, 600), contact_softness=2.0, **args)
    _, hard = cc.shadows(alpha, (50, 50), (600, 600), contact_softness=0.5, **args)
    assert (soft > 10).sum() > 1.3 * (hard > 10).sum()


def test_the_reflection_starts_under_the_base_and_fades_with_distance():
    alpha = _blob()
    rgb = np.zeros((*alpha.shape, 3), np.uint8)
    rgb[..., 0] = 220
    row, r_rgb, r_alpha = cc.reflection(rgb, alpha, length=0.3, strength=0.3, blur=1.0)
    rows = cc.solid_rows(alpha)
    assert row == rows[-1] + 1
    assert r_alpha.shape[0] == round(0.3 * len(rows)) and r_alpha.shape[1] == alpha.shape[1]
    mid = alpha.shape[1] // 2
    profile = r_alpha[:, mid].astype(int)
    # the object's soft rim first (its base row is only half opaque), then a steady fade
    assert profile.max() <= round(0.3 * 255) + 1 and profile[3] > 0.2 * 255
    assert (np.diff(profile[3:]) <= 1).all()
    assert profile[3] > profile[len(profile) // 2] > profile[-1] and profile[-1] < 0.05 * 255
    seen = r_alpha > 8
    assert (np.abs(r_rgb[seen].astype(int) - (220, 0, 0)) <= 2).all()  # no dark fringe
    assert cc.reflection(rgb, np.zeros_like(alpha)) is None


def test_scale_cutout_keeps_its_own_size_bit_for_bit_and_never_bleeds_black():
    alpha = _blob()
    rgb = np.zeros((*alpha.shape, 3), np.uint8)
    rgb[alpha > 0] = (30, 160, 90)  # transparent pixels are black, as in many cut-out files
    same_rgb, same_a = cc.scale_cutout(rgb, alpha, (alpha.shape[1], alpha.shape[0]))
    assert same_rgb is rgb and same_a is alpha
    for size in ((50, 81), (300, 500)):
        s_rgb, s_a = cc.scale_cutout(rgb, alpha, size)
        assert s_a.shape == size[::-1] and s_rgb.shape == (*size[::-1], 3)
        seen = s_a > 8
        assert (np.abs(s_rgb[seen].astype(int) - (30, 160, 90)) <= 1).all()
        assert np.array_equal(
            s_rgb[s_a == 255], np.broadcast_to((30, 160, 90), s_rgb[s_a == 255].shape)
        )


def test_base_span_is_the_foot_not_the_widest_part():
    a = np.zeros((100, 100), np.uint8)
    cv2.rectangle(a, (10, 0), (89, 59), 255, -1)  # a wide shade
    cv2.rectangle(a, (40, 60), (59, 99), 255, -1)  # on a narrow foot
    assert cc.base_span(a) == (40, 60)


@pytest.mark.parametrize(
    "src,size",
    [
        ((1600, 1200), (1024, 1024)),
        ((800, 1400), (1024, 1024)),
        ((2048, 2048), (800, 1000)),
        ((500, 500), (1024, 1024)),
    ],
)
def test_cover_fills_the_frame_and_keeps_the_focus_share(src, size):
    w, h = src
    img = np.full((h, w, 3), 90, np.uint8)
    floor = round(0.8 * h)
    img[floor:] = 200  # a floor below 80% of the height
    out, where = cc.cover(img, size, focus=(0.5, 0.8))
    assert out.shape == (size[1], size[0], 3)
    edge = int(np.argmax(out[:, size[0] // 2, 0] > 145))  # the first row past half-way
    assert abs(edge - 0.8 * size[1]) <= 2
    assert abs(where.point(0, floor)[1] - 0.8 * size[1]) <= 2


def test_cover_at_the_same_size_is_the_image_itself():
    img = _noise(64, 96, 9)
    out, where = cc.cover(img, (96, 64))
    assert np.array_equal(out, img) and where.point(5, 7) == (5, 7)
