"""Backdrop composite: a hand-built Matte on a textured background drawn in code."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from pixelsmith.apps.backdrop import composite as bc
from pixelsmith.apps.backdrop.types import ASSET_SIDE, Asset, Box, Lighting, Matte, Render
from pixelsmith.core import compose as cc


def _background(w: int = 1600, h: int = 1600, floor_y: float = 0.82, seed: int = 0) -> np.ndarray:
    """A wall and a floor, both with a fine random texture (so any change shows)."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), np.uint8)
    img[: round(floor_y * h)] = (214, 206, 196)
    img[round(floor_y * h) :] = (150, 132, 118)
    noise = rng.integers(-12, 13, (h, w, 1), dtype=np.int16)
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def _matte(w: int, h: int, *, kind: str = "bottle", seed: int = 1, pad: int = 40) -> Matte:
    """A product of w × h px in a photo `pad` px larger each side: textured colour, soft rim."""
    rng = np.random.default_rng(seed)
    ph, pw = h + 2 * pad, w + 2 * pad
    alpha = np.zeros((ph, pw), np.uint8)
    if kind == "bottle":  # a body and a neck: tall
        cv2.rectangle(alpha, (pad, pad + h // 3), (pad + w - 1, pad + h - 1), 255, -1)
        cv2.rectangle(alpha, (pad + w // 3, pad), (pad + 2 * w // 3, pad + h // 3), 255, -1)
    else:  # a box
        cv2.rectangle(alpha, (pad, pad), (pad + w - 1, pad + h - 1), 255, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.5)
    photo = np.full((ph, pw, 3), 240, np.uint8)
    body = np.clip(
        np.array([170, 40, 60]) + rng.integers(-40, 41, (ph, pw, 3), dtype=np.int16), 0, 255
    ).astype(np.uint8)
    photo[alpha > 0] = body[alpha > 0]
    ys, xs = np.nonzero(alpha)
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs) + 1), int(np.ptp(ys) + 1))
    return Matte(rgb=photo, alpha=alpha, box=box, confidence=0.95)


def _asset(floor_y: float = 0.82, podium: Box | None = None) -> Asset:
    return Asset(
        id="test-floor",
        name="Warm studio floor",
        description="A warm grey wall over a brown studio floor.",
        kind="podium" if podium else "studio_floor",
        source="starter",
        colours=["#d6cec4", "#968476"],
        brightness=78.0,
        texture=0.2,
        floor_y=floor_y,
        podium=podium,
    )


def _placed(render: Render) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the product's solid pixels in the render."""
    return np.nonzero(render.product_mask > 127)


def _shadow_and_reflection(p: bc.Plan) -> np.ndarray:
    h, w = p.background.shape[:2]
    drawn = np.zeros((h, w), bool)
    if p.shadow is not None:
        (x, y, sw, sh), dark = p.shadow
        drawn[y : y + sh, x : x + sw] |= dark > 0
    if p.reflection is not None:
        (x, y), _, r_alpha = p.reflection
        drawn[y : y + r_alpha.shape[0], x : x + r_alpha.shape[1]] |= r_alpha > 0
    return drawn


def _visible(matte: Matte) -> tuple[slice, slice]:
    """The matte's visible pixels (alpha ≥ TRIM_ALPHA): what the composite places."""
    ys, xs = np.nonzero(matte.alpha >= bc.TRIM_ALPHA)
    return slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)


@pytest.mark.parametrize("reflection", [False, True])
def test_the_products_core_is_its_photo_bit_for_bit(reflection):
    """A product asked to fill exactly its own height needs no resampling: where its alpha is
    255 the render is the photo's own pixel (ΔE = 0), texture and all."""
    matte = _matte(300, 717)
    rows, cols = _visible(matte)
    fill = (rows.stop - rows.start) / 1024
    render = bc.compose(matte, _background(), _asset(), Lighting(reflection=reflection), fill=fill)
    assert render.image.shape == (1024, 1024, 3) and render.image.dtype == np.uint8
    alpha, photo = matte.alpha[rows, cols], matte.rgb[rows, cols]
    b = render.product_box
    assert (b.h, b.w) == alpha.shape
    core = alpha == 255
    assert core.sum() > 120_000
    placed = render.image[b.y : b.y2, b.x : b.x2]
    assert np.array_equal(placed[core], photo[core])
    assert np.array_equal(render.product_mask[b.y : b.y2, b.x : b.x2], alpha)


@pytest.mark.parametrize("reflection", [False, True])
def test_a_scaled_product_keeps_its_colour_exactly_in_its_core(reflection):
    """Scaled to the frame, a flat-coloured product's core has CIEDE2000 ΔE = 0 to its own
    colour, and every core pixel is the scaled cut-out's: nothing relights it."""
    matte = _matte(90, 200)
    matte.rgb[matte.alpha > 0] = (38, 92, 171)
    p = bc.plan(matte, _background(), _asset(), Lighting(reflection=reflection))
    assert p.scale > 3
    render = bc.compose(matte, _background(), _asset(), Lighting(reflection=reflection))
    core = render.product_mask == 255
    assert core.sum() > 50_000
    lab = rgb2lab(render.image[core][None].astype(np.float64) / 255.0)
    own = rgb2lab(np.array([[[38, 92, 171]]], np.float64) / 255.0)
    assert (render.image[core] == (38, 92, 171)).all()
    assert float(deltaE_ciede2000(lab, np.broadcast_to(own, lab.shape)).max()) < 1e-9
    ox, oy = p.origin
    canvas = render.image[oy : oy + p.alpha.shape[0], ox : ox + p.alpha.shape[1]]
    assert np.array_equal(canvas[p.alpha == 255], p.rgb[p.alpha == 255])


