"""Accounts in a real browser: sign up, log out, log in, change the password, delete the
account (English, desktop; Korean at phone size), and an existing app's upload POST working
for a logged-in user (static/js/csrf.js adds the X-CSRF-Token header).

Screenshots land in test-artifacts/screenshots/accounts-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from conftest import PHONE  # noqa: E402
from pixelsmith.core.web.i18n import translate

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PASSWORD = "blue kettle on a quiet morning"
NEW_PASSWORD = "seven green lanterns by the river"


def sign_up(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/account/signup")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.fill("#f-password_confirm", password)
    page.click("#signup-form button[type=submit]")
    page.wait_for_url("**/account?welcome=1")


def log_in(page, username: str, password: str) -> None:
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("#login-form button[type=submit]")


def test_the_whole_account_lifecycle_in_english(open_page):
    w = open_page("/account/signup")
    page = w.page
    assert page.locator(".account-link").inner_text().strip() == "Log in"
    assert "15 or more recommended" in page.inner_text("#signup-form")
    w.screenshot("accounts-signup-desktop-en")

    sign_up(page, "Juniper")
    assert "Logged in as Juniper" in page.inner_text("#account-who")
    assert page.get_attribute(".account-link", "data-account") == "Juniper"  # the header
    assert page.get_attribute('meta[name="csrf-token"]', "content")
    w.screenshot("accounts-account-desktop-en")

    page.click("#logout-form button[type=submit]")
    page.wait_for_url("**/account/login?logged_out=1")
    assert "You are logged out." in page.inner_text("#account-notice")
    assert page.locator('meta[name="csrf-token"]').count() == 0

    log_in(page, "juniper", PASSWORD)  # any case
    page.wait_for_url("**/account")
    page.fill("#f-current", PASSWORD)
    page.fill("#f-new_password", NEW_PASSWORD)
    page.fill("#f-new_password_confirm", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    page.wait_for_url("**/account?done=password")
    assert "Password changed" in page.inner_text("#account-notice")
    w.screenshot("accounts-password-changed-desktop-en")

    page.fill("#f-delete-password", NEW_PASSWORD)
    page.check("#f-delete-confirm")
    page.click("#delete-form button[type=submit]")
    page.wait_for_url("**/account/signup?deleted=1")
    assert "deleted" in page.inner_text("#account-notice")
    w.screenshot("accounts-deleted-desktop-en")
    w.assert_clean()

    # The account is gone: logging in says what to do, without saying which part was wrong.
    page.goto("/account/login")
    log_in(page, "juniper", NEW_PASSWORD)
    page.wait_for_selector("#account-error")
    assert "username or password is wrong" in page.inner_text("#account-error")
    w.screenshot("accounts-login-failed-desktop-en")


def test_the_account_pages_in_korean_on_a_phone(open_page):
    w = open_page("/account/signup", lang="ko", viewport=PHONE, has_touch=True, is_mobile=True)
    page = w.page
    assert page.locator("h1").inner_text() == translate("ko", "account.signup.title")
    # A common password is refused, in Korean, with what to do next.
    page.fill("#f-username", "minseo")
    page.fill("#f-password", "password1")
    page.fill("#f-password_confirm", "password1")
    page.click("#signup-form button[type=submit]")
    page.wait_for_selector("#account-error")
    assert "가장 흔한 비밀번호" in page.inner_text("#account-error")
    w.screenshot("accounts-signup-error-phone-ko")
    w.allowed += ["HTTP 422", "status of 422"]  # that refusal is the page's answer

    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.click("#signup-form button[type=submit]")
    page.wait_for_url("**/account?welcome=1")
    assert translate("ko", "account.notice.welcome") in page.inner_text("#account-notice")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    w.screenshot("accounts-account-phone-ko")

    page.click("#logout-form button[type=submit]")
    page.wait_for_url("**/account/login?logged_out=1")
    log_in(page, "MINSEO", PASSWORD)
    page.wait_for_url("**/account")
    page.fill("#f-current", PASSWORD)
    page.fill("#f-new_password", NEW_PASSWORD)
    page.fill("#f-new_password_confirm", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    page.wait_for_url("**/account?done=password")
    page.fill("#f-delete-password", NEW_PASSWORD)
    page.check("#f-delete-confirm")
    page.click("#delete-form button[type=submit]")
    page.wait_for_url("**/account/signup?deleted=1")
    assert translate("ko", "account.deleted") in page.inner_text("#account-notice")
    w.screenshot("accounts-deleted-phone-ko")
    w.assert_clean()


def test_a_logged_in_user_uses_studio_filters(open_page, tmp_path):
    """Studio's page JS posts the photo with fetch; csrf.js adds the session's token."""
    photo: Path = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(photo, quality=90)
    w = open_page("/account/signup")
    page = w.page
    sign_up(page, "studio-user")
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    page.goto("/studio")
    page.wait_for_selector('#studio[data-ready="true"]')
    with page.expect_request("**/api/v1/studio/filter") as sent:
        page.set_input_files("#filters-file", str(photo))
    assert sent.value.headers.get("x-csrf-token") == token
    page.wait_for_selector('#studio[data-filters-ready="true"]', timeout=60_000)
    assert page.locator('.filter-card[data-state="ready"]').count() > 1
    w.screenshot("accounts-studio-logged-in-desktop-en")
    w.assert_clean()
