"""The /diary pages over HTTP with two users and an admin: users' text is escaped on every
page, a private post reaches no page of another user (Lounge, post page, recommendations,
edit), guests get the sign-up prompt, the admin queue is for admins only, en + ko."""

from __future__ import annotations

import pytest
from diary_accounts import signup
from fastapi.testclient import TestClient

from pixelsmith.core.accounts.service import AccountService
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.i18n import translate

API = "/api/v1/diary"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("diary-pages"), workers=1)
    application = create_app(settings, configure_logs=False)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def users(app):
    alice = signup(TestClient(app), "alice")
    bob = signup(TestClient(app), "bob")
    root = signup(TestClient(app), "root")
    AccountService(app.state.services.db).set_role("root", "admin")
    return alice, bob, root


@pytest.fixture(scope="module")
def posts(users):
    alice, _, _ = users

    def write(**kw) -> dict:
        body = {"text": "오늘은 친구와 바닷가에 갔다.", "mood": "happy", **kw}
        r = alice.post(f"{API}/posts", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    public = write(title=f"바다 {XSS}", visibility="public")
    secret = write(title="SECRET-DIARY-비밀", text="아무도 모르는 바닷가 이야기.")
    return public, secret


def test_users_text_is_escaped_on_every_page(users, posts):
    alice, bob, _ = users
    public, _ = posts
    r = bob.post(f"{API}/posts/{public['id']}/comments", json={"text": f"좋아요 {XSS}"})
    assert r.status_code == 201, r.text
    for client, path in (
        (bob, "/diary"),
        (bob, f"/diary/posts/{public['id']}"),
        (alice, "/diary/me"),
        (alice, f"/diary/posts/{public['id']}/edit"),
    ):
        page = client.get(path).text
        assert "&lt;script&gt;alert(" in page, path
        assert '<script>alert("x")' not in page and "<img src=x" not in page, path


def test_a_private_post_reaches_no_page_of_another_user(app, users, posts):
    alice, bob, _ = users
    public, secret = posts
    assert "SECRET-DIARY" in alice.get("/diary/me").text
    assert "SECRET-DIARY" in alice.get(f"/diary/posts/{secret['id']}").text
    guest = TestClient(app)
    for client in (bob, guest):
        assert "SECRET-DIARY" not in client.get("/diary").text
        assert "SECRET-DIARY" not in client.get(f"/diary/posts/{public['id']}").text  # recs
        assert "SECRET-DIARY" not in client.get("/diary/me").text
        for path in (f"/diary/posts/{secret['id']}", f"/diary/posts/{secret['id']}/edit"):
            r = client.get(path, headers={"accept": "text/html"})
            assert r.status_code == 404 and "SECRET-DIARY" not in r.text, path
    # Another user's public post: readable, but no edit page for them.
    assert bob.get(f"/diary/posts/{public['id']}/edit").status_code == 404


def test_guests_get_the_sign_up_prompt_and_accounts_the_write_button(app, users):
    alice, _, _ = users
    guest = TestClient(app).get("/diary").text
    assert 'id="dy-guest"' in guest and 'href="/account/signup"' in guest
    assert 'id="dy-write-link"' not in guest
    mine = alice.get("/diary").text
    assert 'id="dy-write-link"' in mine and 'id="dy-guest"' not in mine


def test_the_admin_queue_page_is_for_admins(users, posts):
    alice, bob, root = users
    public, _ = posts
    r = bob.post(f"{API}/posts/{public['id']}/report", json={"reason": "spam"})
    assert r.status_code == 201, r.text
    for client in (alice, bob):
        r = client.get("/diary/admin")
        assert r.status_code == 403 and "dy-admin-reported" not in r.text
    r = root.get("/diary/admin")
    assert r.status_code == 200
    assert f'data-post-id="{public["id"]}"' in r.text
    assert 'data-action="hide"' in r.text


def test_pages_speak_korean(users, posts):
    alice, _, _ = users
    public, _ = posts
    page = alice.get("/diary?lang=ko").text
    assert translate("ko", "apps.diary.hot.title") in page
    assert translate("ko", "apps.diary.lounge.title") in page
    write = alice.get("/diary/write?lang=ko").text
    assert translate("ko", "apps.diary.mood.grateful") in write
    assert translate("ko", "apps.diary.form.private_hint") in write
