"""/api/docs works offline: Swagger UI comes from this server (swagger-ui-bundle-v2), under
the CSP, and lists the API's operations with every request off 127.0.0.1 blocked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e


def test_api_docs_list_the_operations_with_the_network_blocked(open_page):
    watched = open_page("")
    page = watched.page
    outside: list[str] = []

    def only_this_server(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_this_server)
    page.goto("/api/docs")
    # Swagger UI renders one block per operation once it has fetched the spec.
    jobs_post = page.locator(".opblock-post", has_text="/api/v1/jobs").first
    jobs_post.wait_for(state="visible", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) >= 20, paths
    for path in ("/api/v1/images", "/api/v1/jobs/{job_id}", "/api/v1/posture/analyze"):
        assert any(p.replace("\u200b", "") == path for p in paths), (path, paths)
    assert page.locator(".information-container .title").inner_text().startswith("pixelsmith")
    # Expanding an operation works too (Swagger UI's own scripts run under the CSP).
    jobs_post.locator(".opblock-summary").click()
    page.locator(".opblock-body").first.wait_for(state="visible", timeout=10_000)
    assert not outside, f"requests left 127.0.0.1: {outside}"
    watched.assert_clean()  # no CSP violation, console error or failed request
    watched.screenshot("api-docs")
