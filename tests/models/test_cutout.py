"""U2Net-p cut-outs on real inputs: a drawn object on a plain background, and a real photo."""

import cv2
import numpy as np
import pytest
from skimage import data

from pixelsmith.core import cutout
from pixelsmith.core.models import registry


@pytest.fixture(scope="module")
def model():
    return registry.get("salient")


def _drawn_scene() -> tuple[np.ndarray, np.ndarray]:
    """A red-brown vase (body + neck) on a light grey gradient, and its true mask."""
    h, w = 480, 640
    img = np.repeat(np.linspace(215, 245, w, dtype=np.float32)[None, :], h, 0)
    img = np.repeat(img[:, :, None], 3, 2).astype(np.uint8)
    truth = np.zeros((h, w), np.uint8)
    cv2.ellipse(truth, (300, 300), (110, 130), 0, 0, 360, 1, -1)
    cv2.rectangle(truth, (270, 110), (330, 200), 1, -1)
    img[truth > 0] = (170, 70, 45)
    shade = np.zeros((h, w), np.uint8)
    cv2.ellipse(shade, (260, 270), (40, 60), 0, 0, 360, 1, -1)
    img[(shade > 0) & (truth > 0)] = (205, 120, 90)  # a highlight, still the object
    return img, truth.astype(bool)


def test_registry_lists_u2netp_as_bundled_and_available():
    status = registry.status_of("u2netp")
    assert status["capability"] == "salient" and status["bundled"]
    assert status["available"], status["reason"]


