"""The accounts API: sign-up, login, logout, me, sessions and their cookies, CSRF, login
throttling, password rules, password change, deletion, roles and the users CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pixelsmith.core.accounts import passwords as pw_module
from pixelsmith.core.accounts import service as service_module
from pixelsmith.core.accounts.models import AuthSession, LoginThrottle, User
from pixelsmith.core.accounts.service import token_hash
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.identity import COOKIE_NAME, SESSION_COOKIE

PASSWORD = "a long enough passphrase"
SIGNUP, LOGIN = "/api/v1/auth/signup", "/api/v1/auth/login"
LOGOUT, ME = "/api/v1/auth/logout", "/api/v1/auth/me"


def signup(client: TestClient, username: str = "alice", password: str = PASSWORD) -> dict:
    r = client.post(SIGNUP, json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return r.json()


def login(client: TestClient, username: str = "alice", password: str = PASSWORD):
    return client.post(LOGIN, json={"username": username, "password": password})


def set_cookies(response) -> dict[str, str]:
    """name → the whole Set-Cookie header, for the flags."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def db(client: TestClient):
    return client.app.state.services.db


# ---- sign-up, login, logout, me --------------------------------------------------------------


def test_signup_login_logout_and_me(client):
    assert client.get(ME).json() == {
        "authenticated": False,
        "role": "guest",
        "user": None,
        "csrf_token": None,
    }
    made = signup(client)
    assert made["user"]["username"] == "alice" and made["user"]["role"] == "user"
    assert len(made["user"]["id"]) == 32 and len(made["csrf_token"]) >= 32
    me = client.get(ME).json()
    assert me["authenticated"] is True and me["user"] == made["user"]
    assert me["csrf_token"] == made["csrf_token"]

    r = client.post(LOGOUT, headers={"X-CSRF-Token": made["csrf_token"]})
    assert r.status_code == 200
    assert client.get(ME).json()["authenticated"] is False

    r = login(client, "ALICE")  # usernames are case-insensitive
    assert r.status_code == 200 and r.json()["user"]["id"] == made["user"]["id"]
    assert client.get(ME).json()["authenticated"] is True


def test_session_id_rotates_at_login_and_the_old_one_is_dead(client):
    signup(client)
    before = client.cookies[SESSION_COOKIE]
    token = client.get(ME).json()["csrf_token"]
    r = client.post(
        LOGIN, json={"username": "alice", "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200
    after = client.cookies[SESSION_COOKIE]
    assert after != before
    with db(client).session() as s:  # only hashes are stored
        assert s.get(AuthSession, token_hash(after)) is not None
        assert s.get(AuthSession, token_hash(before)) is None
        assert s.query(AuthSession).filter(AuthSession.token_hash == after).count() == 0
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, before)
    assert client.get(ME).json()["authenticated"] is False


def test_logout_invalidates_the_session_server_side(client):
    made = signup(client)
    cookie = client.cookies[SESSION_COOKIE]
    client.post(LOGOUT, headers={"X-CSRF-Token": made["csrf_token"]})
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)  # a copy kept by an attacker
    assert client.get(ME).json()["authenticated"] is False


def test_session_cookie_flags(client, settings):
    r = client.post(SIGNUP, json={"username": "alice", "password": PASSWORD})
    cookie = set_cookies(r)[SESSION_COOKIE]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back

    with TestClient(create_app(settings, configure_logs=False), base_url="https://testserver") as c:
        r = c.post(SIGNUP, json={"username": "bob", "password": PASSWORD})
        cookie = set_cookies(r)[SESSION_COOKIE]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_idle_and_expired_sessions_end(client):
    signup(client)
    with db(client).session() as s:
        row = s.query(AuthSession).one()
        row.last_seen_at -= timedelta(days=15)
    assert client.get(ME).json()["authenticated"] is False
    with db(client).session() as s:
        assert s.query(AuthSession).count() == 0


# ---- CSRF --------------------------------------------------------------------------------------


