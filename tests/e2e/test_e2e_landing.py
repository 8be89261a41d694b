"""The landing page and the login page in a real browser against the real server."""

from __future__ import annotations

from conftest_e2e import screenshot


def test_landing_page_links_to_portal_login_and_registration(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "mahnwerk"
    assert page.get_by_role("link", name="Schuldnerportal").first.is_visible()
    page.keyboard.press("Tab")  # the skip link is the first thing a keyboard reaches
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    screenshot(page, "landing")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