def test_cut_out_of_a_drawn_object_is_opaque_on_it_and_transparent_around(model):
    img, truth = _drawn_scene()
    alpha = cutout.refine_alpha(img, model.mask320(img))
    pred = alpha > 0.5
    iou = (pred & truth).sum() / (pred | truth).sum()
    assert iou > 0.95
    assert alpha[truth].mean() > 0.97  # the object is opaque
    far = cv2.dilate(truth.astype(np.uint8), np.ones((41, 41), np.uint8)) == 0
    assert alpha[far].max() < 0.05  # the background well away from it is transparent

    rgba = cutout.cut_out(img, model=model)
    ys, xs = np.nonzero(truth)
    assert rgba.dtype == np.uint8 and rgba.shape[2] == 4
    # cropped to the object's box (within a few pixels)
    assert abs(rgba.shape[0] - (ys.max() - ys.min() + 1)) <= 8
    assert abs(rgba.shape[1] - (xs.max() - xs.min() + 1)) <= 8
    assert rgba[rgba.shape[0] // 2, rgba.shape[1] // 2, 3] == 255


def test_cut_out_of_a_real_photo_keeps_the_cup_and_drops_the_table(model):
    photo = data.coffee()  # a cup on a saucer on a table, 400x600
    mask = cutout.salient_mask(photo, model=model)
    assert mask.shape == photo.shape[:2] and mask.dtype == np.float32
    assert 0.0 <= mask.min() and mask.max() <= 1.0
    alpha = cutout.refine_alpha(photo, mask)
    assert alpha[200, 270] > 0.9  # inside the cup
    assert alpha[10, 580] < 0.1 and alpha[390, 10] < 0.1  # table corners
    rgba = cutout.cut_out(photo, model=model)
    assert rgba.shape[0] < photo.shape[0] and rgba.shape[1] < photo.shape[1]


def test_a_uniform_image_has_no_object(model):
    with pytest.raises(cutout.NoObjectFound):
        cutout.cut_out(np.full((200, 300, 3), 128, np.uint8), model=model)


# -- matte(): the full Backdrop pipeline --------------------------------------------------


def _wood(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A beige wood-like texture: grain stripes bent by smooth noise, plus sensor noise."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 6) * 12
    grain = np.sin(np.arange(w, dtype=np.float32)[None, :] / 6.0 + noise)
    img = np.array([196, 176, 146], np.float32) + grain[:, :, None] * [22, 20, 16]
    img += rng.normal(0, 3, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def _vase_on_wood(dx: int = 0) -> tuple[np.ndarray, np.ndarray]:
    h, w = 480, 640
    truth = np.zeros((h, w), np.uint8)
    cv2.ellipse(truth, (320 + dx, 290), (105, 125), 0, 0, 360, 1, -1)
    cv2.rectangle(truth, (290 + dx, 110), (350 + dx, 190), 1, -1)
    img = _wood(h, w)
    img[truth > 0] = (30, 80, 120)
    hi = np.zeros((h, w), np.uint8)
    cv2.ellipse(hi, (280 + dx, 250), (30, 50), 0, 0, 360, 1, -1)
    img[(hi > 0) & (truth > 0)] = (70, 130, 170)  # a highlight, still the vase
    return img, truth > 0


def _iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    pred = alpha >= 128
    return float((pred & truth).sum() / (pred | truth).sum())


def test_matte_of_a_drawn_object_on_a_textured_backdrop(model):
    img, truth = _vase_on_wood()
    m = cutout.matte(img, model=model)
    assert m.alpha.shape == truth.shape and m.rgb.shape == img.shape
    assert _iou(m.alpha, truth) > 0.95
    core = m.alpha == 255
    assert core.sum() > 0.9 * truth.sum()
    assert np.array_equal(m.rgb[core], img[core])  # the solid core is the photo's own
    ys, xs = np.nonzero(m.alpha)
    assert m.box == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    assert m.confidence > cutout.LOW_CONFIDENCE
    assert m.flags == []  # clean: opaque, inside the frame, decisive
    assert m.to_dict()["size"] == [640, 480]


def _mug_and_ring() -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """A red mug with a handle and a blue ring beside it, on a light grey backdrop."""
    h, w = 480, 720
    truth = np.zeros((h, w), np.uint8)
    cv2.rectangle(truth, (120, 140), (300, 380), 1, -1)  # mug body
    cv2.ellipse(truth, (300, 260), (75, 80), 0, 0, 360, 1, 26)  # handle (a thick ring)
    truth[140:381, 120:301] = 1
    img = np.full((h, w, 3), (232, 232, 228), np.uint8)
    img[truth > 0] = (190, 40, 40)
    ring = np.zeros((h, w), np.uint8)
    cv2.circle(ring, (545, 260), 95, 1, 30)
    img[ring > 0] = (40, 60, 170)
    truth |= ring
    holes = [(335, 260), (545, 260)]  # inside the handle, inside the ring (x, y)
    return img, truth > 0, holes


def test_matte_cuts_the_holes_of_a_handle_and_a_ring(model):
    img, truth, holes = _mug_and_ring()
    m = cutout.matte(img, model=model)
    for x, y in holes:
        assert m.alpha[y - 5 : y + 6, x - 5 : x + 6].max() == 0, (x, y)
    assert m.alpha[260, 200] == 255 and m.alpha[260, 545 - 95] == 255
    assert _iou(m.alpha, truth) > 0.93


def test_matte_edges_lose_the_old_backdrop_colour(model):
    h, w = 420, 560
    truth = np.zeros((h, w), np.float32)
    cv2.ellipse(truth, (280, 210), (140, 120), 0, 0, 360, 1.0, -1, lineType=cv2.LINE_AA)
    a = cv2.GaussianBlur(truth, (0, 0), 1.6)[:, :, None]
    green = np.array([40, 190, 60], np.float32)
    img = np.round(a * [210, 60, 50] + (1 - a) * green).astype(np.uint8)
    m = cutout.matte(img, model=model)
    soft = (m.alpha > 0) & (m.alpha < 255)
    assert soft.sum() > 200
    before = np.linalg.norm(img[soft] - green, axis=1).mean()
    after = np.linalg.norm(m.rgb[soft].astype(np.float32) - green, axis=1).mean()
    assert after > before + 30
    assert m.rgb[soft][:, 1].mean() < img[soft][:, 1].mean() - 20  # less green in the fringe


def test_matte_flags_an_object_cut_by_the_frame(model):
    img, _ = _vase_on_wood(dx=-280)  # the vase runs off the left edge
    m = cutout.matte(img, model=model)
    codes = {f.code: f for f in m.flags}
    assert "cut_by_frame" in codes and codes["cut_by_frame"].params["sides"] == "left"


def test_matte_of_a_blank_photo_is_no_object(model):
    for value in (0, 128, 255):
        with pytest.raises(cutout.NoObjectFound):
            cutout.matte(np.full((240, 320, 3), value, np.uint8), model=model)


def test_a_white_mug_on_white_keeps_its_body_loses_its_shadow_and_handle_hole(model):
    """White on white with a soft contact shadow on the floor, the hard real-photo case."""
    h, w = 600, 800
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.full((h, w, 3), 248, np.float32)
    shadow = np.exp(-(((xx - 400) / 170.0) ** 2 + ((yy - 470) / 22.0) ** 2))
    img *= (1 - 0.35 * shadow)[:, :, None]
    truth = np.zeros((h, w), np.uint8)
    cv2.ellipse(truth, (510, 320), (80, 85), 0, 0, 360, 1, 28)  # handle
    truth[170:471, 290:511] = 1  # body
    shade = (0.88 + 0.1 * np.cos((xx - 400) / 140.0)).clip(0.75, 1)[:, :, None]
    img = np.where(truth[:, :, None] > 0, np.array([238, 236, 232]) * shade, img)
    img = np.clip(img + np.random.default_rng(0).normal(0, 1.5, img.shape), 0, 255)
    m = cutout.matte(img.astype(np.uint8), model=model)
    assert _iou(m.alpha, truth > 0) > 0.97
    assert m.alpha[320, 545] == 0  # inside the handle
    assert m.alpha[490:500, 300:500].max() < 128  # the shadow under it is floor
    # it blends into its backdrop: the user is told to check it
    assert "transparent" in {f.code for f in m.flags}


def test_matte_keeps_the_central_product_and_drops_a_second_object_beside_it(model):
    """A vase in the middle and a smaller dark box beside it on wood: both salient (the
    earlier rule kept both, IoU 0.65), only the vase is the product."""
    img, truth = _vase_on_wood()
    other = np.zeros(truth.shape, np.uint8)
    cv2.rectangle(other, (470, 120), (600, 300), 1, -1)  # half the vase's size, 40 px away
    img[other > 0] = (20, 20, 60)
    raw = cv2.resize(model.mask320(img), (640, 480))
    assert raw[other > 0].mean() > 0.9  # the network marks it as surely as the vase
    m = cutout.matte(img, model=model)
    assert _iou(m.alpha, truth) > 0.95
    assert m.alpha[other > 0].max() == 0
