"""Toon Diary end to end: two users and an admin in three browser contexts on a live server.

User A (Korean, phone size) signs up through the page, writes a Korean post, sees that no
picture model is installed (the engine's install message), toonifies a photo instead and
publishes the post; a second public post and a private one are made through the API. User B
(English, desktop) comments on A's post and sees Hot Toons reorder; A's private post stays out
of B's reach everywhere (Lounge, post page and API, recommendations, image URL). B reports the
post; the admin (made with the CLI) hides it from the queue page; it leaves the Lounge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from pixelsmith.core.web.i18n import translate

pytestmark = pytest.mark.e2e

API = "/api/v1/diary"
PASSWORD = "a quiet harbour at dawn 7"
PHONE = {"width": 390, "height": 844}


def draw_photo(path: Path) -> Path:
    """A small colourful 'photo': sky, sea, a sun and a boat, so the toon has edges."""
    img = Image.new("RGB", (320, 240), (120, 180, 235))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 150, 320, 240), fill=(30, 90, 160))
    d.ellipse((230, 30, 290, 90), fill=(250, 210, 60))
    d.polygon([(90, 150), (170, 150), (150, 175), (110, 175)], fill=(160, 60, 40))
    d.line((130, 150, 130, 100), fill=(40, 30, 20), width=4)
    img.save(path)
    return path


@pytest.fixture(scope="module")
def diary_server(serve_app, tmp_path_factory):
    """A server of its own, so the admin can be made with the CLI on its data folder."""
    data = tmp_path_factory.mktemp("diary-e2e")
    with serve_app(data) as url:
        yield url, data


def make_admin(data: Path, username: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pixelsmith", "users", "create", username, "--admin"]
        + ["--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        env={**os.environ, "PIXELSMITH_DATA_DIR": str(data)},
        capture_output=True,
    )


def csrf_of(page) -> str:
    me = page.request.get("/api/v1/auth/me").json()
    assert me["authenticated"], me
    return me["csrf_token"]


def api_post(page, path: str, body: dict) -> dict:
    r = page.request.post(path, data=json.dumps(body), headers=_json_headers(page))
    assert r.ok, (r.status, r.text())
    return r.json()


def api_patch(page, path: str, body: dict) -> dict:
    r = page.request.patch(path, data=json.dumps(body), headers=_json_headers(page))
    assert r.ok, (r.status, r.text())
    return r.json()


def _json_headers(page) -> dict:
    return {"Content-Type": "application/json", "X-CSRF-Token": csrf_of(page)}


def lounge_ids(page) -> list[str]:
    return page.locator("#dy-lounge-list [data-post-id]").evaluate_all(
        "els => els.map(e => e.dataset.postId)"
    )


def test_diary_two_users_and_an_admin(open_page, diary_server, tmp_path):
    url, data = diary_server
    photo = draw_photo(tmp_path / "harbour.png")

    # ---- A: signs up on the page (Korean, phone), writes a Korean post ----------------------
    a = open_page("/account/signup", lang="ko", viewport=PHONE, server=url)
    # The picture model is missing on this server: the image POST answers 503 by design.
    a.allowed.append("HTTP 503: POST")
    a.allowed.append("Failed to load resource: the server responded with a status of 503")
    pa = a.page
    pa.on("dialog", lambda d: d.accept())
    pa.fill("#f-username", "haneul")
    pa.fill("#f-password", PASSWORD)
    pa.fill("#f-password_confirm", PASSWORD)
    pa.locator("#signup-form button[type=submit]").click()
    expect(pa).to_have_url(f"{url}/account?welcome=1")

    pa.goto("/diary")
    expect(pa.locator("#dy-write-link")).to_be_visible()
    a.screenshot("diary-ko-phone-empty")
    pa.click("#dy-write-link")
    expect(pa.locator("#dy-form")).to_be_visible()
    pa.fill("#dy-title", "바닷가의 오후")
    pa.fill("#dy-text", "오늘은 친구와 바닷가에 가서 노을을 봤다. 파도 소리가 좋았다.")
    pa.select_option("#dy-mood", "grateful")
    # The style follows the mood until the writer picks one.
    grateful_style = pa.locator("#dy-mood option[value=grateful]").get_attribute("data-style")
    expect(pa.locator("#dy-style")).to_have_value(grateful_style)
    pa.click("#dy-save")

    # No diffusion model: the engine's message with its install command, and toonify instead.
    no_model = pa.locator("#dy-no-model")
    expect(no_model).to_be_visible()
    expect(no_model).to_contain_text(translate("ko", "apps.diary.picture.no_model"))
    expect(pa.locator("#dy-install-command")).to_contain_text("pixelsmith models install")
    a.screenshot("diary-ko-phone-no-model")
    pa.set_input_files("#dy-toon-file", str(photo))
    expect(pa.locator('.dy-file-name[data-for="dy-toon-file"]')).to_have_text("harbour.png")
    pa.click("#dy-toon-go")
    image = pa.locator("#dy-figure img")
    expect(image).to_be_visible()
    expect(no_model).to_be_hidden()
    assert pa.evaluate("() => document.querySelector('#dy-image').naturalWidth") > 0
    post_id = pa.locator("#diary").get_attribute("data-post-id")
    assert post_id
    # Saved private: not in the Lounge until the explicit publish step.
    r = pa.request.get(f"{API}/lounge")
    assert post_id not in [p["id"] for p in r.json()["items"]]
    pa.click("#dy-publish")
    expect(pa.locator("#dy-published")).to_be_visible()
    a.screenshot("diary-ko-phone-published")

    # A second public post (newer, so first among equals in Hot Toons) and a private one with
    # a toonified picture, through the API.
    other = api_post(
        pa,
        f"{API}/posts",
        {
            "title": "Rainy bus ride",
            "text": "Tired, but the rain was calm.",
            "mood": "tired",
            "visibility": "public",
        },
    )
    secret = api_post(
        pa,
        f"{API}/posts",
        {"title": "비밀 일기", "text": "아무에게도 말하지 않은 바닷가 이야기.", "mood": "sad"},
    )
    assert secret["visibility"] == "private"
    with photo.open("rb") as fh:
        r = pa.request.post(
            f"{API}/posts/{secret['id']}/image",
            multipart={"photo": {"name": "p.png", "mimeType": "image/png", "buffer": fh.read()}},
            headers={"X-CSRF-Token": csrf_of(pa)},
        )
    assert r.status == 200, r.text()
    pa.goto("/diary/me")
    mine = pa.locator(f'#dy-my-posts [data-post-id="{secret["id"]}"]')
    expect(mine.locator(".dy-private")).to_be_visible()
    expect(pa.locator(f'#dy-my-posts [data-post-id="{post_id}"] .dy-private')).to_have_count(0)
    a.screenshot("diary-ko-phone-mine")

    # ---- B: signs up (API), reads the Lounge, sees Hot Toons, comments -----------------------
    b = open_page("", server=url)
    pb = b.page
    pb.on("dialog", lambda d: d.accept())
    r = pb.request.post(
        "/api/v1/auth/signup",
        data=json.dumps({"username": "bora", "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 201, r.text()
    pb.goto("/diary")
    expect(pb.locator(f'#dy-lounge-list [data-post-id="{post_id}"]')).to_be_visible()
    hot = pb.locator("#dy-hot-list [data-post-id]")
    expect(hot.first).to_have_attribute("data-post-id", other["id"])  # no comments: newest first
    assert secret["id"] not in lounge_ids(pb)

    pb.click(f'#dy-lounge-list [data-post-id="{post_id}"] a')
    expect(pb.locator("#dy-post-title")).to_have_text("바닷가의 오후")
    mod = pa.request.get(f"{API}/posts/{post_id}").json()["image"]["state"]
    if mod == "approved":  # others see the picture only once it passed the check or a review
        expect(pb.locator("#dy-image")).to_be_visible()
    else:
        expect(pb.locator("#dy-image")).to_have_count(0)
        expect(pb.locator("#dy-image-note")).to_be_visible()
    comment = "멋진 노을이네요! <b>not bold</b>"
    pb.fill("#dy-comment-text", comment)
    pb.click("#dy-comment-send")
    expect(pb.locator("#dy-comment-list .dy-comment").last).to_contain_text(comment)
    expect(pb.locator("#dy-comment-list b")).to_have_count(0)  # text, never markup
    expect(pb.locator("#dy-comment-count")).to_have_text("1")
    # A's private post is not in the recommendations under A's public one.
    rec_ids = pb.locator("#dy-rec-list [data-post-id]").evaluate_all(
        "els => els.map(e => e.dataset.postId)"
    )
    assert other["id"] in rec_ids and secret["id"] not in rec_ids
    r = pb.request.get(f"{API}/posts/{post_id}/recommended?k=20")
    assert secret["id"] not in [p["id"] for p in r.json()["items"]]
    b.screenshot("diary-en-post-commented")

    pb.goto("/diary")
    expect(hot.first).to_have_attribute("data-post-id", post_id)  # one comment: now on top
    expect(pb.locator(f'#dy-hot-list [data-post-id="{post_id}"] .dy-comments')).to_have_text(
        translate("en", "apps.diary.comments.count", n=1)
    )

    # ---- A's private post: invisible to B on every path ---------------------------------------
    for path in (
        f"{API}/posts/{secret['id']}",
        f"{API}/posts/{secret['id']}/image",
        f"{API}/posts/{secret['id']}/comments",
        f"{API}/posts/{secret['id']}/recommended",
    ):
        assert pb.request.get(path).status == 404, path
    page_404 = pb.goto(f"/diary/posts/{secret['id']}")
    assert page_404.status == 404
    expect(pb.locator("body")).not_to_contain_text("비밀 일기")
    b.allowed.append(f"HTTP 404: GET {url}/diary/posts/{secret['id']}")
    b.allowed.append("status of 404")
    # …while A still reads it and its picture.
    assert pa.request.get(f"{API}/posts/{secret['id']}/image").status == 200

    # ---- B reports A's post; the admin hides it; it leaves the Lounge --------------------------
    pb.goto(f"/diary/posts/{post_id}")
    pb.select_option("#dy-report-reason", "spam")
    pb.click("#dy-report")
    expect(pb.locator("#dy-reported")).to_be_visible()

    make_admin(data, "root")
    adm = open_page("", server=url)
    pm = adm.page
    r = pm.request.post(
        "/api/v1/auth/login",
        data=json.dumps({"username": "root", "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    assert r.ok, r.text()
    pm.goto("/diary/admin")
    row = pm.locator(f'#dy-admin-reported [data-post-id="{post_id}"]')
    expect(row).to_contain_text(translate("en", "apps.diary.report.reason.spam"))
    adm.screenshot("diary-en-admin-queue")
    row.locator("button[data-action=hide]").click()
    expect(row).to_have_attribute("data-done", "hide")

    pb.goto("/diary")
    expect(pb.locator(f'#dy-lounge-list [data-post-id="{other["id"]}"]')).to_be_visible()
    assert post_id not in lounge_ids(pb)
    expect(pb.locator(f'#dy-hot-list [data-post-id="{post_id}"]')).to_have_count(0)
    assert pb.request.get(f"{API}/posts/{post_id}").status == 404
    b.allowed.append(f"HTTP 404: GET {url}{API}/posts/")

    # The admin restores it: back in the Lounge.
    pm.goto("/diary/admin")
    hidden_row = pm.locator(f'#dy-admin-hidden [data-post-id="{post_id}"]')
    hidden_row.locator("button[data-action=restore]").click()
    expect(hidden_row).to_have_attribute("data-done", "restore")
    pb.goto("/diary")
    expect(pb.locator(f'#dy-lounge-list [data-post-id="{post_id}"]')).to_be_visible()

    # A, in Korean at phone size, on the Lounge and the post.
    pa.goto("/diary")
    expect(pa.locator("#dy-hot-title")).to_have_text(translate("ko", "apps.diary.hot.title"))
    a.screenshot("diary-ko-phone-lounge")
    pa.goto(f"/diary/posts/{post_id}")
    expect(pa.locator("#dy-comment-list .dy-comment")).to_have_count(1)
    a.screenshot("diary-ko-phone-post")
    no_overflow = pa.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_overflow, "the post page scrolls sideways at phone size"

    for w in (a, b, adm):
        w.assert_clean()
