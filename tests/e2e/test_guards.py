"""The journey harness itself: a logged-in page works, and the guards catch what they must."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_login_lands_on_directives_without_leaving_the_server(live_server, browsing) -> None:
    server = live_server("2023-03-20")
    session = browsing(server)
    page = session.login("vanphong")
    assert page.locator("nav").get_by_text("Lê Minh Khoa").is_visible()
    # the seeded tasks of March 2023 are listed on the first page
    assert page.get_by_text("03/2023").first.is_visible()
    session.guard.check()
    assert all(url.startswith(server.url) for url in session.guard.requests)
    assert any(url.endswith(".css") for url in session.guard.requests)


def test_guard_records_foreign_requests_and_console_errors(live_server, browsing) -> None:
    server = live_server("2023-03-20")
    session = browsing(server)
    page = session.new_page()
    page.goto("/login")
    page.evaluate("console.error('broken widget')")
    with pytest.raises(Exception, match="net::ERR_FAILED"):
        page.goto("http://192.0.2.1/outside.js")
    problems = session.guard.problems()
    assert any("192.0.2.1" in p for p in problems)
    assert any("broken widget" in p for p in problems)
    session.guard.checked = True  # this test wanted the problems; nothing else to check
