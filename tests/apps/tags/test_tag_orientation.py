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


# ---- whole photos (no crop box) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    return render_tag_photo(
        tmp_path_factory.mktemp("photo") / "tag.jpg", code="DD1391-100", size=(1600, 1067)
    )


def _turn_point(x: float, y: float, w: int, h: int, k: int) -> tuple[float, float]:
    """Where pixel (x, y) of a w×h image lands after np.rot90(img, k)."""
    for _ in range(k % 4):
        x, y, w, h = y, w - 1 - x, h, w
    return x, y


@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_the_code_line_is_found_on_a_whole_photo_however_it_is_turned(ocr, photo, quarter_turns):
    from pixelsmith.apps.tags.recognize import find_code

    rgb = np.asarray(Image.open(photo.path).convert("RGB"))
    turned = np.ascontiguousarray(np.rot90(rgb, quarter_turns))
    r = find_code(turned, ocr=ocr)
    assert codes.same_code(r.code, photo.code), (quarter_turns, r.code, r.stage)
    # the box it returns is on the code line
    x, y, w, h = photo.code_box
    cx, cy = _turn_point(x + w / 2, y + h / 2, rgb.shape[1], rgb.shape[0], quarter_turns)
    bx, by = np.mean(np.asarray(r.box), axis=0)
    assert abs(bx - cx) < max(w, h) / 2 and abs(by - cy) < max(w, h) / 2, (r.box, (cx, cy))


def test_a_scan_without_a_crop_box_finds_the_code(ocr, photo):
    from pixelsmith.apps.tags.service import read_tag
    from pixelsmith.core.images import read_image

    data = photo.path.read_bytes()
    intake = read_image(data, max_bytes=20_000_000, max_pixels=50_000_000, max_side=10_000)
    read = read_tag(intake)
    assert codes.same_code(read.result.code, photo.code)
    assert read.result.stage.startswith("photo") and read.result.box


def test_a_busy_label_is_read_from_its_likeliest_lines_only(ocr):
    """Fourteen long lines of small tag text around the code: only the prominent lines are
    read (reading them all made a scan take seconds), and the code is among them."""
    import cv2

    from pixelsmith.apps.tags.recognize import find_code

    img = np.full((1200, 1600, 3), 238, np.uint8)
    y = 60
    for i in range(14):
        cv2.putText(img, f"SIZE US 9 UK 8 EUR 42.5 CM 27 MADE IN VIETNAM {i}", (60, y),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2, cv2.LINE_AA)  # fmt: skip
        y += 52
        if i == 6:
            cv2.putText(img, "CW2288-111", (60, y + 40), cv2.FONT_HERSHEY_DUPLEX, 2.6,
                        (10, 10, 10), 5, cv2.LINE_AA)  # fmt: skip
            y += 110
    calls = []
    real_rec = ocr.rec_probs

    class Counting:
        charset = ocr.charset
        detect = ocr.detect

        def rec_probs(self, crops, **kw):
            calls.append(len(crops))
            return real_rec(crops, **kw)

    r = find_code(img, ocr=Counting())
    assert codes.same_code(r.code, "CW2288-111"), (r.code, r.alternatives)
    # a few prominent lines, and at most 3 of them again upside down: not the photo's 15
    assert sum(calls) <= 7, calls
