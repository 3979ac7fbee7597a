"""Backdrop Studio in a real browser against the real server and models.

- Desktop, English: two product photos (drawn in code) are dropped at once and become two
  products; the first shows its cut-out over a checkerboard, its brief in English and its
  suggested backgrounds; the brush (remove mode) paints over the right half of the product and
  "apply" sends the mask: the server's new mask has nothing there; three backgrounds are
  rendered for Amazon's main-image format, each render has its compliance badge and its own
  download, and the zip downloads with one image per render.
- Phone (390×844), Korean: the page's strings and the brief are Korean, the flow works from
  upload to a render, and nothing overflows sideways.
- Batch: two photos → the batch job's progress → the contact sheet and the zip, which holds a
  folder per product.

Screenshots land in test-artifacts/screenshots/backdrop-*.png.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import expect

from pixelsmith.core.web.i18n import translate

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SLOW = 240_000  # ms: the first upload or job in a fresh worker process loads its models
API = "/api/v1/backdrop"


def draw_product(path: Path, colour=(30, 80, 200), size=(900, 700)) -> Path:
    """A shaded bottle on a light studio backdrop with a soft contact shadow."""
    w, h = size
    y = np.linspace(0, 1, h)[:, None, None]
    bg = (np.array([236, 232, 226]) * (1 - 0.12 * y)).repeat(w, axis=1).astype(np.uint8)
    img = Image.fromarray(bg)
    shadow = Image.new("L", size, 0)
    cx, base = w // 2, int(h * 0.86)
    ImageDraw.Draw(shadow).ellipse((cx - w // 7, base - 14, cx + w // 7, base + 14), fill=120)
    img.paste((90, 90, 90), mask=shadow.filter(ImageFilter.GaussianBlur(10)))
    d = ImageDraw.Draw(img)
    bw, top = w // 7, int(h * 0.22)
    for i in range(-bw, bw):
        shade = 0.65 + 0.45 * np.cos((i / bw) * 1.3 + 0.4)
        d.line(
            [(cx + i, top + 50), (cx + i, base)],
            fill=tuple(int(min(255, c * shade)) for c in colour),
        )
    d.rounded_rectangle(
        (cx - bw // 3, top - 10, cx + bw // 3, top + 54), radius=8, fill=(25, 25, 30)
    )
    img.save(path, quality=92)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("backdrop-photos")
    return [
        draw_product(folder / "blue-bottle.jpg"),
        draw_product(folder / "red-bottle.jpg", colour=(200, 40, 40)),
    ]


def no_horizontal_overflow(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px viewport"


def hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def upload_products(page, files: list[Path]) -> list[dict]:
    answers = []
    page.on(
        "response",
        lambda r: (
            answers.append(r)
            if r.url.endswith(f"{API}/products") and r.request.method == "POST"
            else None
        ),
    )
    page.set_input_files("#bd-file", [str(f) for f in files])
    expect(page.locator(".bd-product")).to_have_count(len(files), timeout=SLOW)
    assert all(r.status == 201 for r in answers), [r.status for r in answers]
    return [r.json() for r in answers]


def wait_suggestions(page) -> None:
    page.wait_for_selector(".bd-suggestion", timeout=SLOW)
    expect(page.locator("#bd-suggest-loading")).to_be_hidden(timeout=SLOW)


def render_and_wait(page) -> None:
    page.click("#bd-render")
    page.wait_for_selector(
        "#bd-renders-body:not([hidden]), #bd-renders-error:not([hidden])", timeout=SLOW
    )
    if page.locator("#bd-renders-error").is_visible():
        pytest.fail(f"the page shows an error: {page.inner_text('#bd-renders-error')!r}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.bd-render img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=SLOW,
    )


def test_upload_brush_suggest_render_and_download_on_a_desktop(open_page, photos, tmp_path):
    w = open_page("/backdrop")
    page = w.page
    expect(page.locator("h1")).to_have_text(translate("en", "apps.backdrop.title"))
    products = upload_products(page, photos)
    first = products[0]
    assert page.get_attribute("#backdrop", "data-product-id") == first["id"]
    expect(page.locator("#bd-cutout-body")).to_be_visible()
    expect(page.locator("#bd-brief-text")).to_have_text(first["brief"]["text"])
    assert not hangul(first["brief"]["text"])
    wait_suggestions(page)
    assert page.locator(".bd-suggestion input:checked").count() == 3
    # each card shows its backdrop's main colour until the thumbnail arrives
    placeholders = page.eval_on_selector_all(
        ".bd-suggestion img", "imgs => imgs.map(i => i.style.backgroundColor)"
    )
    assert placeholders and all(placeholders), f"cards without a placeholder colour: {placeholders}"
    page.locator("#bd-suggestions").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.bd-suggestion img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=SLOW,
    )
    w.screenshot("backdrop-desktop-suggestions")

    # The brush: remove the product's right half, then apply.
    page.check('input[name="bd-mode"][value="remove"]')
    page.eval_on_selector(
        "#bd-size", "el => { el.value = '120'; el.dispatchEvent(new Event('input')); }"
    )
    box = page.locator("#bd-canvas").bounding_box()
    x0 = box["x"] + box["width"] * 0.5 + 4
    page.mouse.move(x0, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    for i in range(1, 13):
        for j in (0, 1):
            page.mouse.move(
                x0 + box["width"] * (0.04 + 0.08 * j), box["y"] + box["height"] * (0.1 + i * 0.07)
            )
    page.mouse.up()
    expect(page.locator("#bd-apply")).to_be_enabled()
    with page.expect_response(
        lambda r: r.url.endswith(f"/products/{first['id']}/mask") and r.request.method == "PUT",
        timeout=SLOW,
    ) as info:
        page.click("#bd-apply")
    assert info.value.status == 200, info.value.text()
    edited = info.value.json()
    assert edited["mask_edited"] == 1
    mask_png = page.request.get(f"{API}/products/{first['id']}/mask").body()
    mask = np.asarray(Image.open(io.BytesIO(mask_png)))
    assert mask[:, : mask.shape[1] // 2 - 10].any(), "the left half went too"
    assert not mask[
        int(mask.shape[0] * 0.3) : int(mask.shape[0] * 0.8), mask.shape[1] // 2 + 30 :
    ].any(), "the brushed half is still in the mask"
    expect(page.locator("#bd-brush-status")).to_have_text(
        translate("en", "apps.backdrop.brush.applied")
    )
    wait_suggestions(page)

    page.select_option("#bd-preset", "amazon_main")
    render_and_wait(page)
    renders = page.locator(".bd-render")
    expect(renders).to_have_count(3)
    for i in range(3):
        badge = renders.nth(i).locator(".bd-badge")
        expect(badge).to_be_visible()
        assert badge.get_attribute("data-ok") in ("true", "false")
    w.screenshot("backdrop-desktop-renders")
    with page.expect_download() as dl:
        renders.nth(0).locator(".bd-download").click()
    one = Image.open(dl.value.path())
    assert one.size[0] >= 1000 and one.size[0] == one.size[1], one.size
    with page.expect_download() as dl:
        page.click("#bd-zip")
    names = zipfile.ZipFile(dl.value.path()).namelist()
    assert len([n for n in names if n.endswith((".jpg", ".png"))]) == 3, names

    # The second product is one click away.
    page.locator(".bd-product-pick").nth(1).click()
    expect(page.locator("#bd-brief-text")).to_have_text(products[1]["brief"]["text"])
    w.assert_clean()


def test_the_page_in_korean_on_a_phone(open_page, photos):
    w = open_page("/backdrop", lang="ko", viewport=PHONE, has_touch=True, is_mobile=True)
    page = w.page
    expect(page.locator("h1")).to_have_text(translate("ko", "apps.backdrop.title"))
    expect(page.locator("#bd-photos-title")).to_have_text(
        translate("ko", "apps.backdrop.step.photos")
    )
    no_horizontal_overflow(page)
    w.screenshot("backdrop-phone-ko-start")
    (product,) = upload_products(page, photos[1:])
    assert hangul(product["brief"]["text"]), product["brief"]
    expect(page.locator("#bd-brief-text")).to_have_text(product["brief"]["text"])
    wait_suggestions(page)
    boxes = page.locator(".bd-suggestion input")
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()
    assert page.locator(".bd-suggestion input:checked").count() == 1
    names = page.locator(".bd-suggestion-name").all_inner_texts()
    assert names and all(hangul(n) for n in names), f"background names not in Korean: {names}"
    render_and_wait(page)
    expect(page.locator(".bd-render")).to_have_count(1)
    rendered_on = page.inner_text(".bd-render-name")
    assert rendered_on == names[0], (rendered_on, names[0])
    no_horizontal_overflow(page)
    w.screenshot("backdrop-phone-ko-renders")
    w.assert_clean()


def test_a_batch_shows_its_progress_then_the_contact_sheet_and_the_zip(open_page, photos):
    w = open_page("/backdrop")
    page = w.page
    page.set_input_files("#bd-batch-file", [str(p) for p in photos])
    expect(page.locator("#bd-batch-chosen")).to_contain_text("2")
    page.select_option("#bd-batch-k", "2")
    page.click("#bd-batch-start")
    expect(page.locator("#bd-batch-job")).to_be_visible(timeout=SLOW)
    try:
        page.wait_for_selector(
            "#bd-batch-result:not([hidden]), #bd-batch-error:not([hidden])", timeout=SLOW
        )
    except Exception:  # say what the page and the server saw
        runs = page.request.get(f"{API}/runs?kind=batch").json()
        msg = page.inner_text("#bd-batch-job .progress-message")
        pytest.fail(f"no batch result; the page says {msg!r}; the runs: {runs}")
    if page.locator("#bd-batch-error").is_visible():
        pytest.fail(f"the page shows an error: {page.inner_text('#bd-batch-error')!r}")
    try:
        page.wait_for_function(
            "() => document.getElementById('bd-batch-sheet').naturalWidth > 0", timeout=30_000
        )
    except Exception:
        info = page.evaluate(
            "() => { const i = document.getElementById('bd-batch-sheet');"
            " return [i.src, i.complete, i.naturalWidth, i.hidden, getComputedStyle(i).display,"
            " document.getElementById('bd-batch-result').hidden]; }"
        )
        r = page.request.get(info[0]) if info[0].startswith("http") else None
        pytest.fail(f"contact sheet not shown: {info}, GET {r.status if r else None} {w.problems}")
    w.screenshot("backdrop-batch")
    with page.expect_download() as dl:
        page.click("#bd-batch-zip")
    names = set(zipfile.ZipFile(dl.value.path()).namelist())
    assert {"blue-bottle/cutout.png", "red-bottle/cutout.png", "contact-sheet.jpg"} <= names, names
    w.assert_clean()