@pytest.mark.parametrize("reflection", [False, True])
def test_pixels_outside_the_product_shadow_and_reflection_are_the_backgrounds(reflection):
    bg = _background(1800, 1400)
    matte = _matte(400, 260, kind="box")
    lighting = Lighting(reflection=reflection)
    p = bc.plan(matte, bg, _asset(), lighting, fill=0.4)
    render = bc.compose(matte, bg, _asset(), lighting, fill=0.4)
    covered, _ = cc.cover(bg, (1024, 1024), focus=(0.5, 0.82))
    assert np.array_equal(p.background, covered)
    untouched = ~((render.product_mask > 0) | _shadow_and_reflection(p))
    assert untouched.mean() > 0.6
    assert np.array_equal(render.image[untouched], covered[untouched])
    changed = np.any(render.image != covered, axis=2)
    assert changed[_shadow_and_reflection(p)].mean() > 0.5  # the shadow really was drawn


@pytest.mark.parametrize("floor_y", [0.82, 0.7])
@pytest.mark.parametrize("bg_size", [(1600, 1600), (1000, 1600), (2400, 1200)])
def test_the_base_sits_on_the_floor_line_centred(floor_y, bg_size):
    bg = _background(*bg_size, floor_y=floor_y)
    for matte in (_matte(200, 500), _matte(600, 300, kind="box")):
        render = bc.compose(matte, bg, _asset(floor_y), Lighting())
        ys, xs = _placed(render)
        assert abs(ys.max() + 1 - floor_y * 1024) <= 3
        assert abs((xs.min() + xs.max()) / 2 - 512) <= 3


def test_on_a_podium_the_product_stands_on_its_top_centred_and_its_foot_fits():
    # the podium's top surface at (524, 1300) 600 × 160 in ASSET_SIDE² coordinates
    podium = Box(524, 1300, 600, 160)
    asset = _asset(floor_y=0.66, podium=podium)
    bg = _background(ASSET_SIDE, ASSET_SIDE, floor_y=0.66)
    k = 1024 / ASSET_SIDE
    top = (podium.y + bc.PODIUM_BASE * podium.h) * k
    for matte in (_matte(200, 500), _matte(900, 300, kind="box")):
        render = bc.compose(matte, bg, asset, Lighting())
        ys, xs = _placed(render)
        assert abs(ys.max() + 1 - top) <= 3
        foot = xs[ys >= ys.max() - 3]
        assert abs((foot.min() + foot.max()) / 2 - (podium.x + podium.w / 2) * k) <= 3
        assert foot.max() - foot.min() + 1 <= bc.PODIUM_FOOT * podium.w * k + 2


@pytest.mark.parametrize("size", [(1024, 1024), (800, 1000), (1600, 900)])
@pytest.mark.parametrize(
    "shape,fill",
    [
        ((120, 900), None),
        ((1500, 200), None),
        ((500, 500), 0.95),
        ((600, 1400), 0.95),
        ((1400, 600), 0.95),
    ],
)
def test_the_product_never_touches_the_frame(size, shape, fill):
    w, h = shape
    matte = _matte(w, h, kind="box")
    render = bc.compose(matte, _background(), _asset(), Lighting(), size=size, fill=fill)
    margin = round(bc.MARGIN * min(size)) - 1
    mask = render.product_mask > 0
    assert render.image.shape[:2] == size[::-1]
    assert not mask[:margin].any() and not mask[:, :margin].any()
    assert not mask[-margin:].any() and not mask[:, -margin:].any()


def test_a_tiny_product_is_scaled_up_and_a_huge_one_down_by_its_shape():
    tall = bc.compose(_matte(30, 60), _background(), _asset(), Lighting())
    assert tall.product_box.h == pytest.approx(0.7 * 1024, rel=0.03)
    huge = bc.compose(_matte(2800, 1400, kind="box"), _background(), _asset(), Lighting())
    assert huge.product_box.w == pytest.approx(0.7 * 1024, rel=0.03)
    square = bc.compose(_matte(400, 420, kind="box"), _background(), _asset(), Lighting())
    assert square.product_box.h == pytest.approx(bc.FILL["square"] * 1024, rel=0.03)
    bigger = bc.compose(
        _matte(400, 420, kind="box"), _background(), _asset(), Lighting(), fill=0.75
    )
    assert bigger.product_box.h == pytest.approx(0.75 * 1024, rel=0.03)


