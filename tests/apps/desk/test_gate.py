"""The desk gate on real models: people, small photos, non-desks, Korean messages, bytes path."""

from __future__ import annotations

import csv
import io
import pathlib

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from pixelsmith.apps.desk.gate import MIN_SIDE, gate, gate_bytes
from pixelsmith.core.errors import InvalidImage
from pixelsmith.core.web.i18n import translate

DESK_SET = pathlib.Path(__file__).resolve().parents[4] / "shared" / "data" / "desk"


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def jpeg(img: np.ndarray, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_a_person_is_rejected_with_person():
    res = gate(data.astronaut())
    assert not res.accepted
    assert "person" in codes(res), res
    assert res.signals["face"] >= 0.6


def test_a_tiny_image_is_too_small_and_says_what_to_do():
    res = gate(np.full((120, 200, 3), 128, np.uint8))
    assert not res.accepted and codes(res) == {"too_small"}
    msg = res.reasons[0].message
    assert "200×120" in msg and str(MIN_SIDE) in msg
    assert res.signals["checks"] == []  # no model ran


@pytest.mark.parametrize("photo", ["chelsea", "coffee", "rocket"])
def test_a_cat_a_cup_and_a_rocket_are_not_desks(photo):
    img = getattr(data, photo)()
    img = cv2.resize(img, (img.shape[1] * 2, img.shape[0] * 2)) if min(img.shape[:2]) < 300 else img
    res = gate(img)
    assert not res.accepted and "not_a_desk" in codes(res), res.labels
    assert res.labels and res.labels[0]["score"] >= res.labels[-1]["score"]


def test_messages_come_from_the_locales_in_english_and_korean():
    en = gate(data.chelsea(), lang="en").reasons[0]
    ko = gate(data.chelsea(), lang="ko").reasons[0]
    assert en.message == translate("en", "apps.desk.gate.not_a_desk")
    assert ko.message == translate("ko", "apps.desk.gate.not_a_desk")
    assert ko.message != en.message and any("\uac00" <= ch <= "\ud7a3" for ch in ko.message)
    small = gate(np.zeros((100, 100, 3), np.uint8), lang="ko").reasons[0].message
    assert "100×100" in small and any("\uac00" <= ch <= "\ud7a3" for ch in small)


def test_bytes_path_matches_the_array_path_and_keeps_the_upload_size():
    img = data.astronaut()  # 512×512
    assert codes(gate_bytes(jpeg(img))) == codes(gate(img))
    big = cv2.resize(img, (2400, 1800))  # decoded at 1/4 by the DCT draft, size still known
    res = gate_bytes(jpeg(big))
    assert "person" in codes(res)
    tiny = gate_bytes(jpeg(cv2.resize(img, (300, 200))))
    assert codes(tiny) == {"too_small"} and "300×200" in tiny.reasons[0].message


def test_bytes_path_rejects_what_intake_rejects():
    with pytest.raises(InvalidImage):
        gate_bytes(b"not an image at all")
    with pytest.raises(InvalidImage):
        gate_bytes(jpeg(data.astronaut())[:200])


@pytest.mark.skipif(not DESK_SET.is_dir(), reason=f"real desk photos not found at {DESK_SET}")
def test_accuracy_bars_on_the_real_desk_set():
    rows = list(csv.DictReader((DESK_SET / "labels.csv").open()))
    right, people, people_rejected = 0, 0, 0
    for r in rows:
        res = gate_bytes((DESK_SET / r["file"]).read_bytes())
        right += res.accepted == (r["label"] == "desk")
        if r["label"] == "desk_person":
            people += 1
            people_rejected += not res.accepted
    assert right / len(rows) >= 0.95
    assert people_rejected >= people * 13 / 14


def test_the_preview_decode_is_small_upright_and_knows_the_upload_size():
    from pixelsmith.core.images import read_preview

    img = cv2.resize(data.astronaut(), (1600, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=90, exif=exif)
    preview, size = read_preview(
        buf.getvalue(), min_side=256, max_bytes=1 << 24, max_pixels=1 << 26, max_side=8000
    )
    assert size == (1200, 1600)  # after orientation
    assert preview.size == (300, 400)  # 1/4 DCT draft, turned upright
