"""Every route × every role gets exactly what the permission table says, and a refused request
changes nothing in the database.

The table is written by hand from docs/CONVENTIONS.md; the routes come from ``app.url_map``, so a
new route without an entry fails ``test_every_route_has_an_entry`` with its name. Ids in URLs
are real: unit A's assignment, its directive, its evidence file, its pending extension request.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import url_for

import config
from tests.security.world import ROLES, build_world, diff, fingerprint
from tracker import create_app
from tracker.auth.permissions import PUBLIC_ENDPOINTS

ALL = frozenset(ROLES)
MANAGERS = frozenset({"admin", "leader", "secretariat"})
ADMIN = frozenset({"admin"})
LEADERS = frozenset({"admin", "leader"})
UNIT_A = frozenset({"officer_a"})
PUBLIC = "public"

# endpoint -> roles allowed (for every method of the route), or PUBLIC
PERMISSIONS: dict[str, Any] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "core.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ALL,
    "auth.change_password": ALL,
    # users and units (this issue)
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_password": ADMIN,
    "admin.user_api_token": ADMIN,
    "admin.user_api_token_revoke": ADMIN,
    "admin.units": ADMIN,
    "admin.unit_new": ADMIN,
    "admin.unit_edit": ADMIN,
    # login throttles (issue 16)
    "admin.lockouts": ADMIN,
    "admin.lockout_clear": ADMIN,
    # reading: everyone logged in
    "directives.index": ALL,
    "directives.dashboard": ALL,
    "directives.list": ALL,
    "units.index": ALL,
    "units.detail": ALL,
    "work.directive": ALL,
    "work.my_unit": ALL,
    "reports.index": ALL,
    # the report in the test data is a draft: readers see issued reports only
    "reports.detail": MANAGERS,
    "reports.export_docx": MANAGERS,
    "reports.export_xlsx": MANAGERS,
    "reports.print_page": MANAGERS,
    "api.openapi": ALL,
    "api.periods": ALL,
    "api.directives": ALL,
    "api.directive": ALL,
    "api.assignments": ALL,
    "api.assignment": ALL,
    # evidence: everyone but an officer whose unit is not on the directive
    "work.attachment": ALL - {"officer_b"},
    # the unit's voice: only the unit's own officers
    "work.post_progress": UNIT_A,
    "work.request_extension": UNIT_A,
    "api.post_progress": UNIT_A,
    # decisions
    "work.confirm": MANAGERS,
    "work.decide_extension": LEADERS,
    # directive management
    "manage.new_directive": MANAGERS,
    "manage.edit_directive": MANAGERS,
    "manage.assign": MANAGERS,
    "manage.edit_assignment": MANAGERS,
    "manage.remove_assignment": MANAGERS,
    "manage.withdraw": LEADERS,
    "manage.import_new": MANAGERS,
    "manage.import_preview": MANAGERS,
    "manage.import_confirm": MANAGERS,
    "manage.rules": ADMIN,
    "manage.new_rule": ADMIN,
    "manage.edit_rule": ADMIN,
    "manage.toggle_rule": ADMIN,
    # reports
    "reports.create": MANAGERS,
    "reports.save": MANAGERS,
    "reports.regenerate": MANAGERS,
    "reports.finalise": MANAGERS,
    "reports.settings": MANAGERS,
    # administration
    "calendar.index": ADMIN,
    "calendar.add_exception": ADMIN,
    "calendar.delete_exception": ADMIN,
    "reminders.outbox": ADMIN,
    "reminders.message": ADMIN,
    "reminders.message_html": ADMIN,
    "reminders.resend": ADMIN,
    "reminders.settings": ADMIN,
    "reminders.preferences": ALL,
}


def _payload(endpoint: str, world) -> dict[str, Any]:
    """A well-formed request body, so a refusal is about who asks, not about the input."""
    version = str(world.version())
    forms = {
        "work.post_progress": {"percent": "60", "result": "Kết quả thử", "version": version},
        "work.request_extension": {"reason": "Cần thêm thời gian giải phóng mặt bằng",
                                   "proposed_deadline": "30/06/2023", "version": version},
        "work.confirm": {"comment": "Đồng ý", "decision": "confirm", "version": version},
        "work.decide_extension": {"decision": "approve", "comment": "Đồng ý gia hạn"},
        "manage.remove_assignment": {"version": version},
        "manage.withdraw": {"reason": "Không còn phù hợp"},
        "admin.user_password": {"password": "Mat-Khau-Moi-2023!", "confirm": "Mat-Khau-Moi-2023!"},
        "admin.user_edit": {"full_name": "Đổi tên", "role": "admin", "unit_id": "",
                            "active": "y"},
        "reports.finalise": {},
    }
    if endpoint == "api.post_progress":
        return {"json": {"percent": 60, "result": "Kết quả thử", "version": int(version)}}
    return {"data": forms.get(endpoint, {})}


def _app_for_listing():
    return create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI="sqlite://")


def _routes() -> list[tuple[str, str]]:
    app = _app_for_listing()
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = _routes()


def test_every_route_has_an_entry():
    endpoints = {endpoint for endpoint, _method in ROUTES}
    missing = sorted(endpoints - set(PERMISSIONS))
    assert not missing, (
        f"Routes without an entry in the permission table (tests/security/test_permissions.py "
        f"PERMISSIONS): {', '.join(missing)}"
    )
    stale = sorted(set(PERMISSIONS) - endpoints)
    assert not stale, f"Permission table entries for routes that no longer exist: {stale}"


def test_public_entries_match_the_allow_list():
    public = {name for name, roles in PERMISSIONS.items() if roles == PUBLIC}
    assert public == set(PUBLIC_ENDPOINTS)


def _url(app, endpoint: str, ids: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: ids[name] for name in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get(
        "Location", ""
    )


def _allowed_ok(endpoint: str, method: str, response) -> bool:
    if endpoint == "auth.logout":
        return _is_login_redirect(response)
    if _is_login_redirect(response):
        return False
    if 200 <= response.status_code < 400:
        return True
    # A well-formed POST may still be refused on its merits (state, stale version): not a denial.
    return method == "POST" and response.status_code in (400, 409)


@pytest.mark.parametrize(("endpoint", "method"), ROUTES, ids=[f"{m} {e}" for e, m in ROUTES])
def test_route_answers_every_role_as_the_table_says(app, endpoint, method):
    if endpoint not in PERMISSIONS:
        pytest.fail(f"{endpoint} has no entry in the permission table")
    world = build_world(app)
    url = _url(app, endpoint, world.ids)
    allowed = PERMISSIONS[endpoint]
    if endpoint == "bootstrap.static":
        page = world.client("anonymous").get("/login").get_data(as_text=True)
        url = re.search(r'href="(/bootstrap/static/[^"]+\.css)"', page).group(1)
    for role in (*ROLES, "anonymous"):
        world.client(role)  # log everyone in before the first fingerprint
    problems = []

    def send(role: str):
        response = world.client(role).open(url, method=method, **_payload(endpoint, world))
        response.close()
        return response

    # Anonymous first: to the login page (JSON 401 under /api/), never the data.
    before = fingerprint()
    response = send("anonymous")
    if allowed == PUBLIC:
        if response.status_code >= 400 and not (method == "POST" and response.status_code < 500):
            problems.append(f"anonymous: {response.status_code} on a public route")
    elif url.startswith("/api/"):
        if response.status_code != 401:
            problems.append(f"anonymous: {response.status_code}, expected 401")
    elif not _is_login_redirect(response):
        problems.append(f"anonymous: {response.status_code}, expected a redirect to login")
    if allowed != PUBLIC and diff(before, fingerprint()):
        problems.append(f"anonymous changed {diff(before, fingerprint())}")
    if allowed == PUBLIC:
        assert not problems, problems
        return

    # Forbidden roles next, each checked for "nothing written".
    for role in sorted(ALL - allowed):
        before = fingerprint()
        response = send(role)
        if response.status_code not in (403, 404):
            problems.append(f"{role}: {response.status_code}, expected 403/404")
        changed = diff(before, fingerprint())
        if changed:
            problems.append(f"{role} was refused but changed {changed}")
    # Allowed roles last (their requests may change the data).
    for role in sorted(allowed, key=lambda r: r == "admin"):
        response = send(role)
        if not _allowed_ok(endpoint, method, response):
            problems.append(f"{role}: {response.status_code}, expected to be allowed")
    assert not problems, f"{method} {url} ({endpoint}): " + "; ".join(problems)
