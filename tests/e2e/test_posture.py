"""Posture Coach in a real browser with Chromium's fake camera.

Chromium plays a Y4M video (written here from scikit-image's astronaut: 6 s upright, then 14 s
with the head drifted forward; see tests/apps/posture/frames.py for what that transform can
emulate) as the webcam (`--use-fake-device-for-media-stream --use-fake-ui-for-media-stream
--use-file-for-fake-video-capture=…`). The page must get the camera, downscale and stream
binary JPEG frames over the WebSocket, show a state with the landmark overlay, calibrate (a
short calibration via ?calibration=2), then alert on the sustained forward drift: tab title,
notification, sound. Also: pause/resume, no person in view, no camera, phone size in Korean.

Screenshots land in test-artifacts/screenshots/posture-*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from pixelsmith.core.web.i18n import translate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apps" / "posture"))
import frames  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FPS = 8
W, H = 480, 360


MARK = 16  # px: a corner square, white in upright frames and black in drifted ones


def write_y4m(path: Path, segments: list[tuple[np.ndarray, float]]) -> Path:
    """A raw 4:2:0 Y4M video: each (RGB frame, seconds) segment held still. A MARK-px square
    in the top-left corner says which segment plays: white for the first, black after."""
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{W} H{H} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i, (rgb, seconds) in enumerate(segments):
            small = cv2.resize(rgb, (W, H), interpolation=cv2.INTER_AREA)
            small[:MARK, :MARK] = 255 if i == 0 else 0
            yuv = cv2.cvtColor(small, cv2.COLOR_RGB2YUV_I420).tobytes()
            for _ in range(round(seconds * FPS)):
                f.write(b"FRAME\n")
                f.write(yuv)
    return path


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("camera")
    return {
        "drift": write_y4m(d / "drift.y4m", [(frames.upright(), 6), (frames.drifted(1.0), 14)]),
        "upright": write_y4m(d / "upright.y4m", [(frames.upright(), 4)]),
        "empty": write_y4m(d / "empty.y4m", [(np.full((480, 640, 3), 205, np.uint8), 2)]),
    }


@pytest.fixture
def camera_page(playwright, server_url):
    """Open a page in a Chromium whose webcam plays `video` (None: a browser with no camera)."""
    browsers = []

    def _open(path: str, video: Path | None, *, lang="en", viewport=None):
        args = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        if video is not None:
            args += [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        context = browser.new_context(
            base_url=server_url,
            locale="ko-KR" if lang == "ko" else "en-US",
            viewport=viewport or {"width": 1280, "height": 800},
        )
        if video is not None:
            context.grant_permissions(["camera", "notifications"])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path)
        page.wait_for_selector('#posture[data-ready="true"]')
        return page, errors

    yield _open
    for browser in browsers:
        browser.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def data(page, name: str) -> str | None:
    return page.get_attribute("#posture", f"data-{name}")


# True once the video's corner mark has been seen black (drifted) and then white (upright).
UPRIGHT_AGAIN = f"""() => {{
    const v = document.getElementById('posture-video');
    if (!v || v.readyState < 2) return false;
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    const g = c.getContext('2d');
    g.drawImage(v, {MARK // 4}, {MARK // 4}, {MARK // 2}, {MARK // 2}, 0, 0, 1, 1);
    const up = g.getImageData(0, 0, 1, 1).data[0] > 128;
    const seen = (window.__marks = window.__marks || []);
    if (seen[seen.length - 1] !== up) seen.push(up);
    return seen.length >= 2 && up && seen[seen.length - 2] === false;
}}"""


def test_live_stream_calibrate_then_alert_on_forward_drift(camera_page, videos):
    page, errors = camera_page("/posture?calibration=2", videos["drift"])
    page.click(".posture-settings summary")
    page.fill("#posture-alert-after", "5")
    page.dispatch_event("#posture-alert-after", "change")
    page.click("#posture-start")
    page.wait_for_selector('#posture[data-conn="open"]', timeout=20_000)
    # Frames stream and a state comes back, with the overlay drawn.
    page.wait_for_function(
        "() => ['good','warn','bad'].includes(document.getElementById('posture').dataset.state)",
        timeout=20_000,
    )
    # Calibrate on upright frames: the camera has played since Start, and on a busy machine the
    # first state can come after the 6 s upright segment. Wait for the loop to come back to
    # it (the corner mark turns white after black), then calibrate (2 s) at once.
    page.wait_for_function(UPRIGHT_AGAIN, polling=100, timeout=60_000)
    page.click("#posture-calibrate")
    assert page.is_visible("#posture-countdown")
    page.wait_for_selector('#posture[data-calibrated="true"]', timeout=15_000)
    assert page.is_hidden("#posture-countdown")
    assert int(data(page, "frames")) > 5
    width = page.evaluate(
        "() => { const v = document.getElementById('posture-video'); return v.videoWidth; }"
    )
    assert width == W  # the camera's size; frames are downscaled to ≤ 480 px before sending
    overlay_painted = page.evaluate(
        """() => { const c = document.getElementById('posture-overlay');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
                   return false; }"""
    )
    assert overlay_painted, "no landmarks drawn on the overlay"
    shot(page, "posture-live-en")

    # The video now drifts forward and stays there: bad, then the alert after 5 s.
    page.wait_for_selector('#posture[data-state="bad"]', timeout=25_000)
    page.wait_for_function(
        "() => Number(document.getElementById('posture').dataset.alerts) >= 1", timeout=25_000
    )
    title = page.title()
    assert title.startswith("⚠ " + translate("en", "apps.posture.alert.title")), title
    assert data(page, "notified") == "true"  # Notification API (permission granted)
    assert data(page, "sound") == "played"  # the WebAudio beep
    assert page.is_visible("#posture-badtimer")
    shot(page, "posture-alert-en")

    # Pause and resume.
    page.click("#posture-pause")
    page.wait_for_selector('#posture[data-conn="paused"]')
    assert page.inner_text("#posture-message-title") == translate(
        "en", "apps.posture.msg.paused.title"
    )
    sent = int(data(page, "frames"))
    page.wait_for_timeout(1200)
    assert int(data(page, "frames")) == sent  # nothing is sent while paused
    page.click("#posture-pause")
    page.wait_for_selector('#posture[data-conn="open"]')
    page.wait_for_function(
        f"() => Number(document.getElementById('posture').dataset.frames) > {sent + 3}"
    )

    page.click("#posture-stop")
    page.wait_for_selector('#posture[data-conn="idle"]')
    # The session shows up in the history (stats API + server-drawn SVG chart).
    page.wait_for_function(
        "() => document.querySelector('[data-kpi=\"alerts\"]').textContent === '1'"
    )
    assert page.text_content('[data-kpi="sessions"]') == "1"
    page.wait_for_function("() => document.getElementById('posture-chart').naturalWidth > 0")
    shot(page, "posture-history-en")
    assert not errors, errors


def test_phone_in_korean_streams_and_shows_a_state(camera_page, videos):
    page, errors = camera_page("/posture", videos["upright"], lang="ko", viewport=PHONE)
    assert page.get_attribute("html", "lang") == "ko"
    page.click("#posture-start")
    page.wait_for_selector('#posture[data-conn="open"]', timeout=20_000)
    page.wait_for_function(
        "() => ['good','warn','bad'].includes(document.getElementById('posture').dataset.state)",
        timeout=20_000,
    )
    state = data(page, "state")
    assert page.inner_text("#posture-pill-text") == translate("ko", f"apps.posture.state.{state}")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    shot(page, "posture-live-ko-phone")
    assert not errors, errors


def test_no_person_in_view_says_so(camera_page, videos):
    page, errors = camera_page("/posture", videos["empty"])
    page.click("#posture-start")
    page.wait_for_selector('#posture-message[data-kind="no_person"]', timeout=20_000)
    assert page.inner_text("#posture-message-title") == translate(
        "en", "apps.posture.msg.no_person.title"
    )
    assert not errors, errors


def test_no_camera_says_so(camera_page):
    page, _ = camera_page("/posture", None, lang="ko")
    page.click("#posture-start")
    page.wait_for_selector("#posture-message:not([hidden])", timeout=10_000)
    kind = page.get_attribute("#posture-message", "data-kind")
    # Headless Chromium without a fake device has no camera; the prompt is not granted either.
    assert kind in ("no_camera", "denied")
    assert page.inner_text("#posture-message-title") == translate(
        "ko", f"apps.posture.msg.{kind}.title"
    )
    assert page.is_enabled("#posture-start")  # the user can try again
    shot(page, f"posture-{kind.replace('_', '-')}-ko")


def test_photo_check(camera_page, tmp_path):
    photo = tmp_path / "astronaut.jpg"
    cv2.imwrite(str(photo), cv2.cvtColor(frames.upright(), cv2.COLOR_RGB2BGR))
    page, errors = camera_page("/posture", None)
    page.set_input_files("#posture-photo-file", str(photo))
    page.wait_for_selector("#posture-photo-canvas:not([hidden])", timeout=20_000)
    assert translate("en", "apps.posture.photo.front") in page.text_content("#posture-photo-result")
    assert not errors, errors
