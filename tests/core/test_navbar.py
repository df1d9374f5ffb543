"""The navigation bar kept per person and data version (tracker/core/navbar.py): it follows the
person's name, unit and counts, and each reader's logout form carries their own CSRF token."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.directives.workflow_helpers import login
from tracker.auth.models import User
from tracker.extensions import db
from tracker.units.models import Unit


def _bar(client, path: str = "/dashboard") -> str:
    html = client.get(path).get_data(as_text=True)
    return html[html.index("<nav class=\"navbar"):html.index("</nav>")]


def _token(bar: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', bar).group(1)


def test_the_bar_is_kept_per_person_and_follows_their_name_unit_and_role(demo):
    officer, other = login(demo, "phuong9"), login(demo, "gddt")
    demo.config["WTF_CSRF_ENABLED"] = True
    first = _bar(officer)
    again = _bar(officer, "/")  # its token is signed with the time: compare all but the token
    assert again == first.replace(_token(first), _token(again))
    assert len(demo.extensions["navbar"].entries) >= 1
    theirs = _bar(other)
    assert "Phường 9" in first and "Phường 9" not in theirs
    assert _token(first) != _token(theirs)  # each session its own token

    user = db.session.scalar(sa.select(User).where(User.username == "phuong9"))
    unit = db.session.get(Unit, user.unit_id)
    user.full_name, unit.name = "Nguyễn Văn Mới", "Phường 9 (mới)"
    db.session.commit()
    bar = _bar(officer)
    assert "Nguyễn Văn Mới" in bar and "Phường 9 (mới)" in bar

    user.role = "leader"  # a role's menus: the leader may add directives
    db.session.commit()
    assert "Thêm nhiệm vụ" not in first and "Thêm nhiệm vụ" in _bar(officer)


def test_the_logout_form_in_a_kept_bar_works(demo):
    client = login(demo, "chutich")
    demo.config["WTF_CSRF_ENABLED"] = True
    _bar(client)
    bar = _bar(client, "/")
    response = client.post("/logout", data={"csrf_token": _token(bar)})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code in (302, 401)
