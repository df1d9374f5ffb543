"""Every route × every role gets exactly what the permission table says, and a refused request
changes nothing in the database.

The table is data in tracker/auth/permissions.py: each view declares its action with
``@requires``, and the roles allowed are the table's row for that action, narrowed by its object
rule for the ids in the URL (unit A's assignment, its directive, its evidence file, its pending
extension request, a draft report). The routes come from ``app.url_map``: a route that is neither
public nor declares an action fails ``test_every_route_is_public_or_declares_an_action``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

import config
from tests.security.world import ROLES, USERNAMES, build_world, diff, fingerprint
from tracker import create_app
from tracker.auth import permissions
from tracker.auth.models import User
from tracker.auth.permissions import PUBLIC_ENDPOINTS, Action
from tracker.extensions import db

ALL = frozenset(ROLES)
PUBLIC = "public"


def _app_for_listing():
    return create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI="sqlite://")


_LISTING_APP = _app_for_listing()
ROUTES = sorted(
    (rule.endpoint, method)
    for rule in _LISTING_APP.url_map.iter_rules()
    for method in rule.methods - {"HEAD", "OPTIONS"}
)


def action_of(endpoint: str) -> Action | None:
    return permissions.declared_action(_LISTING_APP.view_functions.get(endpoint))


def test_every_route_is_public_or_declares_an_action():
    undeclared = sorted(
        endpoint for endpoint, _ in ROUTES
        if endpoint not in PUBLIC_ENDPOINTS and action_of(endpoint) is None
    )
    assert not undeclared, f"Routes with no permission (add @requires(Action.X)): {undeclared}"
    stale = sorted(PUBLIC_ENDPOINTS - {endpoint for endpoint, _ in ROUTES})
    assert not stale, f"Public entries for routes that no longer exist: {stale}"


def test_every_action_is_used_by_some_route():
    used = {action_of(endpoint) for endpoint, _ in ROUTES}
    assert set(Action) <= used, f"Actions no route performs: {set(Action) - used}"


def test_an_undeclared_view_is_refused(app, demo, client, auth):
    """Deny by default: a view that forgot its @requires answers 403, even to an admin."""
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403
    auth.login("admin")
    response = client.get("/forgotten")
    assert response.status_code == 403 and "secret" not in response.get_data(as_text=True)


def _target(action: Action, world) -> Any:
    """What the object rule looks at, for the ids this world puts in every URL."""
    from tracker.directives.models import Assignment
    from tracker.reports.models import Report

    if action is Action.REPORT_PROGRESS:
        return db.session.get(Assignment, world.ids["assignment_id"])
    if action is Action.DOWNLOAD_EVIDENCE:
        assignment = db.session.get(Assignment, world.ids["assignment_id"])
        return {a.unit_id for a in assignment.directive.assignments}
    if action is Action.READ_REPORT:
        return db.session.get(Report, world.ids["report_id"])
    return None


def allowed_roles(endpoint: str, world) -> frozenset[str]:
    """The table's answer for each role of the world, object rule included."""
    action = action_of(endpoint)
    target = _target(action, world)
    allowed = set()
    for role in ROLES:
        user = db.session.scalar(sa.select(User).where(User.username == USERNAMES[role]))
        if permissions.can(user, action, target):
            allowed.add(role)
    return frozenset(allowed)


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
    world = build_world(app)
    url = _url(app, endpoint, world.ids)
    allowed = PUBLIC if endpoint in PUBLIC_ENDPOINTS else allowed_roles(endpoint, world)
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
