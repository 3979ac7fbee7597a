"""Toon Diary over HTTP with two users and an admin (real accounts, sessions and CSRF): every
path a private post could leak through, owner-only edits, reports and the admin queue,
picture states, rate limits (429 + Retry-After), bad input, the job's live status through
the jobs API, and account deletion (docs/api.md, "Toon Diary")."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from diary_accounts import PASSWORD, signup
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from pixelsmith.core.accounts.service import AccountService
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

API = "/api/v1/diary"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("diary-api"),
        workers=1,
        diary_comments_per_hour=5,
        diary_posts_per_hour=40,
    )
    application = create_app(settings, configure_logs=False)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def alice(app):
    return signup(TestClient(app), "alice")


@pytest.fixture(scope="module")
def bob(app):
    return signup(TestClient(app), "bob")


@pytest.fixture(scope="module")
def admin(app):
    c = signup(TestClient(app), "root")
    AccountService(app.state.services.db).set_role("root", "admin")
    return c


@pytest.fixture
def guest(app):
    return TestClient(app)


def write(client, **kw) -> dict:
    body = {"title": "A day", "text": "I walked my dog in the park.", "mood": "happy", **kw}
    r = client.post(f"{API}/posts", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    return err


def scene_png(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (480, 360), (140, 190, 235))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 250, 480, 360), fill=(90, 150, 70))
    for i in range(3):
        x = 30 + i * 150
        d.rectangle((x, 150, x + 110, 250), fill=tuple(int(c) for c in rng.integers(80, 220, 3)))
        d.polygon([(x - 10, 150), (x + 55, 100), (x + 120, 150)], fill=(150, 60, 50))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def toonify(client, post_id: str, seed: int = 0):
    return client.post(
        f"{API}/posts/{post_id}/image",
        files={"photo": ("me.png", scene_png(seed), "image/png")},
    )


def blob_key(app, post_id: str) -> str:
    from pixelsmith.apps.diary.models import DiaryPost

    with app.state.services.db.session() as s:
        return s.get(DiaryPost, post_id).image_key


# ---- guests and accounts -----------------------------------------------------------------------


def test_guests_read_the_lounge_but_writing_needs_an_account(guest, alice):
    assert guest.get(f"{API}/lounge").status_code == 200
    assert guest.get(f"{API}/hot").status_code == 200
    assert [m["name"] for m in guest.get(f"{API}/moods").json()][:2] == ["happy", "calm"]
    assert "watercolor" in [s["name"] for s in guest.get(f"{API}/styles").json()]
    body = {"title": "t", "text": "x", "mood": "happy"}
    error(guest.post(f"{API}/posts", json=body), 401, "login_required")
    p = write(alice, visibility="public")
    error(guest.post(f"{API}/posts/{p['id']}/comments", json={"text": "hi"}), 401, "login_required")
    error(
        guest.post(f"{API}/posts/{p['id']}/report", json={"reason": "spam"}), 401, "login_required"
    )
    assert guest.get(f"{API}/posts/{p['id']}").json()["author"] == "alice"


def test_a_write_without_the_csrf_token_is_refused(app, alice):
    c = TestClient(app, cookies=alice.cookies)  # the session cookie, not the header
    r = c.post(f"{API}/posts", json={"title": "t", "text": "x", "mood": "happy"})
    error(r, 403, "csrf_failed")


# ---- privacy: every path, two users ------------------------------------------------------------


def test_a_private_post_and_everything_of_it_stays_with_its_owner(app, alice, bob, admin, guest):
    p = write(alice, title="secret", text="My cat sleeps by the window; nobody may read this")
    pid = p["id"]
    assert toonify(alice, pid).status_code == 200
    key = blob_key(app, pid)
    public = write(alice, title="cat", text="My cat sleeps by the window", visibility="public")
    mine = alice.get(f"{API}/posts/{pid}").json()
    assert mine["text"].startswith("My cat") and mine["image"]["url"]
    assert alice.get(f"{API}/posts/{pid}/image").status_code == 200
    assert alice.get(f"/api/v1/blobs/{key}").status_code == 200
    for other in (bob, admin, guest):
        error(other.get(f"{API}/posts/{pid}"), 404, "not_found")
        error(other.get(f"{API}/posts/{pid}/comments"), 404, "not_found")
        error(other.get(f"{API}/posts/{pid}/recommended"), 404, "not_found")
        assert other.get(f"{API}/posts/{pid}/image").status_code == 404
        if other is not admin:  # core.blob_access lets admins read any blob whose key they know
            assert other.get(f"/api/v1/blobs/{key}").status_code == 404
        for path in ("/lounge", "/hot"):  # …and the Diary never tells them
            assert key not in other.get(f"{API}{path}").text
        for path in ("/lounge", "/lounge?sort=hot", "/hot", "/posts"):
            assert pid not in other.get(f"{API}{path}").text, path
        rec = other.get(f"{API}/posts/{public['id']}/recommended?k=20").json()
        assert pid not in [x["id"] for x in rec["items"]]
    for other in (bob, admin):
        error(other.patch(f"{API}/posts/{pid}", json={"title": "x"}), 404, "not_found")
        error(other.delete(f"{API}/posts/{pid}"), 404, "not_found")
        error(other.post(f"{API}/posts/{pid}/comments", json={"text": "hi"}), 404, "not_found")
        error(other.post(f"{API}/posts/{pid}/report", json={"reason": "spam"}), 404, "not_found")
    queue = admin.get(f"{API}/admin/queue").text
    assert pid not in queue
    error(admin.post(f"{API}/admin/posts/{pid}/hide"), 404, "not_found")
    error(admin.post(f"{API}/admin/images/{pid}/approve"), 404, "not_found")
    # Its owner sees it recommended to herself, under her own public post.
    rec = alice.get(f"{API}/posts/{public['id']}/recommended?k=20").json()
    assert pid in [x["id"] for x in rec["items"]]


def test_going_public_releases_the_picture_and_going_private_takes_it_back(app, alice, bob):
    p = write(alice, title="toon", visibility="public")
    r = toonify(alice, p["id"], seed=1)
    assert r.status_code == 200, r.text
    img = r.json()["image"]
    assert img["source"] == "toonified" and img["state"] == "approved", img
    assert img["nsfw"]["checker"] == "open-nsfw"
    key = blob_key(app, p["id"])
    got = bob.get(f"{API}/posts/{p['id']}/image")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert bob.get(f"/api/v1/blobs/{key}").status_code == 200
    assert alice.patch(f"{API}/posts/{p['id']}", json={"visibility": "private"}).status_code == 200
    assert bob.get(f"{API}/posts/{p['id']}/image").status_code == 404
    assert bob.get(f"/api/v1/blobs/{key}").status_code == 404
    r = alice.get(f"{API}/posts/{p['id']}/image")
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"


# ---- owner-only, reports, the admin queue ------------------------------------------------------


def test_only_the_writer_edits_or_deletes(alice, bob):
    p = write(alice, visibility="public")
    error(bob.patch(f"{API}/posts/{p['id']}", json={"title": "mine"}), 403, "not_owner")
    error(bob.delete(f"{API}/posts/{p['id']}"), 403, "not_owner")
    error(bob.post(f"{API}/posts/{p['id']}/image", json={}), 403, "not_owner")
    error(toonify(bob, p["id"]), 403, "not_owner")
    r = alice.patch(f"{API}/posts/{p['id']}", json={"title": "Better title", "mood": "calm"})
    assert r.status_code == 200 and r.json()["title"] == "Better title"
    assert bob.get(f"{API}/posts/{p['id']}").json()["title"] == "Better title"
    assert alice.delete(f"{API}/posts/{p['id']}").status_code == 204
    error(bob.get(f"{API}/posts/{p['id']}"), 404, "not_found")
    error(alice.get(f"{API}/posts/{p['id']}"), 404, "not_found")


def test_reports_and_the_admin_queue(alice, bob, admin):
    p = write(alice, title="spammy", visibility="public")
    r = bob.post(f"{API}/posts/{p['id']}/report", json={"reason": "spam", "note": "ads"})
    assert r.status_code == 201
    error(
        bob.post(f"{API}/posts/{p['id']}/report", json={"reason": "abuse"}), 409, "already_reported"
    )
    error(alice.post(f"{API}/posts/{p['id']}/report", json={"reason": "spam"}), 409, "own_post")
    assert bob.post(f"{API}/posts/{p['id']}/report", json={"reason": "x"}).status_code == 422
    error(bob.get(f"{API}/admin/queue"), 403, "admin_required")
    error(bob.post(f"{API}/admin/posts/{p['id']}/hide"), 403, "admin_required")
    queue = admin.get(f"{API}/admin/queue").json()
    item = next(x for x in queue["reported"] if x["id"] == p["id"])
    assert item["reports"][0]["reason"] == "spam" and item["report_count"] == 1
    assert admin.post(f"{API}/admin/posts/{p['id']}/hide").json()["hidden_by_admin"] is True
    error(bob.get(f"{API}/posts/{p['id']}"), 404, "not_found")
    assert p["id"] not in bob.get(f"{API}/lounge?limit=100").text
    assert alice.get(f"{API}/posts/{p['id']}").json()["hidden_by_admin"] is True
    error(alice.post(f"{API}/posts/{p['id']}/comments", json={"text": "?"}), 409, "post_hidden")
    assert p["id"] in [x["id"] for x in admin.get(f"{API}/admin/queue").json()["hidden"]]
    assert admin.post(f"{API}/admin/posts/{p['id']}/restore").status_code == 200
    assert bob.get(f"{API}/posts/{p['id']}").status_code == 200
    assert admin.post(f"{API}/admin/posts/{p['id']}/delete").status_code == 204
    error(alice.get(f"{API}/posts/{p['id']}"), 404, "not_found")


def test_with_no_nsfw_checker_a_picture_waits_for_an_admin(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", workers=1, diary_nsfw_checker="none")
    application = create_app(settings, configure_logs=False)
    with TestClient(application):
        writer, reader = (
            signup(TestClient(application), "writer"),
            signup(TestClient(application), "reader"),
        )
        boss = signup(TestClient(application), "boss")
        AccountService(application.state.services.db).set_role("boss", "admin")
        p = write(writer, visibility="public")
        img = toonify(writer, p["id"]).json()["image"]
        assert img["state"] == "pending" and img["nsfw"]["checker"] is None
        seen = reader.get(f"{API}/posts/{p['id']}").json()
        assert seen["text"] and seen["image"] == {
            "state": "awaiting_review",
            "source": "toonified",
            "url": None,
        }
        key = blob_key(application, p["id"])
        assert reader.get(f"{API}/posts/{p['id']}/image").status_code == 404
        assert reader.get(f"/api/v1/blobs/{key}").status_code == 404
        assert writer.get(f"{API}/posts/{p['id']}/image").status_code == 200
        queue = boss.get(f"{API}/admin/queue").json()["images"]
        assert [x["id"] for x in queue] == [p["id"]] and queue[0]["image"]["url"]
        assert boss.get(f"{API}/posts/{p['id']}/image").status_code == 200  # to review it
        approved = boss.post(f"{API}/admin/images/{p['id']}/approve").json()
        assert approved["image"]["state"] == "approved"
        assert reader.get(f"{API}/posts/{p['id']}/image").status_code == 200
        assert reader.get(f"/api/v1/blobs/{key}").status_code == 200
        assert boss.get(f"{API}/admin/queue").json()["images"] == []
        boss.post(f"{API}/admin/images/{p['id']}/reject")
        assert reader.get(f"{API}/posts/{p['id']}/image").status_code == 404
        assert reader.get(f"{API}/posts/{p['id']}").json()["image"]["state"] == "none"


# ---- rate limits and bad input -----------------------------------------------------------------


def test_commenting_past_the_hourly_limit_is_429_with_retry_after(app, alice, bob):
    p = write(alice, visibility="public")
    for i in range(5):  # diary_comments_per_hour=5 in this app
        assert (
            bob.post(f"{API}/posts/{p['id']}/comments", json={"text": f"c{i}"}).status_code == 201
        )
    r = bob.post(f"{API}/posts/{p['id']}/comments", json={"text": "one too many"})
    err = error(r, 429, "rate_limited")
    assert 1 <= int(r.headers["Retry-After"]) <= 3600
    assert err["details"]["retry_after_s"] == int(r.headers["Retry-After"])
    assert alice.post(f"{API}/posts/{p['id']}/comments", json={"text": "mine"}).status_code == 201
    assert alice.get(f"{API}/posts/{p['id']}").json()["comment_count"] == 6


def test_posting_and_pictures_past_their_limits_are_429(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", workers=1, diary_posts_per_hour=2, diary_images_per_hour=1
    )
    application = create_app(settings, configure_logs=False)
    with TestClient(application):
        c = signup(TestClient(application), "writer")
        write(c)
        write(c)
        r = c.post(f"{API}/posts", json={"title": "t", "text": "x", "mood": "happy"})
        error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1
        assert len(c.get(f"{API}/posts").json()["items"]) == 2
        first = c.get(f"{API}/posts").json()["items"][0]["id"]
        # No diffusion model here: "install a model" (503) spends none of the hourly quota.
        for _ in range(2):
            error(c.post(f"{API}/posts/{first}/image", json={}), 503, "model_unavailable")
        assert toonify(c, first).status_code == 200
        r = toonify(c, first, seed=1)
        error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1


def test_bad_input_is_a_clear_4xx_and_nothing_is_stored(alice):
    before = alice.get(f"{API}/posts?limit=100").json()["items"]
    cases = [
        ({"title": "t", "text": "", "mood": "happy"}, "empty_field"),
        ({"title": "t", "text": "x" * 10_001, "mood": "happy"}, "too_long"),
        ({"title": "t" * 201, "text": "x", "mood": "happy"}, "too_long"),
        ({"title": "t", "text": "x", "mood": "grumpy"}, "unknown_mood"),
        ({"title": "t", "text": "x", "mood": "happy", "style": "oil"}, "unknown_style"),
        ({"title": "t", "text": "x", "mood": "happy", "visibility": "all"}, "invalid_visibility"),
        ({"title": 5, "text": "x", "mood": "happy"}, "invalid_request"),
        ({"title": "t", "text": "x", "mood": "happy", "user_id": "x"}, "invalid_request"),
        ({"title": "t", "mood": "happy"}, "invalid_request"),
    ]
    for body, code in cases:
        r = alice.post(f"{API}/posts", json=body)
        err = error(r, 422, code)
        if code == "unknown_mood":
            assert "happy" in err["message"] and err["details"]["allowed"][0] == "happy"
    r = alice.post(
        f"{API}/posts",
        content=b'{"title": "t", "text": "a\\ud800", "mood": "happy"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert alice.get(f"{API}/posts?limit=100").json()["items"] == before
    error(alice.get(f"{API}/lounge?cursor=garbage"), 422, "invalid_cursor")
    assert alice.get(f"{API}/lounge?limit=0").status_code == 422
    error(alice.get(f"{API}/posts/{'x' * 300}"), 404, "not_found")


def test_script_in_any_field_is_stored_as_text_and_sent_back_as_json(alice, bob):
    evil = '<script>alert("x")</script>'
    p = write(alice, title=evil, text=f"<img src=x onerror=alert(1)> {evil}", visibility="public")
    r = bob.get(f"{API}/posts/{p['id']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["title"] == evil and r.json()["text"].endswith(evil)
    c = bob.post(f"{API}/posts/{p['id']}/comments", json={"text": evil}).json()
    assert c["text"] == evil
    assert bob.get(f"{API}/posts/{p['id']}/comments").json()["items"][0]["text"] == evil


def test_comments_on_private_or_deleted_posts_are_refused(alice, bob):
    private = write(alice)
    error(bob.post(f"{API}/posts/{private['id']}/comments", json={"text": "hi"}), 404, "not_found")
    error(
        alice.post(f"{API}/posts/{private['id']}/comments", json={"text": "hi"}),
        409,
        "post_not_public",
    )
    gone = write(alice, visibility="public")
    alice.delete(f"{API}/posts/{gone['id']}")
    error(bob.post(f"{API}/posts/{gone['id']}/comments", json={"text": "hi"}), 404, "not_found")
    error(bob.post(f"{API}/posts/{gone['id']}/comments", json={"text": ""}), 422, "empty_field")


def test_a_bad_photo_is_a_clear_422(alice):
    p = write(alice)
    r = alice.post(
        f"{API}/posts/{p['id']}/image", files={"photo": ("x.png", b"not an image", "image/png")}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_type", r.text
    r = alice.post(f"{API}/posts/{p['id']}/image", data={"photo": "hello"})
    err = error(r, 422, "invalid_request")
    assert "'photo' must be a file upload" in err["message"]
    r = alice.post(
        f"{API}/posts/{p['id']}/image",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    error(r, 422, "invalid_json")
    error(alice.post(f"{API}/posts/{p['id']}/image", json={"steps": 0}), 422, "invalid_request")
    assert alice.get(f"{API}/posts/{p['id']}").json()["image"]["state"] == "none"


# ---- pictures drawn by the engine --------------------------------------------------------------


def test_without_a_diffusion_model_illustrate_is_503_and_the_post_says_how_to_install(alice):
    p = write(alice)
    gen = alice.get(f"{API}/posts/{p['id']}").json()["generator"]
    assert gen["available"] is False and gen["install_command"].startswith(
        "pixelsmith models install"
    )
    err = error(alice.post(f"{API}/posts/{p['id']}/image", json={}), 503, "model_unavailable")
    assert err["details"]["install_command"] == gen["install_command"]
    assert alice.get(f"{API}/posts/{p['id']}").json()["image"]["state"] == "none"


def test_the_picture_job_shows_live_status_through_the_jobs_api(tmp_path):
    import pathlib
    import sys

    from pixelsmith.core.generation import store

    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "generation"))
    import tiny_models

    settings = Settings(
        data_dir=tmp_path / "data",
        models_dir=tmp_path / "models",
        device="cpu",
        gen_txt2img_model="sd-turbo",
        workers=1,
    )
    store.install_from_dir(settings, "sd-turbo", tiny_models.build_sd(tmp_path / "sd"))
    application = create_app(settings, configure_logs=False)
    with TestClient(application):
        writer, reader = (
            signup(TestClient(application), "writer"),
            signup(TestClient(application), "reader"),
        )
        p = write(writer, title="바다", text="친구와 커피를 마셨다", visibility="public")
        r = writer.post(
            f"{API}/posts/{p['id']}/image", json={"steps": 2, "width": 64, "height": 64}
        )
        assert r.status_code == 202, r.text
        job = r.json()["job"]
        assert r.json()["post"]["image"] == {
            **r.json()["post"]["image"],
            "state": "generating",
            "job_id": job["id"],
        }
        assert reader.get(f"/api/v1/jobs/{job['id']}").status_code == 404
        deadline = time.monotonic() + 120
        seen = set()
        while True:
            j = writer.get(f"/api/v1/jobs/{job['id']}").json()
            seen.add(j["status"])
            if j["status"] in ("succeeded", "failed", "canceled"):
                break
            assert time.monotonic() < deadline, j
            time.sleep(0.05)
        assert j["status"] == "succeeded", j
        assert j["progress"]["total"] == 2 and j["result"]["nsfw"]["checker"] == "open-nsfw"
        post = writer.get(f"{API}/posts/{p['id']}").json()
        assert post["image"]["source"] == "generated" and post["image"]["state"] in (
            "approved",
            "pending",
            "rejected",
        )
        assert writer.get(f"{API}/posts/{p['id']}/image").status_code == 200
        shown = post["image"]["state"] == "approved"
        assert (reader.get(f"{API}/posts/{p['id']}/image").status_code == 200) is shown


# ---- accounts ----------------------------------------------------------------------------------


def test_deleting_the_account_deletes_its_diary(app, bob):
    leaving = signup(TestClient(app), "leaving")
    p = write(leaving, visibility="public")
    toonify(leaving, p["id"], seed=7)
    key = blob_key(app, p["id"])
    theirs = write(bob, visibility="public")
    leaving.post(f"{API}/posts/{theirs['id']}/comments", json={"text": "bye"})
    assert bob.get(f"{API}/posts/{theirs['id']}").json()["comment_count"] == 1
    r = leaving.request("DELETE", "/api/v1/auth/account", json={"password": PASSWORD})
    assert r.status_code in (200, 204), r.text
    error(bob.get(f"{API}/posts/{p['id']}"), 404, "not_found")
    assert bob.get(f"{API}/posts/{theirs['id']}").json()["comment_count"] == 0
    assert bob.get(f"{API}/posts/{theirs['id']}/comments").json()["items"] == []
    assert not app.state.services.storage.exists(key)
