"""The Tag Scanner in a real browser: photo → crop box → read → confirm → product card.

A realistic tag photo (a 2400×1600 JPEG from tests/tag_photo.py) is uploaded and downscaled in
the browser to 2000 px; the crop box is dragged over the code with the mouse (desktop) and with
touch (phone, 390×844); the code is read, checked (and corrected by typing if the reader got it
wrong) and confirmed, and the demo catalog's product card must show with its price in won.

Screenshots land in test-artifacts/screenshots/tags-*.png.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image

from pixelsmith.core.web.i18n import translate
from tag_photo import TagPhoto, render_tag_photo

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CODE = "CW2288-111"
DEMO_NAME = "Air Force 1 '07 White/White"
DEMO_PRICE = "₩139,000"
MAX_SIDE = 2000
MAX_UPLOAD = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> TagPhoto:
    return render_tag_photo(tmp_path_factory.mktemp("tags") / "nike-tag.jpg", code=CODE)


def norm(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


# ---- helpers -------------------------------------------------------------------------------------


def upload(page, photo: TagPhoto) -> tuple[int, int]:
    """Choose the photo; returns the size of the downscaled image the page will upload."""
    page.set_input_files("#tags-file", str(photo.path))
    page.wait_for_selector("#tags-editor:not([hidden])")
    page.wait_for_function(
        "() => { const i = document.getElementById('tags-image'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    width, height = map(int, page.get_attribute("#tags", "data-photo").split("x"))
    assert max(width, height) == MAX_SIDE
    assert abs(width / height - photo.width / photo.height) < 0.01
    assert 10_000 < int(page.get_attribute("#tags", "data-bytes")) < MAX_UPLOAD
    page.locator("#tags-stage").evaluate("el => el.scrollIntoView({block: 'center'})")
    wait_scroll_settled(page)
    return width, height


def wait_scroll_settled(page) -> None:
    """The page scrolls smoothly to the editor; measure boxes only once it has stopped
    (under CPU load the animation outlasts a quick test and coordinates go stale)."""
    page.evaluate(
        """() => new Promise((resolve) => {
            let last = -1, still = 0;
            const tick = () => {
                const y = window.scrollY;
                still = y === last ? still + 1 : 0;
                last = y;
                if (still >= 5) resolve(); else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        })"""
    )


def target_on_screen(page, photo: TagPhoto) -> dict[str, float]:
    stage = page.locator("#tags-stage").bounding_box()
    sx = stage["width"] / photo.width
    sy = stage["height"] / photo.height
    x, y, w, h = photo.code_box
    return {
        "left": stage["x"] + x * sx,
        "top": stage["y"] + y * sy,
        "right": stage["x"] + (x + w) * sx,
        "bottom": stage["y"] + (y + h) * sy,
    }


def crop_box(page) -> dict[str, float]:
    return page.locator("#tags-crop").bounding_box()


def crop_attr(page) -> list[int]:
    return [int(v) for v in page.get_attribute("#tags-crop", "data-crop").split(",")]


def mouse_drag(page, start, end) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def touch_drag(page, start, end, steps: int = 10) -> None:
    """A one-finger drag through the DevTools protocol: real touch events, pointerType 'touch'."""
    cdp = page.context.new_cdp_session(page)
    point = {"x": start[0], "y": start[1]}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i / steps
        y = start[1] + (end[1] - start[1]) * i / steps
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def fit_box(page, photo: TagPhoto, drag) -> None:
    """Move the crop box onto the code, then pull its corners onto the code's corners."""
    wait_scroll_settled(page)
    target = target_on_screen(page, photo)
    box = crop_box(page)
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    goal = ((target["left"] + target["right"]) / 2, (target["top"] + target["bottom"]) / 2)
    drag(page, centre, goal)
    box = crop_box(page)
    drag(
        page,
        (box["x"] + box["width"], box["y"] + box["height"]),
        (target["right"], target["bottom"]),
    )
    box = crop_box(page)
    drag(page, (box["x"], box["y"]), (target["left"], target["top"]))


def assert_crop_matches(page, photo: TagPhoto, size: tuple[int, int]) -> list[int]:
    """The box the page will send, in the uploaded image's pixels, is the code's box."""
    crop = crop_attr(page)
    scale = size[0] / photo.width
    expected = [round(v * scale) for v in photo.code_box]
    stage_w = page.locator("#tags-stage").bounding_box()["width"]
    tolerance = max(12, 3 * size[0] / stage_w)  # a few screen pixels
    for got, want in zip(crop, expected, strict=True):
        assert abs(got - want) <= tolerance, (crop, expected)
    return crop


def watch_busy(page, selector: str) -> None:
    page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            window.__busy = window.__busy || {};
            window.__busy[sel] = [];
            new MutationObserver(() => window.__busy[sel].push(el.getAttribute("aria-busy")))
                .observe(el, { attributes: true, attributeFilter: ["aria-busy"] });
        }""",
        selector,
    )


def was_busy(page, selector: str) -> bool:
    return "true" in page.evaluate("(sel) => window.__busy[sel]", selector)


def read_code(page, server_url: str, *, expect_crop: list[int] | None) -> dict:
    watch_busy(page, "#tags-read")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/tags/scan")) as info:
        page.click("#tags-read")
    response = info.value
    assert response.status == 201, response.text()
    scan = response.json()
    assert scan["crop_box"] == expect_crop
    page.wait_for_selector('#tags-result[data-active="true"]')
    assert was_busy(page, "#tags-read")
    assert page.get_attribute("#tags-read", "aria-busy") == "false"
    assert page.locator("#tags-read").is_enabled()

    # The server got the browser's downscaled JPEG, not the 2400 px original.
    stored = httpx.get(f"{server_url}{scan['image_url']}", timeout=10)
    assert stored.status_code == 200
    assert max(Image.open(io.BytesIO(stored.content)).size) == MAX_SIDE
    # The crop thumbnail is shown.
    page.wait_for_function(
        "() => { const i = document.getElementById('tags-crop-img'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    return scan


def check_result(page, scan: dict, lang: str) -> None:
    """The best code in the field, the confidence meter, the alternatives as chips."""
    field = page.locator("#tags-code")
    assert field.input_value() == scan["code"]
    assert field.input_value(), "the reader returned no code"
    assert field.evaluate("el => getComputedStyle(el).fontFamily").lower().find("mono") >= 0
    meter = page.locator("#tags-meter")
    assert meter.get_attribute("aria-valuenow") == str(round(scan["confidence"] * 100))
    level = page.get_attribute("#tags-confidence", "data-level")
    assert level in {"high", "medium", "low"}
    level_text = translate(lang, f"apps.tags.confidence.{level}")
    assert level_text in page.inner_text("#tags-confidence-value")
    assert re.search(r"\d", page.inner_text("#tags-timing"))
    chips = page.locator(".alt-chip")
    others = [a["code"] for a in scan["alternatives"] if a["code"] and a["code"] != scan["code"]]
    assert chips.count() == min(len(others), 6)
    if chips.count():
        first = chips.first
        code = first.get_attribute("data-code")
        first.click()
        assert field.input_value() == code
        assert first.get_attribute("aria-pressed") == "true"


def correct_if_needed(page) -> None:
    """Put the right code in the field: typed in lower case (the field upper-cases it) when the
    reader, or the alternative chip clicked last, has something else there."""
    field = page.locator("#tags-code")
    if field.input_value() == CODE:
        return
    field.fill("")
    field.press_sequentially(CODE.lower())
    assert field.input_value() == CODE


def confirm_and_check_product(page, lang: str) -> None:
    watch_busy(page, "#tags-confirm")
    with page.expect_response(lambda r: "/confirm" in r.url) as info:
        page.click("#tags-confirm")
    assert info.value.status == 200, info.value.text()
    answer = info.value.json()
    assert answer["scan"]["confirmed_label"] == CODE
    card = page.locator(f'.product[data-code="{CODE}"]')
    card.wait_for()
    assert was_busy(page, "#tags-confirm")
    assert page.get_attribute("#tags-product", "data-active") == "true"
    assert card.locator("h3").inner_text().strip() == DEMO_NAME
    assert card.locator(".product-brand").inner_text().strip() == "Nike"
    assert card.locator(".product-price dd").inner_text().strip() == DEMO_PRICE
    assert card.locator(".product-code dd").inner_text().strip() == CODE
    badge = card.locator(".badge-source")
    assert badge.get_attribute("data-source") == "demo"
    assert badge.inner_text().strip() == translate(lang, "apps.tags.source.demo")
    assert translate(lang, "apps.tags.demo_notice") in card.inner_text()
    shop = card.locator('a[data-role="shop"]')
    assert shop.inner_text().strip() == translate(lang, "apps.tags.product.view")
    assert shop.get_attribute("href").startswith("https://")
    assert shop.get_attribute("target") == "_blank"
    assert "noopener" in shop.get_attribute("rel")
    # The feedback line and "Your accuracy" panel follow the confirmation.
    assert page.locator(".tags-feedback").is_visible()
    page.wait_for_selector('#tags-stats[data-state="ready"]')
    assert re.fullmatch(r"\d{1,3}%", page.inner_text("#tags-stat-accuracy").strip())
    assert re.fullmatch(r"\d{1,3}%", page.inner_text("#tags-stat-corrections").strip())


def no_horizontal_overflow(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px viewport"


# ---- tests ---------------------------------------------------------------------------------------


def test_desktop_flow_with_a_mouse_dragged_crop_box(open_page, server_url, photo):
    watched = open_page("/tags")
    page = watched.page
    page.wait_for_selector('#tags[data-ready="true"]')
    assert page.locator("#tags-provider-off").is_visible()
    assert translate("en", "apps.tags.provider_off") in page.inner_text("#tags-provider-off")
    file_input = page.locator("#tags-file")
    assert file_input.get_attribute("accept") == "image/*"
    assert file_input.get_attribute("capture") == "environment"
    watched.screenshot("tags-start-en")

    size = upload(page, photo)
    fit_box(page, photo, mouse_drag)
    crop = assert_crop_matches(page, photo, size)
    # Keyboard nudges move the box by whole steps, then back.
    page.focus("#tags-crop")
    page.keyboard.press("ArrowRight")
    moved = crop_attr(page)
    assert moved[0] > crop[0] and moved[1:] == crop[1:]
    page.keyboard.press("ArrowLeft")
    assert crop_attr(page) == crop
    watched.screenshot("tags-crop-en")

    scan = read_code(page, server_url, expect_crop=crop)
    print(f"read {scan['code']!r} ({scan['confidence']:.2f}) in {scan['recognize_ms']} ms")
    check_result(page, scan, "en")
    correct_if_needed(page)
    watched.screenshot("tags-result-en")

    confirm_and_check_product(page, "en")
    watched.screenshot("tags-product-en")
    watched.assert_clean()


def test_phone_flow_with_touch(open_page, server_url, photo):
    watched = open_page("/tags", viewport=PHONE, has_touch=True, is_mobile=True)
    page = watched.page
    page.wait_for_selector('#tags[data-ready="true"]')
    no_horizontal_overflow(page)
    watched.screenshot("tags-start-en-phone")

    size = upload(page, photo)
    stage = page.locator("#tags-stage").bounding_box()
    assert stage["x"] >= 0 and stage["x"] + stage["width"] <= PHONE["width"]

    # A tap on the photo outside the box centres the box there (kept inside the photo).
    before = crop_box(page)
    tap = (stage["x"] + stage["width"] * 0.25, stage["y"] + stage["height"] * 0.12)
    page.touchscreen.tap(*tap)
    box = crop_box(page)
    for axis, size_key, at in (("x", "width", tap[0]), ("y", "height", tap[1])):
        low, high = stage[axis], stage[axis] + stage[size_key] - box[size_key]
        want = min(max(at - box[size_key] / 2, low), high)
        assert abs(box[axis] - want) <= 2, (axis, box, want)
    assert box["y"] < before["y"]

    # Then one-finger drags move the box and pull its corners onto the code.
    fit_box(page, photo, touch_drag)
    crop = assert_crop_matches(page, photo, size)
    no_horizontal_overflow(page)
    watched.screenshot("tags-crop-en-phone")

    scan = read_code(page, server_url, expect_crop=crop)
    check_result(page, scan, "en")
    correct_if_needed(page)
    no_horizontal_overflow(page)
    watched.screenshot("tags-result-en-phone")

    confirm_and_check_product(page, "en")
    no_horizontal_overflow(page)
    for selector in (".product", "#tags-stats", 'a[data-role="shop"]', 'button[data-role="again"]'):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
    watched.screenshot("tags-product-en-phone")
    watched.assert_clean()


def test_korean_flow_with_auto_find(open_page, server_url, photo):
    watched = open_page("/tags", lang="ko")
    page = watched.page
    page.wait_for_selector('#tags[data-ready="true"]')
    assert page.get_attribute("html", "lang") == "ko"
    assert translate("ko", "apps.tags.provider_off") in page.inner_text("#tags-provider-off")

    upload(page, photo)
    page.get_by_role("radio", name=translate("ko", "apps.tags.mode.auto")).check()
    assert not page.locator("#tags-crop").is_visible()
    assert page.inner_text("#tags-help").strip() == translate("ko", "apps.tags.auto.help")

    scan = read_code(page, server_url, expect_crop=None)
    print(f"auto-find read {scan['code']!r} ({scan['confidence']:.2f})")
    if scan["code"]:
        check_result(page, scan, "ko")
    else:
        assert page.locator("#tags-nothing").is_visible()
    correct_if_needed(page)
    watched.screenshot("tags-result-ko")
    confirm_and_check_product(page, "ko")
    if not scan["code"]:
        expected = "apps.tags.feedback.typed"
    elif norm(scan["code"]) == norm(CODE):
        expected = "apps.tags.feedback.correct"
    else:
        expected = "apps.tags.feedback.corrected"
    feedback = page.inner_text(".tags-feedback").strip()
    assert feedback == translate("ko", expected, guess=scan["code"])
    watched.screenshot("tags-product-ko")
    watched.assert_clean()


def test_bad_file_and_failed_requests_show_clear_errors(open_page, server_url, photo, tmp_path):
    watched = open_page("/tags")
    # The failures below are on purpose: the aborted and rejected scan requests.
    watched.allowed += ["/api/v1/tags/scan", "Failed to load resource"]
    page = watched.page
    page.wait_for_selector('#tags[data-ready="true"]')

    # A text file named .jpg: the browser cannot open it, the page says so and keeps working.
    fake = tmp_path / "tag-photo.jpg"
    fake.write_text("this is not a photo of a tag\n" * 20)
    page.set_input_files("#tags-file", str(fake))
    alert = page.locator("#tags-photo-error")
    alert.wait_for()
    assert alert.get_attribute("role") == "alert"
    assert alert.get_attribute("data-kind") == "not_image"
    text = alert.inner_text()
    assert translate("en", "apps.tags.error.not_image.title") in text
    assert translate("en", "apps.tags.error.not_image.next") in text
    assert page.locator("#tags-drop").is_visible()
    assert page.locator("#tags-editor").is_hidden()
    watched.screenshot("tags-error-en")

    size = upload(page, photo)
    assert alert.is_hidden()
    crop = crop_attr(page)
    assert all(v >= 0 for v in crop) and crop[0] + crop[2] <= size[0]

    # The server cannot be reached: say so, and the button works again.
    page.route("**/api/v1/tags/scan", lambda route: route.abort())
    page.click("#tags-read")
    page.wait_for_selector('#tags-photo-error[data-kind="network"]')
    assert translate("en", "apps.tags.error.network.title") in alert.inner_text()
    assert page.locator("#tags-read").is_enabled()
    page.unroute("**/api/v1/tags/scan")

    # The server rejects the request: its 4xx becomes a readable message with what to do.
    rejection = {
        "error": {
            "code": "crop_out_of_bounds",
            "message": "The crop box goes outside the image. Keep the box inside the photo.",
            "details": {},
        }
    }
    page.route(
        "**/api/v1/tags/scan",
        lambda route: route.fulfill(
            status=422, content_type="application/json", body=json.dumps(rejection)
        ),
    )
    page.click("#tags-read")
    page.wait_for_selector('#tags-photo-error[data-kind="crop"]')
    assert translate("en", "apps.tags.error.crop.next") in alert.inner_text()
    assert rejection["error"]["message"] in alert.inner_text()
    page.unroute("**/api/v1/tags/scan")

    # And then it works.
    read_code(page, server_url, expect_crop=crop)
    assert alert.is_hidden()

    # An empty code is caught before it is sent.
    page.fill("#tags-code", "")
    page.click("#tags-confirm")
    result_alert = page.locator("#tags-result-error")
    result_alert.wait_for()
    assert result_alert.get_attribute("data-kind") == "empty"
    assert page.get_attribute("#tags-code", "aria-invalid") == "true"

    # A code that is in no catalog: a clear "not found" card that says online lookup is off.
    page.locator("#tags-code").press_sequentially("zz9999-999")
    assert page.get_attribute("#tags-code", "aria-invalid") is None
    assert page.locator("#tags-local").is_hidden()  # "In the catalog: …" was about the old code
    page.click("#tags-confirm")
    missing = page.locator('[data-role="not-found"]')
    missing.wait_for()
    assert result_alert.is_hidden()
    assert translate("en", "apps.tags.notfound.title", code="ZZ9999-999") in missing.inner_text()
    assert missing.locator('[data-role="provider-off"]').is_visible()
    assert page.get_attribute("#tags-product", "data-source") == "none"
    watched.screenshot("tags-notfound-en")
    watched.assert_clean()


def test_tag_photo_fixture_is_what_the_tests_claim(photo):
    with Image.open(photo.path) as im:
        assert im.size == (2400, 1600) and im.format == "JPEG"
    x, y, w, h = photo.code_box
    assert 0 <= x and 0 <= y and x + w <= photo.width and y + h <= photo.height
    assert Path(photo.path).stat().st_size > 100_000


def _drop_file(page, data: bytes, name: str, mime: str) -> None:
    """Drop a file on the photo step, as a drag from the desktop would."""
    page.evaluate(
        """([b64, name, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: mime }));
            const target = document.getElementById("tags-photo");
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true,
                                                           cancelable: true }));
            }
        }""",
        [base64.b64encode(data).decode(), name, mime],
    )


def test_dropped_photos_are_turned_upright_and_downscaled(open_page, photo):
    watched = open_page("/tags")
    page = watched.page
    page.wait_for_selector('#tags[data-ready="true"]')

    # A portrait phone photo stored landscape with EXIF orientation 6 ("rotate 90° to view").
    with Image.open(photo.path) as im:
        exif = Image.Exif()
        exif[0x0112] = 6
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=90, exif=exif)
    _drop_file(page, buffer.getvalue(), "portrait.jpg", "image/jpeg")
    page.wait_for_selector('#tags[data-photo="1333x2000"]')
    assert page.locator("#tags-editor").is_visible()
    assert page.locator("#tags-photo").get_attribute("class").count("is-dragover") == 0

    # A wide transparent PNG: downscaled to 2000 px wide, kept inside the page.
    png = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (200, 30, 30, 0)).save(png, "PNG")
    _drop_file(page, png.getvalue(), "wide.png", "image/png")
    page.wait_for_selector('#tags[data-photo="2000x667"]')
    x, y, w, h = crop_attr(page)
    assert x >= 0 and y >= 0 and x + w <= 2000 and y + h <= 667
    no_horizontal_overflow(page)
    watched.assert_clean()
