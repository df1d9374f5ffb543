"""Two people save forms loaded from the same state: the first save lands, the second gets the
409 page and changes nothing (finding 2 of the attack run: silent lost updates). Directive,
user, routing rule and reminder policy forms, each through the pages as people use them; the
unit and organization forms and the monthly report have their own tests."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import Auth
from tracker.auth.models import User
from tracker.directives.models import Directive
from tracker.extensions import db
from tracker.intake.models import RoutingRule

VERSION = re.compile(r'name="version"[^>]*value="(\d*)"|value="(\d*)"[^>]*name="version"')


def _client(app, username: str):
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302
    return client


def _version_on(page: str) -> str:
    match = VERSION.search(page)
    assert match, "the form carries the version it shows"
    return match.group(1) or match.group(2) or ""


def test_directive_edit(app, demo):
    directive = db.session.scalar(sa.select(Directive).where(Directive.number == "3"))
    url = f"/directives/{directive.id}/edit"
    first, second = _client(app, "vanphong"), _client(app, "chutich")
    shown = _version_on(first.get(url).get_data(as_text=True))
    assert shown == _version_on(second.get(url).get_data(as_text=True))
    form = {"number": directive.number, "text": directive.text, "field": directive.field,
            "deadline_kind": "date", "deadline": "30/04/2023", "leader_id": "",
            "parent_id": "", "period": "03/2023", "version": shown}
    assert first.post(url, data={**form, "title": "Bản của Văn phòng"}).status_code == 302
    stale = second.post(url, data={**form, "title": "Bản của Chủ tịch"})
    assert stale.status_code == 409
    assert "vừa được người khác sửa" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Directive, directive.id).title == "Bản của Văn phòng"
    missing = first.post(url, data={**form, "version": "", "title": "Không có phiên bản"})
    assert missing.status_code == 409  # a form without its version is stale, never a blind write


def test_a_stale_admin_form_does_not_reactivate_a_deactivated_account(app, demo):
    user = db.session.scalar(sa.select(User).where(User.username == "gddt"))
    url = f"/admin/users/{user.id}"
    first, second = _client(app, "admin"), _client(app, "admin")
    shown = _version_on(first.get(url).get_data(as_text=True))
    assert shown == _version_on(second.get(url).get_data(as_text=True))
    form = {"full_name": user.full_name, "title": user.title or "", "email": user.email or "",
            "role": user.role, "unit_id": str(user.unit_id), "version": shown}
    assert first.post(url, data=form).status_code == 302  # unticked "active": deactivated
    stale = second.post(url, data={**form, "active": "y", "full_name": "Tên mới"})
    assert stale.status_code == 409
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.active is False and user.full_name != "Tên mới"


def test_signing_in_does_not_make_an_admin_form_stale(app, demo):
    user = db.session.scalar(sa.select(User).where(User.username == "phuong9"))
    url = f"/admin/users/{user.id}"
    admin = _client(app, "admin")
    shown = _version_on(admin.get(url).get_data(as_text=True))
    _client(app, "phuong9")  # the person signs in meanwhile (last_login_at, session token)
    form = {"full_name": "Thạch Văn Sơn", "title": "", "email": user.email or "",
            "role": user.role, "unit_id": str(user.unit_id), "active": "y", "version": shown}
    assert admin.post(url, data=form).status_code == 302


def test_routing_rule_edit(app, demo):
    rule = db.session.scalar(sa.select(RoutingRule).order_by(RoutingRule.id))
    url = f"/admin/routing-rules/{rule.id}/edit"
    first, second = _client(app, "admin"), _client(app, "admin")
    shown = _version_on(first.get(url).get_data(as_text=True))
    form = {"keywords": rule.keywords, "unit_codes": rule.unit_codes, "role": rule.role,
            "field": rule.field or "", "position": str(rule.position), "version": shown}
    assert first.post(url, data={**form, "position": "7"}).status_code == 302
    stale = second.post(url, data={**form, "position": "9"})
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).position == 7


@pytest.mark.parametrize("stored", [False, True], ids=["defaults", "stored-policy"])
def test_reminder_policy(app, demo, stored):
    url = "/admin/reminder-settings"
    first, second = _client(app, "admin"), _client(app, "admin")
    if stored:  # someone saved the policy once before both opened the page
        page = first.get(url).get_data(as_text=True)
        base = _policy_form(page)
        assert first.post(url, data=base).status_code == 302
    page_one, page_two = first.get(url).get_data(as_text=True), second.get(url).get_data(
        as_text=True)
    assert _version_on(page_one) == _version_on(page_two)
    assert first.post(url, data={**_policy_form(page_one), "upcoming_days": "5"}).status_code == 302
    stale = second.post(url, data={**_policy_form(page_two), "upcoming_days": "9"})
    assert stale.status_code == 409
    assert _policy_form(first.get(url).get_data(as_text=True))["upcoming_days"] == "5"


def _policy_form(page: str) -> dict[str, str]:
    values = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    values.update({name: value for value, name in
                   re.findall(r'value="([^"]*)"[^>]*name="(\w+)"', page)})
    selected = re.search(r'<option selected value="(\d)"', page)
    form = {key: values.get(key, "") for key in (
        "upcoming_days", "overdue_every_days", "escalate_after_days", "escalate_every_days",
        "cutoff_day", "cutoff_notice_days", "run_time", "version")}
    form["digest_weekday"] = selected.group(1) if selected else "0"
    form["on_due_day"] = "y"
    form["csrf_token"] = values.get("csrf_token", "")
    return form