def _shadow_centroid(render: Render, background: np.ndarray) -> tuple[float, float]:
    """Where the render darkened the background outside the product, weighted by how much."""
    drop = background.astype(int).sum(axis=2) - render.image.astype(int).sum(axis=2)
    drop[render.product_mask > 0] = 0
    drop = np.clip(drop, 0, None)
    ys, xs = np.nonzero(drop > 6)
    wts = drop[ys, xs].astype(float)
    return float((xs * wts).sum() / wts.sum()), float((ys * wts).sum() / wts.sum())


def test_one_lighting_gives_two_products_the_same_shadow_relative_to_themselves():
    lighting = Lighting(azimuth_deg=120.0, elevation_deg=40.0, shadow_strength=0.6)
    bg = _background()
    found = []
    for matte in (_matte(200, 500), _matte(700, 300, kind="box", seed=4)):
        p = bc.plan(matte, bg, _asset(), lighting)
        render = bc.compose(matte, bg, _asset(), lighting)
        ys, xs = _placed(render)
        cx, cy = _shadow_centroid(render, p.background)
        found.append(
            (
                p.drop[0] / p.item_height,
                p.drop[1] / p.item_height,
                p.item_height,
                (cx - (xs.min() + xs.max()) / 2) / p.item_height,
            )
        )
        assert p.drop[0] > 0 and p.drop[1] > 0
    (ax, ay, ah, _), (bx, by, bh, _) = found
    assert ah != bh
    tol = 2.0 / min(ah, bh)
    assert abs(ax - bx) <= tol and abs(ay - by) <= tol
    assert found[0][3] > 0 and found[1][3] > 0  # both to the right, away from the light


def test_turning_the_light_moves_the_shadow_to_the_other_side():
    bg, matte = _background(), _matte(260, 600)
    sides = []
    for az in (135.0, 45.0):
        render = bc.compose(matte, bg, _asset(), Lighting(azimuth_deg=az))
        ys, xs = _placed(render)
        cx, _ = _shadow_centroid(render, bc.plan(matte, bg, _asset(), Lighting()).background)
        sides.append(cx - (xs.min() + xs.max()) / 2)
    assert sides[0] > 5 and sides[1] < -5


def test_the_reflection_is_only_on_the_floor_below_the_base():
    bg, matte = _background(), _matte(260, 600)
    plain = bc.compose(matte, bg, _asset(), Lighting(reflection=False))
    shiny = bc.compose(matte, bg, _asset(), Lighting(reflection=True))
    ys, _ = _placed(plain)
    base_y = ys.max() + 1
    differs = np.any(plain.image != shiny.image, axis=2)
    assert differs.sum() > 5000
    assert not differs[:base_y].any()
    assert np.array_equal(plain.product_mask, shiny.product_mask)


def test_on_a_podium_the_reflection_stays_on_its_top():
    podium = Box(624, 1300, 800, 200)
    asset = _asset(floor_y=0.66, podium=podium)
    bg, matte = _background(ASSET_SIDE, ASSET_SIDE, floor_y=0.66), _matte(300, 500)
    plain = bc.compose(matte, bg, asset, Lighting(reflection=False))
    shiny = bc.compose(matte, bg, asset, Lighting(reflection=True))
    differs = np.any(plain.image != shiny.image, axis=2)
    k = 1024 / ASSET_SIDE
    inside = np.zeros_like(differs)
    x1, y1 = round(podium.x * k), round(podium.y * k)
    inside[y1 : y1 + round(podium.h * k), x1 : x1 + round(podium.w * k)] = True
    assert differs.any() and not (differs & ~inside).any()


def test_the_same_inputs_give_the_same_render_and_the_render_says_what_it_holds():
    bg, matte, lighting = _background(), _matte(300, 500), Lighting(reflection=True)
    a = bc.compose(matte, bg, _asset(), lighting)
    b = bc.compose(matte, bg, _asset(), lighting)
    assert np.array_equal(a.image, b.image) and a.product_box == b.product_box
    assert a.asset_id == "test-floor" and a.lighting is lighting
    ys, xs = np.nonzero(a.product_mask)
    assert a.product_box == Box(xs.min(), ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1)
    d = a.to_dict()
    assert d["size"] == [1024, 1024] and d["lighting"]["reflection"] is True


def test_bad_inputs_are_refused():
    bg, matte = _background(400, 400), _matte(100, 200)
    with pytest.raises(ValueError, match="size"):
        bc.compose(matte, bg, _asset(), Lighting(), size=(10, 10))
    with pytest.raises(ValueError, match="fill"):
        bc.compose(matte, bg, _asset(), Lighting(), fill=1.5)
    with pytest.raises(ValueError, match="background"):
        bc.compose(matte, bg.astype(np.float32), _asset(), Lighting())
    empty = Matte(matte.rgb, np.zeros_like(matte.alpha), matte.box, 0.0)
    with pytest.raises(ValueError, match="no visible pixels"):
        bc.compose(empty, bg, _asset(), Lighting())
    grey = bc.compose(matte, bg[..., 0], _asset(), Lighting(), size=(256, 256))
    assert grey.image.shape == (256, 256, 3)
