"""Accounts and the apps' data: sign-up claims the guest's data, login from a guest claims it
into the account, and deleting the account deletes its rows in every app and their blobs.

Real app data, made through the apps' own APIs (Desk Makeover and Backdrop Studio uploads,
which run their real models) and services (Posture Coach sessions, a job, a private blob).
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from desk_photo import render_desk_photo
from pixelsmith.apps.posture.service import PostureService
from pixelsmith.core import blob_access
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.identity import COOKIE_NAME

PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), workers=2)
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c


@pytest.fixture(scope="module")
def desk_jpeg(tmp_path_factory) -> bytes:
    photo = render_desk_photo(tmp_path_factory.mktemp("desk") / "desk.jpg", size=(1600, 1067))
    return photo.path.read_bytes()


def bottle_jpeg(colour=(30, 80, 200), half_width: int = 40) -> bytes:
    """A dark bottle on a pale backdrop: enough for Backdrop's cut-out to find a product."""
    img = Image.new("RGB", (480, 360), (236, 232, 226))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((240 - half_width, 90, 240 + half_width, 320), radius=18, fill=colour)
    draw.rectangle((225, 60, 255, 95), fill=(25, 25, 30))
    arr = np.asarray(img, dtype=np.int16) + np.random.default_rng(0).integers(-2, 3, (360, 480, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def fresh_guest(client: TestClient) -> str:
    client.cookies.clear()
    client.get("/posture")
    return client.cookies[COOKIE_NAME]


def csrf(client: TestClient) -> dict:
    return {"X-CSRF-Token": client.get("/api/v1/auth/me").json()["csrf_token"]}


def services(client: TestClient):
    return client.app.state.services


def wait_job(client: TestClient, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    while job.get("status") not in ("succeeded", "failed", "canceled"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    return job


def test_signup_gives_the_account_the_guests_data(client, desk_jpeg):
    guest = fresh_guest(client)
    r = client.post("/api/v1/desk/photos", files={"file": ("desk.jpg", desk_jpeg, "image/jpeg")})
    assert r.status_code == 201, r.text
    photo_id = r.json()["photo"]["id"]
    session_id = PostureService(services(client).db).start_session(guest)

    r = client.post("/api/v1/auth/signup", json={"username": "gina", "password": PASSWORD})
    assert r.status_code == 201 and r.json()["user"]["id"] == guest
    assert [p["id"] for p in client.get("/api/v1/desk/photos").json()] == [photo_id]
    sessions = client.get("/api/v1/posture/sessions").json()
    assert [s["id"] for s in sessions] == [session_id]

    client.cookies.clear()  # a new guest sees none of it
    assert client.get("/api/v1/desk/photos").json() == []


def test_login_from_a_guest_moves_the_guests_data_into_the_account(client):
    client.cookies.clear()
    made = client.post("/api/v1/auth/signup", json={"username": "hugo", "password": PASSWORD})
    account_id = made.json()["user"]["id"]
    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": made.json()["csrf_token"]})

    guest = fresh_guest(client)
    r = client.post(
        "/api/v1/backdrop/products", files={"file": ("bottle.jpg", bottle_jpeg(), "image/jpeg")}
    )
    assert r.status_code == 201, r.text
    product_id = r.json()["id"]
    job = services(client).jobs.submit("system.noop", {}, owner_id=guest)

    r = client.post("/api/v1/auth/login", json={"username": "hugo", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["id"] == account_id != guest
    assert [p["id"] for p in client.get("/api/v1/backdrop/products").json()] == [product_id]
    assert wait_job(client, job["id"])["status"] == "succeeded"  # the job is the account's now
    with services(client).db.session() as s:
        from pixelsmith.core.jobs.models import Job

        assert s.get(Job, job["id"]).owner_id == account_id


def test_deleting_the_account_deletes_its_data_in_every_app_and_its_blobs(client, desk_jpeg):
    svc = services(client)
    # Someone else has the same desk photo: that shared blob must stay.
    fresh_guest(client)
    other = client.post(
        "/api/v1/desk/photos", files={"file": ("desk.jpg", desk_jpeg, "image/jpeg")}
    ).json()["photo"]
    other_cookies = dict(client.cookies)

    client.cookies.clear()
    made = client.post("/api/v1/auth/signup", json={"username": "ivy", "password": PASSWORD})
    uid = made.json()["user"]["id"]
    token = {"X-CSRF-Token": made.json()["csrf_token"]}  # a logged-in upload sends the token
    desk = client.post(
        "/api/v1/desk/photos",
        files={"file": ("desk.jpg", desk_jpeg, "image/jpeg")},
        headers=token,
    ).json()["photo"]
    product = client.post(
        "/api/v1/backdrop/products",
        files={"file": ("bottle.jpg", bottle_jpeg((200, 40, 40), half_width=55), "image/jpeg")},
        headers=token,
    ).json()
    PostureService(svc.db).start_session(uid)
    job = svc.jobs.submit("system.noop", {}, owner_id=uid)
    assert wait_job(client, job["id"])["status"] == "succeeded"
    private = svc.storage.put(b"ivy's private page", content_type="image/png", suffix=".png")
    with svc.db.session() as s:
        blob_access.restrict(s, private, uid)

    from pixelsmith.apps.backdrop.models import BackdropProduct
    from pixelsmith.apps.desk.models import DeskPhoto
    from pixelsmith.apps.posture.models import PostureSessionRecord
    from pixelsmith.core.jobs.models import Job

    with svc.db.session() as s:
        product_keys = s.get(BackdropProduct, product["id"]).keys()
        desk_key = s.get(DeskPhoto, desk["id"]).photo_key
        assert desk_key == s.get(DeskPhoto, other["id"]).photo_key  # content-addressed: shared
    assert all(svc.storage.exists(k) for k in (*product_keys, private, desk_key))

    r = client.request(
        "DELETE", "/api/v1/auth/account", json={"password": PASSWORD}, headers=csrf(client)
    )
    assert r.status_code == 200, r.text
    assert r.json()["blobs_removed"] == len(product_keys) + 1  # not the shared desk photo

    with svc.db.session() as s:
        assert s.query(DeskPhoto).filter_by(user_id=uid).count() == 0
        assert s.query(BackdropProduct).filter_by(user_id=uid).count() == 0
        assert s.query(PostureSessionRecord).filter_by(user_id=uid).count() == 0
        assert s.get(Job, job["id"]) is None
        assert not blob_access.restricted(s, private)
    assert not any(svc.storage.exists(k) for k in (*product_keys, private))
    assert svc.storage.exists(desk_key)  # still the other user's photo
    client.cookies.clear()
    for name, value in other_cookies.items():
        client.cookies.set(name, value)
    assert [p["id"] for p in client.get("/api/v1/desk/photos").json()] == [other["id"]]
    assert client.get(f"/api/v1/desk/photos/{other['id']}/image").status_code == 200
