"""The photo filters (pixelsmith.core.filters) on real photos (scikit-image): every filter keeps
the size and does what its name says, parameters are validated, alpha is kept, and every filter
and parameter has a name in English and Korean for the pages that show them."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from pixelsmith.core import filters
from pixelsmith.core.errors import ApiError
from pixelsmith.core.web import i18n

REQUIRED = ["original", "emboss", "cartoon", "pencil_gray", "pencil_color", "oil"]


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return data.astronaut()


def test_required_and_extra_filters_exist():
    names = filters.filter_names()
    assert names[: len(REQUIRED)] == REQUIRED
    assert {"stylization", "watercolor"} <= set(names)


@pytest.mark.parametrize("name", filters.filter_names())
def test_each_filter_keeps_full_resolution_and_changes_the_photo(photo, name):
    rect = np.ascontiguousarray(data.coffee())  # not square: catches width/height swaps
    for img in (photo, rect):
        out = filters.apply_filter(img, name)
        assert out.shape == img.shape and out.dtype == np.uint8
        diff = np.abs(out.astype(int) - img.astype(int)).mean()
        if name == "original":
            assert diff == 0
        else:
            assert diff > 3, f"{name} barely changed the photo"


def test_filters_look_like_what_they_say(photo):
    gray = filters.apply_filter(photo, "pencil_gray")
    assert np.array_equal(gray[:, :, 0], gray[:, :, 1])  # grey
    assert gray.mean() > 170  # mostly paper
    colour = filters.apply_filter(photo, "pencil_color")
    assert np.abs(colour[:, :, 0].astype(int) - colour[:, :, 2]).mean() > 5  # has colour
    assert colour.mean() > photo.mean()  # lighter than the photo
    relief = filters.apply_filter(photo, "emboss")
    assert abs(float(np.median(relief)) - 128) < 12  # flat areas are mid-grey
    cartoon = filters.apply_filter(photo, "cartoon")
    assert len(np.unique(cartoon.reshape(-1, 3), axis=0)) < len(
        np.unique(photo.reshape(-1, 3), axis=0)
    )
    oil = filters.apply_filter(photo, "oil")
    # Oil paints patches of one colour: neighbours are equal far more often than in the photo.
    same = lambda a: (a[:, 1:] == a[:, :-1]).all(axis=2).mean()  # noqa: E731
    assert same(oil) > 2 * same(photo)


def test_parameters_change_the_result_and_defaults_are_valid(photo):
    for f in filters.describe_filters():
        filters.validate_params(f["name"], f["defaults"])
    a = filters.apply_filter(photo, "oil", {"size": 3})
    b = filters.apply_filter(photo, "oil", {"size": 12})
    assert np.abs(a.astype(int) - b).mean() > 1


def test_preview_and_full_size_look_alike(photo):
    """Sizes scale with the image, so the 256-px preview matches the full-size result."""
    small = cv2.resize(photo, (256, 256), interpolation=cv2.INTER_AREA)
    for name in ("cartoon", "pencil_gray", "oil", "watercolor"):
        full = cv2.resize(
            filters.apply_filter(photo, name), (256, 256), interpolation=cv2.INTER_AREA
        )
        preview = filters.apply_filter(small, name)
        ncc = np.corrcoef(full.ravel().astype(float), preview.ravel().astype(float))[0, 1]
        assert ncc > 0.75, (name, ncc)


@pytest.mark.parametrize(
    ("name", "params", "code"),
    [
        ("sepia-deluxe", {}, "unknown_filter"),
        ("oil", {"size": 0}, "invalid_params"),
        ("oil", {"size": 21}, "invalid_params"),
        ("cartoon", {"levels": "many"}, "invalid_params"),
        ("emboss", {"bogus": 1}, "invalid_params"),
    ],
)
def test_bad_filter_requests_are_422(photo, name, params, code):
    with pytest.raises(ApiError) as err:
        filters.apply_filter(photo, name, params)
    assert err.value.status_code == 422 and err.value.code == code
    assert err.value.message


def test_a_pil_image_keeps_its_alpha_and_gets_the_same_pixels(photo):
    alpha = np.zeros(photo.shape[:2], np.uint8)
    alpha[100:400, 50:300] = 255  # a cut-out
    rgba = Image.fromarray(np.dstack([photo, alpha]), "RGBA")
    out = filters.apply_filter_to_image(rgba, "cartoon", {"levels": 4})
    assert out.mode == "RGBA" and out.size == rgba.size
    assert np.array_equal(np.asarray(out.getchannel("A")), alpha)
    expected = filters.apply_filter(photo, "cartoon", {"levels": 4})
    assert np.array_equal(np.asarray(out.convert("RGB")), expected)
    grey = filters.apply_filter_to_image(Image.fromarray(photo).convert("L"), "oil")
    assert grey.mode == "RGB" and grey.size == rgba.size


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_filter_and_parameter_has_a_name_in_the_core_catalog(lang):
    core = json.loads((i18n.CORE_LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    for f in filters.describe_filters():
        assert core.get(filters.label_key(f["name"])), f["name"]
        for param in f["params_schema"].get("properties", {}):
            assert core.get(filters.param_label_key(param)), (f["name"], param)
    assert filters.label_key("oil").startswith(filters.I18N_PREFIX)
    assert i18n.translate("ko", filters.label_key("oil")) == "유화"


def test_the_filters_need_no_app():
    source = Path(filters.__file__).read_text(encoding="utf-8")
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name and name.startswith("pixelsmith.apps") for name in imported), imported


def test_paint_flattens_a_photo_to_a_few_colours():
    from skimage import data

    img = data.astronaut()
    out = filters.apply_filter(img, "paint", filters.validate_params("paint", {"colours": 6}))
    assert out.shape == img.shape and out.dtype == np.uint8
    before = len(np.unique(img.reshape(-1, 3), axis=0))
    after = len(np.unique(out.reshape(-1, 3), axis=0))
    # Six flat colours, plus the blends where the half-size result is scaled back up.
    assert after < before / 20, (before, after)


def test_paint_gives_the_same_picture_whatever_ran_before_it():
    import cv2
    from skimage import data

    img = data.astronaut()[::2, ::2].copy()
    params = filters.validate_params("paint", {"colours": 6})
    outs = []
    for state in (1, 2):
        cv2.setRNGSeed(state)  # k-means++ draws from OpenCV's generator, which other work moves
        outs.append(filters.apply_filter(img, "paint", params))
    assert np.array_equal(outs[0], outs[1]), (
        f"{int((outs[0] != outs[1]).any(axis=2).sum())} px differ"
    )