def test_csrf_token_missing_or_wrong_is_refused(client):
    made = signup(client)
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}):
        r = client.post(LOGOUT, headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert client.get(ME).json()["authenticated"] is True  # nothing happened
    # An app's unsafe route too, e.g. deleting a posture baseline.
    r = client.delete("/api/v1/posture/baseline")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.delete("/api/v1/posture/baseline", headers={"X-CSRF-Token": made["csrf_token"]})
    assert r.status_code != 403
    # A form post carries it as a field.
    r = client.post(LOGOUT, data={"csrf_token": made["csrf_token"]})
    assert r.status_code == 200 and client.get(ME).json()["authenticated"] is False


def test_a_stale_session_cookie_is_a_guest_not_a_csrf_failure(client):
    client.cookies.set(SESSION_COOKIE, "no-such-session")
    r = client.delete("/api/v1/posture/baseline")
    assert r.status_code != 403


def test_guests_unsafe_requests_from_another_site_are_refused(client):
    r = client.post(
        SIGNUP,
        json={"username": "alice", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin"
    r = client.post(
        LOGIN,
        json={"username": "alice", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    r = client.post(
        SIGNUP,
        json={"username": "alice", "password": PASSWORD},
        headers={"Origin": "http://testserver"},  # the server's own pages
    )
    assert r.status_code == 201


# ---- login throttling --------------------------------------------------------------------------


def test_five_failures_lock_the_account_with_retry_after(client):
    signup(client)
    client.cookies.clear()
    for _ in range(5):
        r = login(client, password="wrong password!")
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
    r = login(client)  # the right password, but locked
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= 30 and r.json()["error"]["details"]["retry_after_s"] == retry


def test_lockout_backs_off_exponentially(client):
    signup(client)
    client.cookies.clear()
    for _ in range(5):
        login(client, password="wrong password!")

    def expire_lock() -> None:
        with db(client).session() as s:
            row = s.get(LoginThrottle, "user:alice")
            row.locked_until -= timedelta(hours=2)

    waits = []
    for _ in range(3):
        expire_lock()
        assert login(client, password="wrong password!").status_code == 401
        waits.append(int(login(client).headers["Retry-After"]))
    assert waits[0] > 30 and waits[1] > waits[0] * 1.8 and waits[2] > waits[1] * 1.8
    expire_lock()
    assert login(client).status_code == 200  # the right password after the lock
    with db(client).session() as s:
        assert s.get(LoginThrottle, "user:alice") is None  # a success clears the count


def test_one_address_trying_many_accounts_is_locked(client):
    for i in range(service_module.IP_FAILURES):
        assert login(client, f"nobody{i}", "wrong password!").status_code == 401
    r = login(client, "somebody-else", "wrong password!")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_login_failure_is_generic_and_checks_a_hash_for_unknown_users(client, monkeypatch):
    signup(client)
    client.cookies.clear()
    seen = []

    class Spy(PasswordHasher):
        def verify(self, hash_, password):  # noqa: ANN001, ANN201
            seen.append(hash_)
            return super().verify(hash_, password)

    monkeypatch.setattr(pw_module, "_hasher", Spy())
    wrong = login(client, "alice", "wrong password!")
    unknown = login(client, "nobody", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert len(seen) == 2 and seen[1] == pw_module._DUMMY_HASH  # same argon2 work


# ---- password and username rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too_short"),
        ("1234567", "too_short"),
        ("password1", "common"),
        ("PASSWORD1", "common"),
        ("iloveyou", "common"),
        ("alice-the-user", "same_as_username"),
        ("x" * 129, "too_long"),
    ],
)
def test_password_rules(client, password, reason):
    r = client.post(SIGNUP, json={"username": "alice-the-user", "password": password})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "weak_password" and error["details"]["reason"] == reason
    if reason == "too_short":
        assert "15 or more" in error["message"]  # the recommendation is stated


def test_long_unicode_passwords_with_spaces_are_accepted(client):
    password = "고양이는 창가에서 햇볕을 쬔다 🐈 " * 4  # 84 characters
    assert 64 <= len(password) <= 128
    signup(client, "hana", password)
    client.cookies.clear()
    assert login(client, "hana", password[:-2]).status_code == 401
    assert login(client, "hana", password).status_code == 200


def test_usernames_are_nfkc_normalised_and_case_insensitive(client):
    signup(client, "Alice")
    client.cookies.clear()
    for twin in ("alice", "ALICE", "ＡＬＩＣＥ"):  # fullwidth letters: NFKC makes them ASCII
        r = client.post(SIGNUP, json={"username": twin, "password": PASSWORD})
        assert r.status_code == 409 and r.json()["error"]["code"] == "username_taken"
    for bad in ("al", "a" * 33, "has space", "semi;colon", ""):
        r = client.post(SIGNUP, json={"username": bad, "password": PASSWORD})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_username", bad
    signup(client, "김민준_01")  # letters of any script


# ---- password change and deletion --------------------------------------------------------------


def test_change_password_ends_other_sessions_and_rotates_this_one(client, settings):
    made = signup(client)
    with TestClient(client.app) as other:  # a second browser, logged in too
        assert login(other).status_code == 200
        before = client.cookies[SESSION_COOKIE]
        r = client.post(
            "/api/v1/auth/password",
            json={"current_password": "wrong password!", "new_password": "another passphrase"},
            headers={"X-CSRF-Token": made["csrf_token"]},
        )
        assert r.status_code == 401
        r = client.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "another passphrase"},
            headers={"X-CSRF-Token": made["csrf_token"]},
        )
        assert r.status_code == 200, r.text
        assert client.cookies[SESSION_COOKIE] != before
        assert r.json()["csrf_token"] != made["csrf_token"]
        assert client.get(ME).json()["authenticated"] is True  # this one goes on
        assert other.get(ME).json()["authenticated"] is False  # the other one ended
    client.cookies.clear()
    assert login(client).status_code == 401
    assert login(client, password="another passphrase").status_code == 200


def test_change_password_applies_the_rules(client):
    made = signup(client)
    r = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "qwerty123"},
        headers={"X-CSRF-Token": made["csrf_token"]},
    )
    assert r.status_code == 422 and r.json()["error"]["details"]["reason"] == "common"


