"""The web shell's pages: rendering, English/Korean, the language cookie, HTML vs JSON 404s."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from pixelsmith.apps import APPS
from pixelsmith.core.config import Settings
from pixelsmith.core.web import i18n
from pixelsmith.core.web.app import create_app

SRC = Path(__file__).resolve().parents[2] / "src" / "pixelsmith"
WEB = SRC / "core" / "web"
PAGES = ["/", *(app.path for app in APPS), "/jobs", "/models"]
EXTERNAL_URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, configure_logs=False)) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_cookies(web):
    web.cookies.clear()
    yield
    web.cookies.clear()


def en(key: str, **kw) -> str:
    """The English message as it appears in the HTML (escaped as Jinja escapes it)."""
    return str(escape(i18n.translate("en", key, **kw)))


def ko(key: str, **kw) -> str:
    return str(escape(i18n.translate("ko", key, **kw)))


def lang_of(page: str) -> str:
    match = re.search(r'<html lang="(\w+)"', page)
    assert match, "no <html lang>"
    return match.group(1)


def test_home_shows_every_app_in_brief_order(web):
    r = web.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert lang_of(r.text) == "en"
    assert en("home.hero.title") in r.text
    positions = []
    for app in APPS:
        assert f'href="{app.path}"' in r.text
        assert en(app.key("title")) in r.text
        assert en(app.key("tagline")) in r.text
        positions.append(r.text.index(f'data-app="{app.slug}"'))
    assert positions == sorted(positions)
    assert [app.slug for app in APPS] == ["desk", "tags", "posture", "studio", "diary", "backdrop"]
    if any(app.status == "coming_soon" for app in APPS):
        assert en("status.coming_soon") in r.text


@pytest.mark.parametrize("app", APPS, ids=lambda a: a.slug)
def test_app_page_says_what_the_app_will_do(web, app):
    r = web.get(app.path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert f"<h1>{en(app.key('title'))}</h1>" in page
    assert en(app.key("tagline")) in page
    assert en(app.key("about")) in page
    features = i18n.Translator("en").numbered(app.key("features"))
    assert 3 <= len(features) <= 5
    for feature in features:
        assert str(escape(feature)) in page
    assert en(f"status.{app.status}") in page
    assert f'href="{app.path}" class="tone-{app.slug}" aria-current="page"' in page


def test_jobs_and_models_pages(web):
    jobs = web.get("/jobs")
    assert jobs.status_code == 200
    assert f"<h1>{en('jobs.title')}</h1>" in jobs.text
    assert 'id="try-job"' in jobs.text
    assert "js/jobs.js" in jobs.text
    models = web.get("/models")
    assert models.status_code == 200
    assert f"<h1>{en('models.title')}</h1>" in models.text
    assert "js/models.js" in models.text


def test_pages_hand_their_messages_to_js(web):
    page = web.get("/jobs", headers={"Accept-Language": "ko"}).text
    block = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page, re.S)
    assert block
    messages = json.loads(block.group(1))
    assert messages["jobs.try"] == i18n.translate("ko", "jobs.try")
    assert messages["jobs.status.running"] == "실행 중"
    assert not any(key.startswith("models.") for key in messages)


@pytest.mark.parametrize("path", PAGES)
def test_korean_by_accept_language(web, path):
    r = web.get(path, headers={"Accept-Language": "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"})
    assert r.status_code == 200
    assert lang_of(r.text) == "ko"
    assert r.headers["content-language"] == "ko"
    # Only an explicit ?lang= choice is remembered (the anonymous user id cookie is not a
    # language choice).
    assert "lang" not in r.cookies
    assert ko("nav.jobs") in r.text and "본문으로 건너뛰기" in r.text
    for app in APPS:
        if path == app.path:
            assert ko(f"status.{app.status}") in r.text  # 준비 중 (coming soon) or 사용 가능


def test_korean_by_query_sets_the_cookie_which_is_then_used(web):
    r = web.get("/desk?lang=ko")
    assert lang_of(r.text) == "ko"
    assert "데스크 메이크오버" in r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lang=ko") and "Path=/" in cookie and "SameSite=lax" in cookie
    # No query and no header: the cookie decides.
    again = web.get("/")
    assert lang_of(again.text) == "ko"
    assert ko("home.hero.title") in again.text
    # The cookie beats the browser's language...
    assert lang_of(web.get("/jobs", headers={"Accept-Language": "en"}).text) == "ko"
    # ...and ?lang= replaces it.
    back = web.get("/jobs?lang=en")
    assert lang_of(back.text) == "en"
    assert back.headers["set-cookie"].startswith("lang=en")
    assert lang_of(web.get("/", headers={"Accept-Language": "ko"}).text) == "en"


def test_unknown_lang_values_are_ignored(web):
    r = web.get("/?lang=fr", headers={"Accept-Language": "ko"})
    assert lang_of(r.text) == "ko"
    assert "set-cookie" not in r.headers
    web.cookies.set("lang", "xx")
    assert lang_of(web.get("/").text) == "en"


def test_language_switcher_keeps_the_current_page(web):
    page = web.get("/jobs?lang=ko").text
    assert 'href="/jobs?lang=en"' in page
    assert 'href="/jobs?lang=ko"' in page
    assert re.search(r'data-lang="ko"\s+aria-current="true"', page)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en;q=0.8", "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("en;q=0.5, ko;q=0.9", "ko"),
        ("fr-FR, ko;q=0.3", "ko"),
        ("ko;q=0, en", "en"),
        ("fr, de", None),
        ("*", "en"),
        ("", None),
        ("ko;q=bogus, en;q=0.1", "en"),
    ],
)
def test_accept_language_parsing(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_translation_falls_back_to_english_then_to_the_key():
    assert i18n.translate("ko", "jobs.title") == "작업"
    assert i18n.translate("xx", "jobs.title") == "Jobs"
    assert i18n.translate("ko", "no.such.key") == "no.such.key"
    assert i18n.translate("en", "jobs.count", shown=3, total=9) == "Showing 3 of 9"
    assert i18n.translate("en", "jobs.count", shown=3) == "Showing 3 of {total}"


def _catalogs() -> list[Path]:
    return [WEB / "locales", *sorted((SRC / "apps").glob("*/locales"))]


@pytest.mark.parametrize("folder", _catalogs(), ids=lambda p: p.parent.name)
def test_catalogs_have_the_same_keys_in_both_languages(folder):
    english = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    korean = json.loads((folder / "ko.json").read_text(encoding="utf-8"))
    assert set(english) == set(korean)
    placeholders = re.compile(r"\{(\w+)\}")
    for key, text in english.items():
        assert set(placeholders.findall(text)) == set(placeholders.findall(korean[key])), key
    assert all(re.search(r"[가-힣]", v) for k, v in korean.items() if k.endswith(".title"))


@pytest.mark.parametrize("app", APPS, ids=lambda a: a.slug)
def test_each_app_owns_its_words(app):
    for lang in i18n.LANGUAGES:
        own = json.loads((SRC / "apps" / app.slug / "locales" / f"{lang}.json").read_text("utf-8"))
        for name in ("title", "nav", "tagline", "about", "features.1", "features.3"):
            assert app.key(name) in own
        assert all(key.startswith(f"apps.{app.slug}.") for key in own)


def test_unknown_page_is_an_html_404_with_a_link_home(web):
    r = web.get("/no/such/page", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert en("notfound.title") in r.text
    assert 'href="/"' in r.text
    assert "/no/such/page" in r.text
    korean = web.get("/nope", headers={"Accept": "text/html", "Accept-Language": "ko"})
    assert korean.status_code == 404 and ko("notfound.title") in korean.text


def test_unknown_page_is_json_for_clients_that_do_not_ask_for_html(web):
    r = web.get("/no/such/page", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/nope", "/api"])
def test_api_404_stays_json_even_for_browsers(web, path):
    r = web.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "not_found"
    assert set(error) == {"code", "message", "details"}


def test_other_http_errors_keep_the_json_body(web):
    r = web.post("/", headers={"Accept": "text/html"})
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_pages_reference_no_external_urls(web, path, lang):
    page = web.get(f"{path}?lang={lang}").text
    assert not EXTERNAL_URL.search(page), EXTERNAL_URL.search(page)
    for ref in re.findall(r'(?:href|src)="([^"]*)"', page):
        assert ref.startswith(("/", "#")), ref


def test_templates_and_static_files_reference_no_external_urls():
    folders = [WEB / "templates", WEB / "static", *sorted((SRC / "apps").glob("*/templates"))]
    suffixes = {".html", ".css", ".js", ".json", ".svg"}
    files = [p for folder in folders for p in folder.rglob("*") if p.suffix in suffixes]
    assert files
    for path in files:
        assert not EXTERNAL_URL.search(path.read_text(encoding="utf-8")), path


def test_static_assets_are_served_with_a_cache_busting_version(web):
    page = web.get("/").text
    refs = re.findall(r'"(/static/[^"?]+)\?v=([\w.-]+)"', page)
    assert any(ref.endswith("app.css") for ref, _ in refs)
    for ref, version in refs:
        r = web.get(f"{ref}?v={version}")
        assert r.status_code == 200, ref


def test_apps_never_import_each_other():
    slugs = {app.slug for app in APPS}
    for slug in slugs:
        for path in (SRC / "apps" / slug).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    parts = name.split(".")
                    if parts[:2] == ["pixelsmith", "apps"] and len(parts) > 2:
                        assert parts[2] == slug, f"{path} imports {name}"
