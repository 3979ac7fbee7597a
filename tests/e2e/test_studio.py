"""Sketch Studio in a real browser: filters, panorama, upscale and the sketch canvas.

Real photos from scikit-image. A 4000×3000 "phone photo" checks the in-browser downscale; the
panorama gets three overlapping views cut from a real photo; the sketch canvas is drawn on with
the mouse and with touch. Screenshots (desktop and phone, English and Korean) land in
test-artifacts/screenshots/studio-*.png.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sketching import draw, ink
from skimage import data

from pixelsmith.core.web.i18n import translate

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _save(path: Path, arr: np.ndarray, **kw) -> Path:
    Image.fromarray(arr).save(path, **kw)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "apps" / "studio"))
    from studio_views import source, views

    d = tmp_path_factory.mktemp("studio")
    # A big phone-sized photo (4000×3000, ~5 MB JPEG): the page must shrink it before upload.
    big = np.asarray(Image.fromarray(data.coffee()).resize((4000, 3000), Image.Resampling.BICUBIC))
    noise = np.random.default_rng(1).integers(0, 24, big.shape, dtype=np.uint8)
    out = {
        "phone": _save(
            d / "phone.jpg", np.clip(big.astype(int) + noise, 0, 255).astype(np.uint8), quality=97
        )
    }
    out["photo"] = _save(d / "astronaut.jpg", data.astronaut(), quality=92)
    out["small"] = _save(
        d / "rocket-small.png", np.asarray(Image.fromarray(data.rocket()).resize((120, 80)))
    )
    vs, _ = views(source("stereo_motorcycle"), 3)
    for i, v in enumerate(vs):
        out[f"view{i}"] = _save(d / f"garage-{i + 1}.jpg", v, quality=93)
    out["text"] = d / "notes.txt"
    out["text"].write_text("not an image")
    return out


def _tab(page, name: str) -> None:
    page.click(f"#tab-{name}")
    page.wait_for_selector(f"#panel-{name}:not([hidden])")


# ---- filters --------------------------------------------------------------------------------


def test_filter_grid_apply_and_download(open_page, files, tmp_path):
    w = open_page("/studio")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    with page.expect_request("**/api/v1/studio/filter") as first:
        page.set_input_files("#filters-file", str(files["phone"]))
    # The 4000×3000 photo was shrunk in the browser before it was sent.
    assert len(first.value.post_data_buffer or b"") < 4.5 * 1024 * 1024
    page.wait_for_selector('#studio[data-filters-ready="true"]', timeout=30_000)
    cards = page.locator(".filter-card")
    from pixelsmith.core.filters import filter_names

    assert cards.count() == len(filter_names())  # one card per filter, "original" included
    assert page.locator('.filter-card[data-state="ready"]').count() == len(filter_names())
    assert "2560×1920" in page.inner_text("#filters-meta")
    for name in ("original", "emboss", "cartoon", "pencil_gray", "pencil_color", "oil"):
        img = page.locator(f'img[data-thumb="{name}"]')
        assert img.evaluate("i => i.naturalWidth") == 320
    w.screenshot("studio-filters-desktop-en")

    page.click('.filter-card[data-filter="oil"]')
    page.wait_for_selector('#filter-result[data-state="ready"]', timeout=30_000)
    assert page.get_attribute('.filter-card[data-filter="oil"]', "aria-pressed") == "true"
    assert page.locator("#filter-params input[type=range]").count() == 2
    # The names come from the core catalog (shared with Desk Makeover), not raw keys.
    assert "Brush size" in page.inner_text("#filter-params")
    assert "Oil painting" in page.inner_text('.filter-card[data-filter="oil"]')
    w.screenshot("studio-filter-oil-desktop-en")
    with page.expect_download() as dl:
        page.click("#filter-download")
    download = dl.value
    assert download.suggested_filename == "phone-oil.jpg"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with Image.open(target) as img:
        assert img.format == "JPEG" and img.size == (2560, 1920)  # full size, not the thumbnail

    # A parameter change re-applies at full size.
    page.locator("#param-size").evaluate(
        "el => { el.value = 3; el.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_selector('#filter-result[data-state="loading"]')
    page.wait_for_selector('#filter-result[data-state="ready"]', timeout=30_000)
    w.assert_clean()


def test_filters_reject_a_non_image_in_the_browser(open_page, files):
    w = open_page("/studio")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    page.set_input_files("#filters-file", str(files["text"]))
    page.wait_for_selector("#filters-error:not([hidden])")
    assert translate("en", "apps.studio.error.not_image") in page.inner_text("#filters-error")
    w.assert_clean()


# ---- panorama --------------------------------------------------------------------------------


def test_panorama_from_three_photos(open_page, files):
    w = open_page("/studio#panorama")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    page.set_input_files("#pano-files", [str(files[f"view{i}"]) for i in (1, 0, 2)])
    assert page.locator(".pano-item").count() == 3
    # Put them in order: the second item (garage-1) moves first.
    page.click('.pano-item[data-index="1"] .move-left')
    names = page.locator(".pano-name").all_inner_texts()
    assert names == ["garage-1.jpg", "garage-2.jpg", "garage-3.jpg"]
    page.check('input[name="pano-mode"][value="scans"]', force=True)
    w.screenshot("studio-panorama-ready-desktop-en")
    page.click("#pano-run")
    page.wait_for_selector("#pano-job:not([hidden])")
    page.wait_for_selector("#pano-result:not([hidden])", timeout=60_000)
    size = page.locator("#pano-image").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert 650 <= size[0] <= 800 and 400 <= size[1] <= 500, size
    assert "3" in page.inner_text("#pano-meta")
    w.screenshot("studio-panorama-result-desktop-en")
    w.assert_clean()


def test_panorama_of_unrelated_photos_says_why(open_page, files):
    w = open_page("/studio?lang=ko#panorama")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    page.set_input_files("#pano-files", [str(files["view0"]), str(files["small"])])
    page.click("#pano-run")
    page.wait_for_selector("#pano-error:not([hidden])", timeout=60_000)
    text = page.inner_text("#pano-error")
    assert translate("ko", "apps.studio.err.not_enough_overlap") in text  # in Korean, not English
    assert page.is_hidden("#pano-job")
    w.screenshot("studio-panorama-error-desktop-ko")
    w.assert_clean()  # the request was accepted (202); the job failed with a reason


# ---- upscale ---------------------------------------------------------------------------------


def test_upscale_a_small_image(open_page, files):
    w = open_page("/studio#upscale")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    page.set_input_files("#up-file", str(files["small"]))
    page.wait_for_selector("#up-source:not([hidden])")
    assert "120×80" in page.inner_text("#up-source") and "240×160" in page.inner_text("#up-source")
    page.click("#up-run")
    page.wait_for_selector("#up-result:not([hidden])", timeout=120_000)
    size = page.locator("#up-image").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [240, 160]
    w.screenshot("studio-upscale-desktop-en")
    w.assert_clean()


# ---- sketch canvas ---------------------------------------------------------------------------


def test_sketch_draw_undo_redo_and_no_model_message(open_page, files):
    w = open_page("/studio#sketch")
    w.allowed.append("503")  # the honest "no model installed" answer (HTTP + console)
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    assert ink(page) == 0
    draw(page, [(0.2, 0.2), (0.8, 0.25), (0.7, 0.8)])
    one = ink(page)
    assert one > 0.003
    page.click('.tool-size[data-size="16"]')
    draw(page, [(0.2, 0.7), (0.5, 0.5)])
    two = ink(page)
    assert two > one
    assert page.get_attribute("#sketch-canvas", "data-ops") == "2"
    page.click("#sketch-undo")
    assert abs(ink(page) - one) < 0.05 * one  # redrawn from the op list
    page.click("#sketch-undo")
    assert ink(page) == 0
    assert page.is_disabled("#sketch-undo")
    page.click("#sketch-redo")
    assert abs(ink(page) - one) < 0.05 * one  # redrawn from the op list
    # The eraser removes ink; clear empties the canvas and can itself be undone.
    page.click("#tool-eraser")
    draw(page, [(0.15, 0.2), (0.85, 0.25)])
    assert ink(page) < one
    page.click("#tool-pen")
    page.click("#sketch-clear")
    assert ink(page) == 0
    page.keyboard.press("Control+z")
    assert ink(page) > 0

    # Start from a photo: edges preview, then onto the canvas.
    page.set_input_files("#sketch-file", str(files["photo"]))
    page.wait_for_selector("#edge-preview:not([hidden])")
    page.check('input[name="edge-method"][value="scribble"]', force=True)
    page.wait_for_selector('#edge-preview[data-method="scribble"]:not([hidden])')
    assert page.locator("#edge-image").evaluate("i => i.naturalWidth") == 512
    page.click("#edge-use")
    assert ink(page) > 0.01

    page.fill("#sketch-prompt", "an astronaut in a white suit")
    page.select_option("#sketch-category", "person")
    page.select_option("#sketch-style", "illustration")
    page.click("#sketch-submit")
    page.wait_for_selector("#sketch-missing:not([hidden])")
    assert translate("en", "apps.studio.sketch.no_model") in page.inner_text("#sketch-missing")
    assert page.inner_text("#sketch-install") == "pixelsmith models install sdxl-t2i-sketch"
    w.screenshot("studio-sketch-desktop-en")
    w.assert_clean()


def test_sketch_with_touch_on_a_phone_in_korean(open_page):
    w = open_page(
        "/studio?lang=ko#sketch", viewport=PHONE, has_touch=True, is_mobile=True, lang="ko"
    )
    w.allowed.append("503")
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    box = page.locator("#sketch-canvas").bounding_box()
    assert box["width"] <= PHONE["width"]
    # A finger stroke through Chromium's touch input (CDP), as a touchscreen sends it.
    page.locator("#sketch-canvas").evaluate("c => c.scrollIntoView({block: 'center'})")
    box = page.locator("#sketch-canvas").bounding_box()
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, x: float, y: float) -> None:
        points = (
            []
            if kind == "touchEnd"
            else [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"], "id": 1}]
        )
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 0.2, 0.5)
    for i in range(1, 21):
        touch("touchMove", 0.2 + i * 0.03, 0.5 + 0.1 * np.sin(i / 3))
    touch("touchEnd", 0.8, 0.5)
    # The page did not scroll under the finger (touch-action: none on the canvas).
    assert page.locator("#sketch-canvas").bounding_box()["y"] == box["y"]
    assert ink(page) > 0.002
    page.click("#sketch-undo")
    assert ink(page) == 0
    page.click("#sketch-redo")
    page.fill("#sketch-prompt", "해변의 고양이")
    page.click("#sketch-submit")
    page.wait_for_selector("#sketch-missing:not([hidden])")
    assert translate("ko", "apps.studio.sketch.no_model") in page.inner_text("#sketch-missing")
    w.screenshot("studio-sketch-phone-ko")
    w.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_filters_on_a_phone(open_page, files, lang):
    w = open_page(f"/studio?lang={lang}", viewport=PHONE, is_mobile=True, has_touch=True, lang=lang)
    page = w.page
    page.wait_for_selector('#studio[data-ready="true"]')
    w.screenshot(f"studio-start-phone-{lang}")
    page.set_input_files("#filters-file", str(files["photo"]))
    page.wait_for_selector('#studio[data-filters-ready="true"]', timeout=30_000)
    page.click('.filter-card[data-filter="cartoon"]')
    page.wait_for_selector('#filter-result[data-state="ready"]', timeout=30_000)
    # Nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    w.screenshot(f"studio-filters-phone-{lang}")
    w.assert_clean()


def test_desktop_korean_start(open_page):
    w = open_page("/studio?lang=ko", lang="ko")
    w.page.wait_for_selector('#studio[data-ready="true"]')
    assert translate("ko", "apps.studio.tab.panorama") in w.page.inner_text(".studio-tabs")
    w.screenshot("studio-start-desktop-ko")
    w.assert_clean()
