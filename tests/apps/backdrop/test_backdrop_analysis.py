"""Backdrop product analysis: the class → category map, colours, brightness, aspect and
material scores on drawn products, and the whole analysis on a real photo from scikit-image."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pixelsmith.apps.backdrop.analysis import analyze
from pixelsmith.apps.backdrop.categories import CLASS_CATEGORY, MIN_MASS, category_mass, category_of
from pixelsmith.apps.backdrop.types import CATEGORIES, MATERIALS, ProductAnalysis
from pixelsmith.core.colour import colour_name, rgb_to_lab
from pixelsmith.core.cutout import Matte, MatteFlag


@pytest.fixture(scope="module")
def classifier():
    from pixelsmith.core.models import get

    return get("classifier")


def _matte(rgb: np.ndarray, alpha: np.ndarray, flags=None) -> Matte:
    ys, xs = np.nonzero(alpha)
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs) + 1), int(np.ptp(ys) + 1))
    return Matte(rgb=rgb, alpha=alpha, box=box, confidence=0.9, flags=flags or [])


# --- the class → category map -------------------------------------------------------------


def test_every_mapped_class_is_the_imagenet_class_it_names():
    from pixelsmith.core.models.classifier import _class_names

    names = _class_names()
    for idx, (name, cat) in CLASS_CATEGORY.items():
        assert names[idx].split(",")[0].strip() == name, idx
        assert cat in CATEGORIES


def test_every_category_but_other_has_classes():
    mapped = {cat for _, cat in CLASS_CATEGORY.values()}
    assert mapped == set(CATEGORIES) - {"other"}


def test_category_sums_mass_over_its_classes():
    probs = np.zeros(1000, np.float32)
    probs[[531, 409, 826]] = 0.2  # digital watch, analog clock, stopwatch: 0.6 on "watch"
    probs[414] = 0.35  # backpack: more than any single watch class, less than their sum
    probs[0] = 0.05
    assert category_of(probs) == "watch"
    assert category_mass(probs)["bag"] == pytest.approx(0.35)


def test_too_little_mass_anywhere_is_other():
    probs = np.full(1000, 0.9 / 1000, np.float32)
    probs[0] = 0.1  # a fish: no category
    assert max(category_mass(probs).values()) < MIN_MASS
    assert category_of(probs) == "other"


# --- colours, brightness, aspect ----------------------------------------------------------

RED, NAVY = (200, 35, 40), (25, 35, 90)


def _two_colour_bar():
    """A 200×100 bar, left 70% red, right 30% navy, on a cluttered background."""
    rgb = np.random.default_rng(1).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    alpha = np.zeros((300, 400), np.uint8)
    rgb[100:200, 100:240] = RED
    rgb[100:200, 240:300] = NAVY
    alpha[100:200, 100:300] = 255
    return rgb, alpha


def test_colours_brightness_and_aspect_of_a_drawn_bar(classifier):
    rgb, alpha = _two_colour_bar()
    res = analyze(_matte(rgb, alpha), classifier=classifier)
    assert [c.hex for c in res.colours] == ["#c82328", "#19235a"]
    assert [c.name for c in res.colours] == ["red", "navy"]
    assert res.colours[0].share == pytest.approx(0.7, abs=0.02)
    assert res.colours[1].share == pytest.approx(0.3, abs=0.02)
    L_red, L_navy = rgb_to_lab(np.array([RED, NAVY], np.uint8))[:, 0]
    assert res.brightness == pytest.approx(0.7 * L_red + 0.3 * L_navy, abs=0.5)
    assert res.aspect == pytest.approx(2.0)
    assert res.orientation == "wide"
    assert set(res.materials) == set(MATERIALS)
    assert res.category in CATEGORIES
    assert len(res.labels) == 5 and res.labels[0][1] >= res.labels[-1][1]


def test_background_pixels_do_not_count():
    rgb, alpha = _two_colour_bar()
    rgb2 = rgb.copy()
    rgb2[alpha == 0] = (0, 255, 0)  # a loud green background outside the cut-out
    a = analyze(_matte(rgb, alpha), classifier=_FixedClassifier())
    b = analyze(_matte(rgb2, alpha), classifier=_FixedClassifier())
    assert [c.hex for c in a.colours] == [c.hex for c in b.colours]
    assert a.brightness == pytest.approx(b.brightness, abs=1e-3)


def test_tall_product_orientation():
    rgb = np.zeros((400, 400, 3), np.uint8)
    alpha = np.zeros((400, 400), np.uint8)
    rgb[50:350, 150:250] = (240, 240, 240)
    alpha[50:350, 150:250] = 255
    res = analyze(_matte(rgb, alpha), classifier=_FixedClassifier())
    assert res.orientation == "tall" and res.aspect == pytest.approx(1 / 3)
    assert res.colours[0].name == "white" and len(res.colours) == 1


class _FixedClassifier:
    """Classifier-shaped: the colour and material tests do not depend on what it says."""

    labels = [f"class {i}" for i in range(1000)]

    def probabilities(self, image):
        assert image.shape[0] == image.shape[1]  # padded to a square for the 224² resize
        p = np.zeros(1000, np.float32)
        p[0] = 1.0
        return p


# --- materials ----------------------------------------------------------------------------


def _sphere(specular: bool, colour=(180, 40, 40), size=300, r=120):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dx, dy = (xx - size / 2) / r, (yy - size / 2) / r
    inside = dx**2 + dy**2 <= 1
    dz = np.sqrt(np.clip(1 - dx**2 - dy**2, 0, 1))
    light = np.array([-0.4, -0.5, 0.77])
    light /= np.linalg.norm(light)
    n_dot_l = np.clip(dx * light[0] + dy * light[1] + dz * light[2], 0, 1)
    shade = 0.25 + 0.75 * n_dot_l
    img = np.array(colour, np.float32) * shade[..., None]
    if specular:
        half = light + np.array([0, 0, 1.0])
        half /= np.linalg.norm(half)
        n_dot_h = np.clip(dx * half[0] + dy * half[1] + dz * half[2], 0, 1)
        img += 255 * (n_dot_h**80)[..., None]
    rgb = np.clip(img, 0, 255).astype(np.uint8)
    rgb[~inside] = (90, 120, 90)
    alpha = np.where(inside, 255, 0).astype(np.uint8)
    return _matte(rgb, alpha)


def test_glossy_sphere_scores_glossy_above_matte():
    glossy = analyze(_sphere(True), classifier=_FixedClassifier()).materials
    dull = analyze(_sphere(False), classifier=_FixedClassifier()).materials
    assert glossy["glossy"] > glossy["matte"]
    assert glossy["glossy"] > dull["glossy"] + 0.5
    assert dull["matte"] > dull["glossy"]
    assert dull["matte"] > 0.8
    assert glossy["metal"] < 0.3  # a red sphere is coloured plastic, not metal


def test_chrome_sphere_scores_metal():
    m = analyze(_sphere(True, colour=(150, 150, 155)), classifier=_FixedClassifier()).materials
    assert m["metal"] > m["matte"]
    assert m["metal"] > 0.4


def test_woven_patch_scores_fabric():
    rng = np.random.default_rng(3)
    rgb = np.zeros((300, 300, 3), np.uint8)
    alpha = np.zeros((300, 300), np.uint8)
    yy, xx = np.mgrid[0:200, 0:200]
    weave = np.where(((yy // 2) + (xx // 2)) % 2 == 0, 22, -22) + rng.normal(0, 6, (200, 200))
    base = np.array((190, 170, 140), np.float32)
    rgb[50:250, 50:250] = np.clip(base + weave[..., None], 0, 255).astype(np.uint8)
    alpha[50:250, 50:250] = 255
    m = analyze(_matte(rgb, alpha), classifier=_FixedClassifier()).materials
    assert m["fabric"] > 0.5
    assert m["fabric"] > m["glossy"] and m["fabric"] > m["matte"]


def test_transparent_flag_and_see_through_alpha_score_glass():
    rgb = np.full((300, 300, 3), 200, np.uint8)
    alpha = np.zeros((300, 300), np.uint8)
    alpha[60:240, 110:190] = 255
    flag = MatteFlag(code="transparent", message="Glass or clear plastic.")
    flagged = analyze(_matte(rgb, alpha, [flag]), classifier=_FixedClassifier())
    assert flagged.materials["glass"] >= 0.85 and flagged.main_material == "glass"
    see = alpha.copy()
    see[80:220, 120:180] = 120  # a clear body inside an opaque rim
    clear = analyze(_matte(rgb, see), classifier=_FixedClassifier())
    assert clear.materials["glass"] > 0.8
    solid = analyze(_matte(rgb, alpha), classifier=_FixedClassifier())
    assert solid.materials["glass"] == 0.0


# --- a real photo ---------------------------------------------------------------------------


def test_real_coffee_cup_photo(classifier):
    data = pytest.importorskip("skimage.data")
    from pixelsmith.core.cutout import salient_mask

    photo = data.coffee()  # a cup of coffee on a saucer, 400×600
    mask = salient_mask(photo)
    alpha = np.where(mask > 0.5, 255, 0).astype(np.uint8)
    alpha = cv2.morphologyEx(alpha, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    res = analyze(_matte(photo, alpha), classifier=classifier)
    assert isinstance(res, ProductAnalysis)
    assert res.category in ("kitchen", "food")  # a cup, or the espresso in it
    assert any(lab in ("cup", "espresso", "coffee mug") for lab, _ in res.labels[:3])
    names = {c.name for c in res.colours}
    assert names & {"white", "light_grey", "beige", "ivory"}  # the white china
    assert names & {"brown", "dark_brown", "tan", "orange"}  # the coffee
    assert 30 < res.brightness < 90
    d = res.to_dict()
    assert d["main_material"] in MATERIALS and d["category"] == res.category


def test_colour_names_are_sensible():
    assert colour_name((250, 250, 250)) == "white"
    assert colour_name((10, 10, 12)) == "black"
    assert colour_name((25, 35, 90)) == "navy"
    assert colour_name((245, 190, 205)) in ("pink", "pale_pink")
    assert colour_name((235, 130, 175)) == "pink"