def test_delete_account_needs_the_password_and_ends_everything(client):
    made = signup(client)
    headers = {"X-CSRF-Token": made["csrf_token"]}
    r = client.request(
        "DELETE", "/api/v1/auth/account", json={"password": "nope nope"}, headers=headers
    )
    assert r.status_code == 401
    r = client.request(
        "DELETE", "/api/v1/auth/account", json={"password": PASSWORD}, headers=headers
    )
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert client.get(ME).json()["authenticated"] is False
    with db(client).session() as s:
        assert s.query(User).count() == 0 and s.query(AuthSession).count() == 0
    assert login(client).status_code == 401
    signup(client)  # the name is free again


def test_account_routes_need_a_session(client):
    r = client.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": PASSWORD}
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "login_required"
    r = client.request("DELETE", "/api/v1/auth/account", json={"password": PASSWORD})
    assert r.status_code == 401


def test_signup_is_rate_limited_per_address(client, monkeypatch):
    from pixelsmith.core.accounts import routes

    monkeypatch.setattr(routes, "SIGNUPS_PER_IP", 2)
    signup(client, "one")
    client.cookies.clear()
    signup(client, "two")
    client.cookies.clear()
    r = client.post(SIGNUP, json={"username": "three", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


# ---- guest cookie ------------------------------------------------------------------------------


def test_a_claimed_guest_id_stops_working_as_a_guest(client):
    guest = client.get("/posture").cookies.get(COOKIE_NAME) or client.cookies[COOKIE_NAME]
    made = signup(client)
    assert made["user"]["id"] == guest  # the account took the guest's id
    assert COOKIE_NAME not in client.cookies  # and the guest cookie went
    client.post(LOGOUT, headers={"X-CSRF-Token": made["csrf_token"]})
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, guest)  # replaying the old guest cookie
    fresh = set_cookies(client.get("/posture"))[COOKIE_NAME]
    assert guest not in fresh  # a fresh guest id, not the account's


# ---- roles and the CLI -------------------------------------------------------------------------


@pytest.fixture
def cli_env(settings, monkeypatch):
    from pixelsmith.core.config import get_settings

    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_creates_an_admin_lists_and_sets_roles(cli_env, settings):
    from pixelsmith.cli import app

    runner = CliRunner()
    r = runner.invoke(
        app, ["users", "create", "root", "--admin", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "create", "bob"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "create", "weak", "--password-stdin"], input="password\n")
    assert r.exit_code == 1 and "common" in r.output
    r = runner.invoke(app, ["users", "list", "--json"])

    users = {u["username"]: u["role"] for u in json.loads(r.output)}
    assert users == {"root": "admin", "bob": "user"}
    assert runner.invoke(app, ["users", "set-role", "BOB", "admin"]).exit_code == 0
    r = runner.invoke(app, ["users", "set-role", "bob", "emperor"])
    assert r.exit_code == 1
    assert runner.invoke(app, ["users", "set-role", "nobody", "user"]).exit_code == 1

    with TestClient(create_app(settings, configure_logs=False)) as c:  # the admin logs in
        r = login(c, "root")
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
        c.cookies.clear()
        assert login(c, "bob").json()["user"]["role"] == "admin"
