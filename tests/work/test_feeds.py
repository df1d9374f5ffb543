"""Calendar feeds: parsed back with icalendar, one event per open assignment on the deadline in
force, moved when the deadline moves; the secret address opens that calendar only, and a revoked
one answers 404."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import assignment, login, user
from tracker.constants import AWAITING_CONFIRMATION, IN_PROGRESS, NOT_STARTED
from tracker.core import uow
from tracker.directives.models import Assignment
from tracker.directives.presenters import assignment_deadline
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work import feeds, workflow
from tracker.work.models import FeedToken

TODAY = dt.date(2023, 4, 5)


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = TODAY.isoformat()
    return demo


def _create(client, **form) -> str:
    response = client.post("/account/calendar", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    urls = re.findall(r'value="(http://localhost/feeds/[^"]+\.ics)"', page)
    assert urls, page
    return urls[-1].replace("http://localhost", "")


def _calendar(app, path: str) -> icalendar.Calendar:
    response = app.test_client().get(path)  # a calendar app: no session at all
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def _events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def _open_of(unit_code: str) -> list[Assignment]:
    unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == unit_code))
    rows = db.session.scalars(sa.select(Assignment).where(Assignment.unit_id == unit_id))
    return [a for a in rows
            if not a.directive.is_withdrawn and a.state in (NOT_STARTED, IN_PROGRESS,
                                                            AWAITING_CONFIRMATION)
            and assignment_deadline(a, TODAY) is not None]


def test_an_officers_calendar_has_one_event_per_open_assignment(world):
    client = login(world, "kinhte")
    path = _create(client, scope="mine")
    events = _events(_calendar(world, path))
    expected = _open_of("KT")
    assert len(events) == len(expected) > 0
    for a in expected:
        event = events[f"assignment-{a.id}@127.0.0.1"]
        assert event["dtstart"].dt == assignment_deadline(a, TODAY)
        assert event["dtend"].dt == assignment_deadline(a, TODAY) + dt.timedelta(days=1)
        assert str(event["summary"]).startswith(f"Nhiệm vụ {a.directive.number} (tháng 03/2023): ")
        assert str(event["url"]).endswith(f"/directives/{a.directive_id}#a{a.id}")
    # Task 4 runs on its approved extension: the event sits on 28/04, not 31/03.
    four = assignment("4", "KT")
    assert events[f"assignment-{four.id}@127.0.0.1"]["dtstart"].dt == dt.date(2023, 4, 28)
    assert "Hạn ban đầu: 31/03/2023 (đã gia hạn)" in str(
        events[f"assignment-{four.id}@127.0.0.1"]["description"])


def test_a_changed_deadline_changes_the_event(world):
    a = assignment("7", "GDDT")
    path = _create(login(world, "gddt"), scope="unit", unit_id=str(a.unit_id))
    uid = f"assignment-{a.id}@127.0.0.1"
    before = _events(_calendar(world, path))[uid]
    assert before["dtstart"].dt == dt.date(2023, 3, 31)
    request = workflow.request_extension(a, user("gddt"), reason="Chờ hướng dẫn của Sở.",
                                         proposed_deadline=dt.date(2023, 4, 21))
    workflow.decide_extension(request, user("chutich"), approve=True)
    uow.commit()
    after = _events(_calendar(world, path))[uid]
    assert after["dtstart"].dt == dt.date(2023, 4, 21)
    assert int(after["sequence"]) > int(before["sequence"])
    # Done work leaves the calendar.
    workflow.post_progress(a, user("gddt"), percent=100, result="Xong.", report_done=True)
    workflow.confirm_completion(a, user("chutich"))
    uow.commit()
    assert uid not in _events(_calendar(world, path))


def test_a_leaders_calendar_holds_the_lead_work_in_their_charge(world):
    path = _create(login(world, "chutich"), scope="mine")
    events = _events(_calendar(world, path))
    leads = [a for code in ("KT", "GDDT", "BQLDA", "QLDT", "DT") for a in _open_of(code)
             if a.role == "lead"]
    assert {f"assignment-{a.id}@127.0.0.1" for a in leads} <= set(events)
    assert all(str(e["summary"]).count("(tháng 03/2023)") == 1 for e in events.values())
    assert _events(_calendar(world, _create(login(world, "phochutich"), scope="mine"))) == {}


def test_officers_follow_their_own_unit_only(world):
    client = login(world, "gddt")
    p9 = db.session.scalar(sa.select(Unit.id).where(Unit.code == "P9"))
    response = client.post("/account/calendar", data={"scope": "unit", "unit_id": str(p9)})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedToken)) == 0
    assert login(world, "chutich").post(
        "/account/calendar", data={"scope": "unit", "unit_id": str(p9)}).status_code == 302


def test_a_revoked_or_moved_address_is_404(world):
    client = login(world, "phuong9")
    path = _create(client, scope="mine")
    assert world.test_client().get(path).status_code == 200
    feed = db.session.scalar(sa.select(FeedToken))
    assert client.post("/account/calendar/revoke", data={"id": str(feed.id)}).status_code == 302
    assert world.test_client().get(path).status_code == 404
    # Revoking someone else's address does nothing but 404.
    other = _create(login(world, "gddt"), scope="mine")
    mine = db.session.scalar(sa.select(FeedToken).where(FeedToken.revoked_at.is_(None)))
    assert client.post("/account/calendar/revoke", data={"id": str(mine.id)}).status_code == 404
    assert world.test_client().get(other).status_code == 200
    # An officer moved to another unit no longer reads the old unit's calendar.
    gddt = user("gddt")
    unit_feed = _create(login(world, "gddt"), scope="unit", unit_id=str(gddt.unit_id))
    gddt.unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "P9"))
    db.session.commit()
    assert world.test_client().get(unit_feed).status_code == 404
    gddt.active = False
    db.session.commit()
    assert world.test_client().get(other).status_code == 404


def test_the_token_opens_that_calendar_and_nothing_else(world):
    path = _create(login(world, "chutich"), scope="mine")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    anonymous = world.test_client()
    for url in ("/inbox", f"/inbox?token={token}", "/notifications", "/account/calendar"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    api = anonymous.get("/api/v1/directives", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    # A token that differs by one character, or a guessed one, opens nothing.
    changed = token[:-1] + ("B" if token.endswith("A") else "A")
    assert anonymous.get(f"/feeds/{changed}.ics").status_code == 404
    assert anonymous.get("/feeds/" + "A" * 32 + ".ics").status_code == 404
    # The address is never stored: only its SHA-256 is.
    row = db.session.scalar(sa.select(FeedToken))
    assert row.token_hash == feeds.hash_of(token) and token not in (row.salt, row.token_hash)


def test_a_new_secret_key_voids_every_address(world):
    path = _create(login(world, "chutich"), scope="mine")
    world.config["SECRET_KEY"] = "another-key"
    assert world.test_client().get(path).status_code == 404


def test_the_feed_costs_the_same_queries_with_more_work(world):
    path = _create(login(world, "gddt"), scope="mine")

    def count() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            world.test_client().get(path)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    count()  # the first fetch also records when the address was last used
    before = count()
    from tracker.directives import services
    from tracker.directives.models import Directive

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "GDDT"))
    for d in db.session.scalars(sa.select(Directive).where(Directive.parent_id.is_(None))):
        if not any(a.unit_id == unit.id for a in d.assignments):
            services.assign_unit(d, unit, "support",
                                 services.DeadlineSpec("date", day=dt.date(2023, 4, 20)))
    uow.commit()
    assert count() == before
    assert len(_events(_calendar(world, path))) >= 10
