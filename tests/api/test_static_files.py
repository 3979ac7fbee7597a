"""Static files: the shared folder under /static, each app slice's under /static/<slug>, their
versioned URLs and the import map that every JS import goes through."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from pixelsmith.apps import APPS
from pixelsmith.core.config import Settings
from pixelsmith.core.web import assets
from pixelsmith.core.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
SLUGS = {app.slug for app in APPS}
# `import … from "x"`, `export … from "x"` (the names between are identifiers, braces, commas,
# `*` and `as`) and a bare `import "x"`.
JS_IMPORT = re.compile(
    r"""^\s*(?:(?:import|export)\s*[\w\s{},*$]*?\bfrom|import)\s*["']([^"']+)["']""",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, configure_logs=False)) as client:
        yield client


def _clear_caches() -> None:
    for cached in (assets.static_roots, assets.static_version, assets.import_map):
        cached.cache_clear()


@pytest.fixture
def fresh_assets():
    """Caches cleared before and after, for tests that point assets at other folders."""
    _clear_caches()
    yield
    _clear_caches()


def test_the_apps_with_page_scripts_have_their_own_static_folder():
    prefixes = {root.prefix for root in assets.static_roots()}
    assert {"tags", "posture", "studio"} <= prefixes
    assert prefixes - {""} <= SLUGS


def test_core_static_keeps_only_what_pages_share():
    names = {p.name for p in assets.CORE_STATIC_DIR.rglob("*") if p.is_file()}
    for slug in SLUGS:
        owned = sorted(n for n in names if n.split(".")[0].split("-")[0] == slug)
        assert not owned, f"{owned} belong in apps/{slug}/static"


def test_an_installed_package_carries_every_static_file():
    """The wheel takes package files by suffix (pyproject.toml's package-data)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["pixelsmith"]
    carried = {p.removeprefix("**/*") for p in patterns}
    for path, file in assets.static_files():
        assert file.name == ".keep" or file.suffix in carried, f"{path}: add it to package-data"


def test_every_static_file_is_served_at_its_url(web):
    files = assets.static_files()
    assert any(path.startswith("studio/") for path, _ in files)
    for path, file in files:
        r = web.get(assets.static_url(path))
        assert r.status_code == 200, path
        assert r.content == file.read_bytes(), path


@pytest.mark.parametrize(
    "path, media_type",
    [("tags/tags.js", "text/javascript"), ("studio/studio.css", "text/css")],
)
def test_app_files_get_their_media_type_and_no_listing(web, path, media_type):
    r = web.get(f"/static/{path}")
    assert r.headers["content-type"].startswith(media_type)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert web.get(f"/static/{path.split('/')[0]}/").status_code == 404


def test_an_app_folder_is_not_a_way_out_of_it(web):
    # apps/tags/routes.py sits right beside apps/tags/static.
    for path in ("/static/tags/%2e%2e/routes.py", "/static/tags/..%2froutes.py"):
        assert web.get(path).status_code == 404, path


def test_the_import_map_versions_every_module_and_every_import_resolves():
    imports = json.loads(assets.import_map())["imports"]
    version = assets.static_version()
    for plain, versioned in imports.items():
        assert versioned == f"{plain}?v={version}"
    assert "/static/studio/studio-canvas.js" in imports and "/static/js/api.js" in imports
    resolved = set()
    for path, file in assets.static_files():
        if not path.endswith(".js"):
            continue
        for spec in JS_IMPORT.findall(file.read_text(encoding="utf-8")):
            target = urljoin(f"/static/{path}", spec)
            assert target in imports, f"{path} imports {spec}, which is not a static module"
            resolved.add(target)
    # The relative import inside a slice and the shared modules the slices import.
    assert {"/static/studio/studio-upload.js", "/static/js/photo.js"} <= resolved


def _fake_apps(tmp_path: Path, monkeypatch) -> Path:
    """An apps folder with one slice's static file, in place of the real one."""
    apps_dir = tmp_path / "apps"
    (apps_dir / "diary" / "static").mkdir(parents=True)
    (apps_dir / "diary" / "static" / "diary.js").write_text(
        'import { t } from "/static/js/i18n.js";\n'
    )
    monkeypatch.setattr(assets, "APPS_DIR", apps_dir)
    return apps_dir / "diary" / "static" / "diary.js"


def test_a_slice_gets_its_static_url_by_having_the_folder(tmp_path, monkeypatch, fresh_assets):
    script = _fake_apps(tmp_path, monkeypatch)
    settings = Settings(data_dir=tmp_path / "data")
    with TestClient(create_app(settings, configure_logs=False)) as client:
        r = client.get("/static/diary/diary.js")
        assert r.status_code == 200 and r.content == script.read_bytes()
        assert client.get("/static/js/api.js").status_code == 200  # the shared folder still
    assert "/static/diary/diary.js" in json.loads(assets.import_map())["imports"]


def test_the_version_changes_when_an_app_file_does(tmp_path, monkeypatch, fresh_assets):
    script = _fake_apps(tmp_path, monkeypatch)
    before = assets.static_version()
    script.write_text(script.read_text() + "// changed\n")
    _clear_caches()
    assert assets.static_version() != before


def test_a_core_folder_an_app_would_hide_stops_the_start(tmp_path, monkeypatch, fresh_assets):
    core = tmp_path / "static"
    (core / "tags").mkdir(parents=True)
    monkeypatch.setattr(assets, "CORE_STATIC_DIR", core)
    with pytest.raises(RuntimeError, match="core/web/static/tags"):
        assets.static_roots()
