"""The Tag Scanner page as the server renders it: English and Korean, the scanner's parts, the
"online lookup is off" hint (only without Naver keys) and the messages its JS needs."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from pixelsmith.core.config import Settings
from pixelsmith.core.web import i18n
from pixelsmith.core.web.app import create_app

LANGS = ["en", "ko"]


def msg(lang: str, key: str, **kw) -> str:
    return str(escape(i18n.translate(lang, key, **kw)))


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, configure_logs=False)) as client:
        yield client


@pytest.fixture(scope="module")
def web_with_naver(tmp_path_factory):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data-naver"),
        naver_client_id="test-id",
        naver_client_secret="test-secret",
        naver_base_url="http://127.0.0.1:9",  # never called: the page only checks the keys
    )
    with TestClient(create_app(settings, configure_logs=False)) as client:
        yield client


@pytest.mark.parametrize("lang", LANGS)
def test_page_renders_the_scanner(web, lang):
    r = web.get(f"/tags?lang={lang}")
    assert r.status_code == 200
    page = r.text
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{msg(lang, 'apps.tags.title')}</h1>" in page
    assert msg(lang, "status.ready") in page
    # step 1: a file input that opens the camera on phones, and the crop box with its handles
    assert re.search(r'<input type="file" id="tags-file"[^>]*accept="image/\*"', page)
    assert 'capture="environment"' in page
    assert msg(lang, "apps.tags.drop.title") in page
    assert 'id="tags-crop"' in page and page.count('class="handle"') == 4
    assert msg(lang, "apps.tags.mode.auto") in page
    assert msg(lang, "apps.tags.read") in page
    # steps 2 and 3, and the accuracy panel
    assert 'id="tags-code"' in page and msg(lang, "apps.tags.confirm") in page
    assert msg(lang, "apps.tags.step.product") in page
    assert msg(lang, "apps.tags.stats.title") in page
    # its own script and styles, versioned
    assert re.search(r'src="/static/tags/tags\.js\?v=[\w.-]+"', page)
    assert re.search(r'href="/static/tags/tags\.css\?v=[\w.-]+"', page)


@pytest.mark.parametrize("lang", LANGS)
def test_provider_off_hint_without_naver_keys(web, lang):
    page = web.get(f"/tags?lang={lang}").text
    assert 'id="tags-provider-off"' in page
    assert msg(lang, "apps.tags.provider_off") in page
    assert msg(lang, "apps.tags.provider_off_hint") in page
    assert 'data-provider="off"' in page


def test_no_provider_off_hint_with_naver_keys(web_with_naver):
    page = web_with_naver.get("/tags").text
    assert 'data-provider="on"' in page
    assert 'id="tags-provider-off"' not in page
    assert msg("en", "apps.tags.provider_off") not in page


@pytest.mark.parametrize("lang", LANGS)
def test_page_hands_the_scanner_messages_to_js(web, lang):
    page = web.get(f"/tags?lang={lang}").text
    block = re.search(r'<script type="application/json" id="tags-i18n">(.*?)</script>', page, re.S)
    assert block
    messages = json.loads(block.group(1))
    for key in (
        "apps.tags.reading",
        "apps.tags.confirming",
        "apps.tags.error.not_image.title",
        "apps.tags.error.network.next",
        "apps.tags.source.demo",
        "apps.tags.notfound.title",
        "apps.tags.stats.empty",
    ):
        assert messages[key] == i18n.translate(lang, key)
    assert all(key.startswith("apps.tags.") for key in messages)


def test_english_and_korean_have_the_same_scanner_messages():
    en, ko = i18n.catalog("en"), i18n.catalog("ko")
    en_keys = {k for k in en if k.startswith("apps.tags.")}
    ko_keys = {k for k in ko if k.startswith("apps.tags.")}
    assert en_keys == ko_keys
    for key in en_keys:
        placeholders = set(re.findall(r"\{(\w+)\}", en[key]))
        assert placeholders == set(re.findall(r"\{(\w+)\}", ko[key])), key
    # Korean is written in Korean, not left in English.
    assert re.search(r"[가-힣]", ko["apps.tags.read"])
    assert ko["apps.tags.read"] != en["apps.tags.read"]
