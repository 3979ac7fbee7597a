"""Accounts for the diary's API and page tests: a signed-up client that sends its CSRF token."""

from fastapi.testclient import TestClient

PASSWORD = "a long enough passphrase"


def signup(client: TestClient, username: str) -> TestClient:
    r = client.post("/api/v1/auth/signup", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client
