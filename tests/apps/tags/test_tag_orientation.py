"""Tag Scanner reads a code however the crop is turned: quarter and half turns of the pixels,
a code that runs vertically, and a photo whose EXIF Orientation tag lies about its pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from pixelsmith.apps.tags import codes
from pixelsmith.apps.tags.recognize import recognize
from tag_photo import render_tag_photo

CODES = ["CW2288-111", "VN0A4BV4VR3"]


@pytest.fixture(scope="module")
def ocr():
    from pixelsmith.core.models import registry

    try:
        return registry.get("ocr")
    except Exception as exc:  # the model ships in the lock: a missing one is a failure
        pytest.fail(f"OCR model unavailable: {exc}")


@pytest.fixture(scope="module")
def crops(tmp_path_factory) -> dict[str, np.ndarray]:
    """The code line of a rendered box-label photo, cropped as a user would drag it."""
    out = {}
    for code in CODES:
        photo = render_tag_photo(tmp_path_factory.mktemp("tag") / "tag.jpg", code=code)
        x, y, w, h = photo.code_box
        out[code] = np.asarray(Image.open(photo.path).convert("RGB"))[y : y + h, x : x + w]
    return out


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_code_is_read_at_every_quarter_turn(ocr, crops, code, quarter_turns):
    turned = np.ascontiguousarray(np.rot90(crops[code], quarter_turns))
    r = recognize(turned, ocr=ocr)
    assert codes.same_code(r.code, code), (quarter_turns, r.code, r.stage, r.alternatives)


def test_a_sure_upright_reading_spends_no_turns(ocr, crops):
    r = recognize(crops["CW2288-111"], ocr=ocr)
    assert codes.same_code(r.code, "CW2288-111")
    assert not any(k.startswith("turn") for k in r.timings), r.timings


def test_turns_can_be_switched_off(ocr, crops):
    upside_down = np.ascontiguousarray(np.rot90(crops["CW2288-111"], 2))
    r = recognize(upside_down, ocr=ocr, turns=False)
    assert not any(k.startswith("turn") for k in r.timings)
    assert not r.stage.endswith(("@90", "@180", "@270"))


def _jpeg_with_orientation(rgb: np.ndarray, orientation: int) -> bytes:
    img = Image.fromarray(rgb)
    exif = img.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_lying_exif_orientation_tag_is_read_through(ocr, crops, orientation):
    """The crop tool turned the pixels upright and kept the tag: intake honours the tag (as a
    browser does), so the code reaches the recognizer on its side or upside down."""
    from pixelsmith.apps.tags.service import read_tag
    from pixelsmith.core.images import read_image

    data = _jpeg_with_orientation(crops["CW2288-111"], orientation)
    intake = read_image(data, max_bytes=10_000_000, max_pixels=50_000_000, max_side=10_000)
    h, w = crops["CW2288-111"].shape[:2]
    assert (intake.width, intake.height) == ((w, h) if orientation == 3 else (h, w))
    read = read_tag(intake)
    assert codes.same_code(read.result.code, "CW2288-111"), (orientation, read.result.stage)
