"""Deny by default: every route needs a login unless it is on the allow-list; CSRF on POST."""

from __future__ import annotations

import re

import pytest

from tracker.auth.permissions import PUBLIC_ENDPOINTS


def _fill(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)


def test_every_route_redirects_anonymous_to_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked >= 2


def test_allow_list_is_small():
    # feeds.calendar: calendar apps fetch a secret .ics address; the view checks the token
    assert {"auth.login", "core.healthz", "static", "bootstrap.static",
            "feeds.calendar"} == PUBLIC_ENDPOINTS


def test_the_calendar_feed_answers_404_without_a_live_token(client):
    for token in ("1", "x" * 43, "x" * 200, "..%2F..%2Fetc"):
        response = client.get(f"/feeds/{token}.ics")
        assert response.status_code == 404, token


@pytest.fixture
def csrf_app(database_url, tmp_path):
    from tests.conftest import build_app, running

    with running(build_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)) as app:
        yield app


def test_post_without_csrf_token_is_rejected(csrf_app, demo):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "chutich", "password": "Demo@TraVinh2023"})
    assert response.status_code == 400
    assert "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ" in response.get_data(as_text=True)


def test_post_with_csrf_token_is_accepted(csrf_app, demo):
    client = csrf_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login",
        data={"username": "chutich", "password": "Demo@TraVinh2023", "csrf_token": token},
    )
    assert response.status_code == 302
