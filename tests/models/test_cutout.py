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
