"""Security headers on every answer (issue 20): a Content-Security-Policy without inline
script and without framing, nosniff, a referrer policy, and no caching of pages and API
answers (they carry personal data); the static files may be cached."""

from __future__ import annotations

import pytest

from mahnwerk.web.security import CSP

from .test_workspace import client, login, runtime, world  # noqa: F401  (fixtures)


def assert_safe(response, *, cached: bool = False) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "'unsafe-inline'" not in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    if cached:
        assert headers.get("cache-control") != "no-store"
    else:
        assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/login", "/portal", "/register", "/nowhere"])
def test_public_pages_and_errors_carry_the_headers(client, path):  # noqa: F811
    assert_safe(client.get(path))


def test_signed_in_pages_and_the_api_carry_them_and_are_never_cached(client, world):  # noqa: F811
    login(client, "agent@example.org")
    page = client.get(f"/work/cases/{world.case_a}")
    assert page.status_code == 200
    assert_safe(page)
    assert_safe(client.get("/api/v1/cases"))  # 401 without a key: still the headers
    assert_safe(client.get("/api/v1/openapi.json"))


def test_static_files_may_be_cached_and_no_page_has_inline_script(client, world):  # noqa: F811
    assert_safe(client.get("/static/htmx.min.js"), cached=True)
    login(client, "agent@example.org")
    for path in ("/work", f"/work/cases/{world.case_a}", "/", "/login"):
        text = client.get(path).text
        assert "<script>" not in text and "<script " not in text.replace(
            '<script src="/static/', ""
        ), path
        assert " onclick=" not in text and " style=" not in text, path
