"""The accounts contract other slices build on: Identity, require_account / require_admin,
core.ratelimit.enforce_rate, core.blob_access and the ownership registry."""

from __future__ import annotations

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from pixelsmith.core import blob_access, ownership
from pixelsmith.core.accounts.service import AccountService
from pixelsmith.core.db import Database
from pixelsmith.core.errors import ApiError
from pixelsmith.core.ratelimit import RateEvent, enforce_rate
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.identity import Identity, require_account, require_admin

PASSWORD = "a long enough passphrase"


def signup(client: TestClient, username: str) -> str:
    r = client.post("/api/v1/auth/signup", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["csrf_token"]


@pytest.fixture
def app_client(settings):
    app = create_app(settings, configure_logs=False)

    @app.get("/test/who")
    def who(identity: Identity = Depends(require_account)) -> dict:
        return {"user_id": identity.user_id, "role": identity.role, "guest": identity.is_guest}

    @app.get("/test/admin")
    def admin(identity: Identity = Depends(require_admin)) -> dict:
        return {"admin": identity.is_admin}

    with TestClient(app) as c:
        yield c


def test_identity_defaults_are_a_guest():
    identity = Identity("0" * 32, new=False)
    assert identity.role == "guest" and identity.is_guest and not identity.is_admin
    assert identity.username is None and identity.csrf_token is None


def test_require_account_and_require_admin(app_client):
    r = app_client.get("/test/who")
    assert r.status_code == 401 and r.json()["error"]["code"] == "login_required"
    assert app_client.get("/test/admin").status_code == 401

    signup(app_client, "carol")
    r = app_client.get("/test/who")
    assert r.status_code == 200 and r.json()["role"] == "user" and r.json()["guest"] is False
    r = app_client.get("/test/admin")
    assert r.status_code == 403 and r.json()["error"]["code"] == "admin_required"

    AccountService(app_client.app.state.services.db).set_role("carol", "admin")
    assert app_client.get("/test/admin").json() == {"admin": True}


def test_enforce_rate_counts_per_bucket_and_key_across_databases(settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'rate.db'}"
    first, second = Database(url), Database(url)  # two API processes on one database
    first.migrate()
    for _ in range(3):
        enforce_rate("uploads", "u1", limit=3, window_s=60, db=first)
    with pytest.raises(ApiError) as denied:
        enforce_rate("uploads", "u1", limit=3, window_s=60, db=second)
    err = denied.value
    assert err.status_code == 429 and err.code == "rate_limited"
    assert 1 <= int(err.headers["Retry-After"]) <= 60
    assert err.details["retry_after_s"] == int(err.headers["Retry-After"])
    enforce_rate("uploads", "u2", limit=3, window_s=60, db=second)  # another key: own budget
    enforce_rate("other", "u1", limit=3, window_s=60, db=second)  # another bucket: own budget


def test_enforce_rate_window_passes_and_old_rows_expire(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'rate.db'}")
    db.migrate()
    enforce_rate("b", "k", limit=1, window_s=0.05, db=db)
    with pytest.raises(ApiError):
        enforce_rate("b", "k", limit=1, window_s=60, db=db)
    with db.session() as s:  # age the rows past their expiry instead of sleeping
        from datetime import timedelta

        for row in s.query(RateEvent):
            row.at -= timedelta(hours=2)
            row.expires_at -= timedelta(hours=2)
    enforce_rate("b", "k", limit=1, window_s=60, db=db)  # the window moved on
    enforce_rate("b", "other", limit=5, window_s=60, db=db)
    with db.session() as s:
        assert s.query(RateEvent).count() == 2  # the expired row was swept


def test_enforce_rate_through_the_api_answers_429_with_retry_after(app_client):
    app = app_client.app

    @app.post("/test/limited")
    def limited() -> dict:
        enforce_rate("test", "one", limit=2, window_s=30)
        return {"ok": True}

    assert app_client.post("/test/limited").status_code == 200
    assert app_client.post("/test/limited").status_code == 200
    r = app_client.post("/test/limited")
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 30
    assert r.json()["error"]["details"]["retry_after_s"] == int(r.headers["Retry-After"])


def test_restricted_blob_is_served_only_to_its_owner_not_even_an_admin(app_client, settings):
    services = app_client.app.state.services
    key = services.storage.put(b"private diary page", content_type="image/png", suffix=".png")
    public = services.storage.put(b"public picture", content_type="image/png", suffix=".png")
    token = signup(app_client, "owner")
    owner_id = app_client.get("/api/v1/auth/me").json()["user"]["id"]
    with services.db.session() as s:
        blob_access.restrict(s, key, owner_id)

    r = app_client.get(f"/api/v1/blobs/{key}")
    assert r.status_code == 200 and r.content == b"private diary page"
    assert r.headers["cache-control"] == "private, no-store"
    assert "immutable" in app_client.get(f"/api/v1/blobs/{public}").headers["cache-control"]

    app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token})
    r = app_client.get(f"/api/v1/blobs/{key}")  # a guest
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    signup(app_client, "someone")
    assert app_client.get(f"/api/v1/blobs/{key}").status_code == 404  # another user
    AccountService(services.db).set_role("someone", "admin")
    assert app_client.get(f"/api/v1/blobs/{key}").status_code == 404  # an admin neither

    with services.db.session() as s:
        assert not blob_access.readable(s, key, "f" * 32)
        assert blob_access.readable(s, key, owner_id)
        blob_access.release(s, key)
    with services.db.session() as s:
        assert blob_access.readable(s, key, "f" * 32)
    app_client.cookies.clear()
    r = app_client.get(f"/api/v1/blobs/{key}")
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]


def test_ownership_registry_knows_every_app_with_per_user_rows():
    names = {entry.name for entry in ownership.registered()}
    assert {"posture", "desk", "backdrop", "tags", "jobs", "blob_access"} <= names


def test_register_owned_data_hooks_run_in_claim_and_delete(app_client):
    calls: list[tuple] = []
    ownership.register_owned_data(
        "test-slice",
        claim=lambda s, a, b: calls.append(("claim", a, b)),
        delete=lambda s, u: calls.append(("delete", u)) or ["f" * 64 + ".png"],
    )
    try:
        db = app_client.app.state.services.db
        with db.session() as s:
            ownership.claim_all(s, "a" * 32, "b" * 32)
            assert "f" * 64 + ".png" in ownership.delete_all(s, "b" * 32)
        assert calls == [("claim", "a" * 32, "b" * 32), ("delete", "b" * 32)]
    finally:
        ownership._REGISTRY.pop("test-slice")
