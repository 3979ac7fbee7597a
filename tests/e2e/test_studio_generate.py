"""Sketch Studio with a sketch-to-image model installed, in a real browser.

The model is a tiny random-weight SDXL + T2I-Adapter built in code (tests/generation) and
installed with the real `install_from_dir`; the server is the real app (gen_app.py brings the
model's native size and steps down to 64² and STEPS). The canvas submits a gen.sketch2img job;
the page must show live step previews, then the picture with a download link. Cancel must stop
a run and leave no picture. Screenshots: test-artifacts/screenshots/studio-sketch-{generated,
running,canceled}-*.png
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sketching import draw

from pixelsmith.core.config import Settings
from pixelsmith.core.generation import store
from pixelsmith.core.web.i18n import translate

pytestmark = pytest.mark.e2e

STEPS = 60  # ~50 ms a step here: long enough to watch previews and to cancel mid-run

# Records what the job box showed while the job ran: the page hides the box when it ends.
WATCH_JOB_BOX = """
window.seenJob = { previews: [], messages: [] };
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("sketch-job");
  new MutationObserver(() => {
    const img = box.querySelector(".job-preview");
    const seen = window.seenJob;
    if (!img.hidden && img.src && !seen.previews.includes(img.src)) seen.previews.push(img.src);
    const message = box.querySelector(".job-message").textContent;
    if (message && seen.messages.at(-1) !== message) seen.messages.push(message);
  }).observe(box, { subtree: true, attributes: true, childList: true, characterData: true });
});
"""


@pytest.fixture(scope="module")
def gen_server(tmp_path_factory, serve_app):
    sys.path.insert(0, str(Path(__file__).parents[1] / "generation"))
    import tiny_models

    root = tmp_path_factory.mktemp("e2e-gen")
    models = root / "models"
    folder = tiny_models.build_sdxl_adapter(root / "downloaded" / "sdxl-t2i-sketch")
    store.install_from_dir(Settings(models_dir=models), "sdxl-t2i-sketch", folder)
    env = {
        "PIXELSMITH_MODELS_DIR": str(models),
        "PIXELSMITH_DEVICE": "cpu",
        "PIXELSMITH_E2E_SKETCH_STEPS": str(STEPS),
        # gen_app shrinks the model in the server's own process, so jobs must run there.
        "PIXELSMITH_JOB_ISOLATION": "thread",
    }
    with serve_app(root / "data", factory="gen_app:create_app", **env) as url:
        yield url


def _open_sketch(open_page, server: str, **options):
    w = open_page("", server=server, **options)
    w.page.add_init_script(WATCH_JOB_BOX)
    w.page.goto("/studio?lang=ko#sketch" if options.get("lang") == "ko" else "/studio#sketch")
    w.page.wait_for_selector('#studio[data-ready="true"]')
    return w


def _latest_sketch_job(page) -> dict:
    return page.request.get("/api/v1/jobs?kind=gen.sketch2img&limit=1").json()["items"][0]


def test_sketch_becomes_a_picture_with_live_previews(open_page, gen_server):
    w = _open_sketch(open_page, gen_server)
    page = w.page
    draw(page, [(0.2, 0.8), (0.5, 0.2), (0.8, 0.8), (0.2, 0.8)])  # a tent
    page.fill("#sketch-prompt", "a red tent on a hill")
    page.select_option("#sketch-style", "watercolor")
    page.click("#sketch-submit")
    page.wait_for_selector("#sketch-result:not([hidden])", timeout=120_000)

    seen = page.evaluate("() => window.seenJob")
    messages = seen["messages"]
    # Only the page's own words: "queued" (the submit's answer can come before the first
    # step), step counts, and "loading" while the first call loads.
    own = {translate("en", "apps.studio.sketch.loading"), translate("en", "apps.studio.job.queued")}
    unexpected = [t for t in messages if not (re.fullmatch(rf"Step \d+ of {STEPS}", t) or t in own)]
    assert not unexpected, (
        f"the job box showed {unexpected!r}, which is neither 'Step N of {STEPS}' nor one of "
        f"{sorted(own)!r}; every text it showed, in order: {messages!r}"
    )
    steps = [int(m.group(1)) for t in messages if (m := re.match(r"Step (\d+) of", t))]
    assert len(steps) >= 2, f"fewer than two step counts were shown: {messages!r}"
    assert steps == sorted(steps), f"the step counts went backwards: {steps!r} in {messages!r}"
    assert seen["previews"], "no step preview was shown while the job ran"
    for url in seen["previews"]:
        preview = page.request.get(url)
        assert preview.ok and preview.body()[:2] == b"\xff\xd8"  # JPEGs decoded from latents

    size = page.locator("#sketch-image").evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert min(size) == 64 and all(side % 8 == 0 for side in size)
    src = page.get_attribute("#sketch-image", "src")
    assert page.get_attribute("#sketch-download", "href") == src
    assert page.get_attribute("#sketch-download", "download") == "image.png"
    assert page.request.get(src).body()[:8] == b"\x89PNG\r\n\x1a\n"

    job = _latest_sketch_job(page)
    assert job["status"] == "succeeded" and job["result"]["steps"] == STEPS
    assert job["result"]["prompt"].startswith("a red tent on a hill")
    assert "watercolor" in job["result"]["prompt"]
    assert page.is_hidden("#sketch-cancel") and page.is_hidden("#sketch-missing")
    w.screenshot("studio-sketch-generated-desktop-en")
    w.assert_clean()


def test_cancel_stops_the_run_and_leaves_no_picture_in_korean(open_page, gen_server):
    w = _open_sketch(open_page, gen_server, lang="ko")
    page = w.page
    draw(page, [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)])
    page.fill("#sketch-prompt", "창가의 고양이")
    page.click("#sketch-submit")
    page.wait_for_selector("#sketch-cancel:not([hidden])")
    # Cancel once denoising has begun (the progress bar has moved).
    page.wait_for_function(
        "() => +document.querySelector('#sketch-job .progress').getAttribute('aria-valuenow') > 0",
        timeout=120_000,
    )
    page.wait_for_selector("#sketch-job .job-preview:not([hidden])", timeout=60_000)
    w.screenshot("studio-sketch-running-desktop-ko")  # the live preview and the step count
    assert page.is_disabled("#sketch-submit")  # one picture at a time from this form
    busy = translate("ko", "apps.studio.sketch.submitting")
    assert page.inner_text("#sketch-submit").strip() == busy
    page.click("#sketch-cancel")
    page.wait_for_selector("#sketch-error:not([hidden])", timeout=60_000)
    assert translate("ko", "apps.studio.job.canceled") in page.inner_text("#sketch-error")
    # The user asked for it: a plain notice, not the red of a failure.
    assert "notice-error" not in page.get_attribute("#sketch-error", "class")
    assert page.is_hidden("#sketch-result") and page.is_hidden("#sketch-cancel")

    seen = page.evaluate("() => window.seenJob")["messages"]
    # the page's own words, as in English: "queued" (on a busy machine the submit's answer can
    # come before the first step), the step counts, and "loading" while the model loads
    own = {translate("ko", "apps.studio.sketch.loading"), translate("ko", "apps.studio.job.queued")}
    unexpected = [t for t in seen if not (re.fullmatch(rf"{STEPS}단계 중 \d+단계", t) or t in own)]
    assert seen and not unexpected, (
        f"the job box showed {unexpected!r}, which is neither '{STEPS}단계 중 N단계' nor one of "
        f"{sorted(own)!r}; every text it showed, in order: {seen!r}"
    )

    job = _latest_sketch_job(page)
    assert job["status"] == "canceled"
    assert job["artifacts"] == []  # nothing half-written is attached
    assert 0 < job["progress"]["step"] < STEPS
    w.screenshot("studio-sketch-canceled-desktop-ko")
    w.assert_clean()
