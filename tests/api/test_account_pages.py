"""The account pages: forms that post with CSRF, errors in the page's language, the header."""

from __future__ import annotations

import re

from pixelsmith.core.web.identity import SESSION_COOKIE

PASSWORD = "a long enough passphrase"


def csrf_of(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_signup_login_password_and_delete_through_the_forms(client):
    page = client.get("/account/signup")
    assert page.status_code == 200 and 'name="csrf_token"' not in page.text  # a guest: none
    assert "Log in" in page.text and 'href="/account/login"' in page.text  # the header link
    assert "15 or more recommended" in page.text

    r = client.post(
        "/account/signup",
        data={"username": "dana", "password": PASSWORD, "password_confirm": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/account")
    page = client.get("/account")
    assert page.status_code == 200 and "Logged in as dana" in page.text
    token = csrf_of(page.text)
    assert f'name="csrf_token" value="{token}"' in page.text  # every form carries it
    assert 'data-account="dana"' in page.text  # the header shows the username

    # A form post without the token is refused; with it, the password changes.
    form = {"current_password": PASSWORD, "new_password": "brand new passphrase"}
    form["new_password_confirm"] = form["new_password"]
    r = client.post("/account/password", data=form, follow_redirects=False)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.post("/account/password", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, re.findall(r'role="alert"[^>]*>([^<]*)', r.text)
    page = client.get(r.headers["location"])
    assert "Password changed" in page.text
    token = csrf_of(page.text)

    r = client.post("/account/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and SESSION_COOKIE not in client.cookies
    assert client.get("/account", follow_redirects=False).headers["location"] == "/account/login"

    r = client.post("/account/login", data={"username": "DANA", "password": PASSWORD})
    assert r.status_code == 401 and "The username or password is wrong" in r.text
    r = client.post(
        "/account/login",
        data={"username": "dana", "password": "brand new passphrase"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    token = csrf_of(client.get("/account").text)

    r = client.post(
        "/account/delete", data={"password": "brand new passphrase", "csrf_token": token}
    )
    assert r.status_code == 400 and "Tick the box" in r.text  # the confirmation
    r = client.post(
        "/account/delete",
        data={"password": "brand new passphrase", "confirm": "yes", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "deleted" in client.get(r.headers["location"]).text
    r = client.post("/account/login", data={"username": "dana", "password": "brand new passphrase"})
    assert r.status_code == 401


def test_form_errors_are_in_korean_and_say_what_to_do(client):
    r = client.post(
        "/account/signup?lang=ko",
        data={"username": "minji", "password": "password1", "password_confirm": "password1"},
    )
    assert r.status_code == 422 and "가장 흔한 비밀번호" in r.text
    r = client.post(
        "/account/signup?lang=ko",
        data={"username": "minji", "password": PASSWORD, "password_confirm": PASSWORD + "x"},
    )
    assert "두 비밀번호가 다릅니다" in r.text
    r = client.get("/account/login?lang=ko")
    assert "로그인" in r.text and "로그인" in r.text.split("<main")[0]  # the header link too


def test_an_app_page_shows_the_token_for_its_scripts(client):
    client.post("/api/v1/auth/signup", json={"username": "erin", "password": PASSWORD})
    page = client.get("/posture")
    assert page.status_code == 200
    assert csrf_of(page.text) == client.get("/api/v1/auth/me").json()["csrf_token"]
    assert "/static/js/csrf.js" in page.text
