"""The web shell in a real browser: every page in English and Korean, on desktop and phone,
the live jobs table (WebSocket progress, cancel, retry), the language switcher and the 404 page.

Screenshots land in test-artifacts/screenshots/<name>-<lang>[-phone].png.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from pixelsmith.apps import APPS
from pixelsmith.core.web.i18n import Translator, translate

pytestmark = pytest.mark.e2e

# (screenshot name, path, i18n key of the page's <h1>)
PAGES = [
    ("home", "/", "home.hero.title"),
    *[(app.slug, app.path, app.key("title")) for app in APPS],
    ("jobs", "/jobs", "jobs.title"),
    ("models", "/models", "models.title"),
]
LANGS = ["en", "ko"]
PHONE = {"width": 390, "height": 844}


def wait_until_ready(page, name: str) -> None:
    """Pages that load data from the API mark themselves ready with data-state."""
    if name == "jobs":
        page.wait_for_selector('#jobs:not([data-state="loading"])')
    elif name == "models":
        page.wait_for_selector('#models[data-state="ready"]')
    page.wait_for_load_state("networkidle")


def no_horizontal_overflow(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px viewport"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "path", "title_key"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_cleanly(open_page, name, path, title_key, lang):
    watched = open_page(path, lang=lang)  # Korean comes from the browser's Accept-Language
    page = watched.page
    wait_until_ready(page, name)

    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h1").inner_text().strip() == translate(lang, title_key)
    nav = page.locator(".app-nav")
    for app in APPS:
        assert nav.locator(f'a[href="{app.path}"]').inner_text().strip() == translate(
            lang, app.key("nav")
        )
    assert page.locator(".site-footer").get_by_role("link", name=translate(lang, "nav.api_docs"))
    if name in {app.slug for app in APPS}:
        app = next(a for a in APPS if a.slug == name)
        assert nav.locator(f'a[href="{app.path}"]').get_attribute("aria-current") == "page"
        features = Translator(lang).numbered(app.key("features"))
        items = page.locator(".feature-list li")
        assert items.count() == len(features)
        assert items.first.inner_text().strip() == features[0]
        assert page.locator(".app-hero .badge").inner_text().strip() == translate(
            lang, f"status.{app.status}"
        )
    if name == "home":
        cards = page.locator(".app-card")
        assert cards.count() == len(APPS)
        for i, app in enumerate(APPS):
            assert translate(lang, app.key("title")) in cards.nth(i).inner_text()
    if name == "models":
        assert page.locator(".model").count() >= 1

    no_horizontal_overflow(page)
    watched.screenshot(f"{name}-{lang}")
    watched.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "path", "title_key"), PAGES, ids=[p[0] for p in PAGES])
def test_phone_layout(open_page, name, path, title_key, lang):
    watched = open_page(path, lang=lang, viewport=PHONE)
    page = watched.page
    wait_until_ready(page, name)
    assert page.locator("h1").inner_text().strip() == translate(lang, title_key)
    no_horizontal_overflow(page)
    # All six apps stay reachable in the header without scrolling sideways.
    for app in APPS:
        box = page.locator(f'.app-nav a[href="{app.path}"]').bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5
    if name in {"home", "jobs", "desk", "models"}:
        watched.screenshot(f"{name}-{lang}-phone")
    watched.assert_clean()


def test_try_a_test_job_shows_live_progress_to_completion(open_page):
    watched = open_page("/jobs")
    page = watched.page
    wait_until_ready(page, "jobs")
    frames: list[dict] = []
    sockets: list[str] = []

    def on_socket(ws):
        sockets.append(ws.url)
        ws.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    page.get_by_role("button", name=translate("en", "jobs.try")).click()

    row = page.locator("#jobs-body tr").first
    row.wait_for()
    job_id = row.get_attribute("data-job-id")
    assert re.fullmatch(r"[0-9a-f]{32}", job_id)
    assert "started" in page.locator("#jobs-notice").inner_text()

    done = page.locator(f'tr[data-job-id="{job_id}"][data-status="succeeded"]')
    done.wait_for(timeout=20_000)
    bar = done.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "100"
    assert done.locator(".progress-bar").evaluate("el => el.style.width") == "100%"
    assert done.locator(".status-badge").inner_text().strip() == "Succeeded"
    assert done.locator(".progress-pct").inner_text().strip() == "100%"

    # The progress came over the job's WebSocket, step by step, ending in the final state.
    assert any(url.endswith(f"/api/v1/jobs/{job_id}/events") for url in sockets)
    mine = [f["job"] for f in frames if f.get("type") == "job" and f["job"]["id"] == job_id]
    steps = {j["progress"]["step"] for j in mine if j["status"] == "running"}
    assert any(0 < s < 20 for s in steps), steps
    assert mine[-1]["status"] == "succeeded"

    watched.screenshot("jobs-after-test-job-en")
    watched.assert_clean()


def test_cancel_then_retry_a_job(open_page, server_url):
    job = httpx.post(
        f"{server_url}/api/v1/jobs",
        json={"kind": "system.sleep", "params": {"seconds": 60, "steps": 60}},
    ).json()
    watched = open_page("/jobs?lang=ko")
    page = watched.page
    row = page.locator(f'tr[data-job-id="{job["id"]}"]')
    row.wait_for()
    page.locator(f'tr[data-job-id="{job["id"]}"][data-status="running"]').wait_for()

    row.get_by_role("button", name=translate("ko", "jobs.cancel")).click()
    page.locator(f'tr[data-job-id="{job["id"]}"][data-status="canceled"]').wait_for(timeout=15_000)
    assert row.locator(".status-badge").inner_text().strip() == "취소됨"

    row.get_by_role("button", name=translate("ko", "jobs.retry")).click()
    page.locator(f'tr[data-job-id="{job["id"]}"][data-status="running"]').wait_for(timeout=15_000)
    row.get_by_role("button", name=translate("ko", "jobs.cancel")).click()
    page.locator(f'tr[data-job-id="{job["id"]}"][data-status="canceled"]').wait_for(timeout=15_000)
    watched.assert_clean()


def test_jobs_page_shows_the_empty_state_or_rows(open_page, server_url):
    watched = open_page("/jobs")
    page = watched.page
    wait_until_ready(page, "jobs")
    total = httpx.get(f"{server_url}/api/v1/jobs?limit=1").json()["total"]
    if total == 0:
        assert page.locator("#jobs-empty").is_visible()
        assert translate("en", "jobs.empty.title") in page.locator("#jobs-empty").inner_text()
    else:
        assert page.locator("#jobs-body tr").count() == min(total, 50)
    watched.assert_clean()


def test_models_page_matches_the_registry(open_page, server_url):
    models = httpx.get(f"{server_url}/api/v1/models").json()
    models = models["models"] if isinstance(models, dict) else models
    watched = open_page("/models")
    page = watched.page
    wait_until_ready(page, "models")
    assert page.locator(".model").count() == len(models)
    for model in models:
        card = page.locator(f'.model[data-model="{model["name"]}"]')
        assert card.get_attribute("data-available") == str(model["available"]).lower()
        if not model["available"]:
            assert card.locator(".model-help").is_visible()
    available = page.locator('[data-stat="available"]').inner_text()
    assert int(available) == sum(1 for m in models if m["available"])
    watched.assert_clean()


def test_language_switcher_keeps_the_page_and_is_remembered(open_page):
    watched = open_page("/models")
    page = watched.page
    wait_until_ready(page, "models")
    page.locator('.lang-switch a[data-lang="ko"]').click()
    page.wait_for_url(re.compile(r"/models\?lang=ko$"))
    assert page.locator("h1").inner_text().strip() == translate("ko", "models.title")
    wait_until_ready(page, "models")

    page.goto("/")  # the browser still says English; the cookie says Korean
    assert page.get_attribute("html", "lang") == "ko"
    assert page.locator("h1").inner_text().strip() == translate("ko", "home.hero.title")

    page.locator('.lang-switch a[data-lang="en"]').click()
    page.wait_for_url(re.compile(r"/\?lang=en$"))
    assert page.locator("h1").inner_text().strip() == translate("en", "home.hero.title")
    watched.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_page_shows_the_404_page(open_page, lang):
    watched = open_page("", lang=lang)
    watched.allowed.append("404")  # the page itself answers 404, as it should
    page = watched.page
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.locator("h1").inner_text().strip() == translate(lang, "notfound.title")
    watched.screenshot(f"404-{lang}")
    page.locator("#home-link").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text().strip() == translate(lang, "home.hero.title")
    watched.assert_clean()
