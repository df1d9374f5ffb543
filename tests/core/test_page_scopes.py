"""Scoped page versions: a write to one unit's task leaves other units' and other periods'
cached pages served, and no cached page is ever stale (compared with the page computed anew)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import assignment, login
from tracker.core import pagecache, versioning
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.extensions import db
from tracker.units.models import Unit


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    return demo


def _served(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.headers.get("X-Page-Cache", ""), response.get_data(as_text=True)


def _tree_units(directive_id: int) -> set[int]:
    d = db.session.get(Directive, directive_id)
    root = d.parent_id or d.id
    return set(db.session.scalars(
        sa.select(Assignment.unit_id).join(Directive, Directive.id == Assignment.directive_id)
        .where(sa.or_(Directive.id == root, Directive.parent_id == root))
    ))


def _elsewhere(a: Assignment) -> tuple[int, int]:
    """A unit with work this period outside a's directive, and a directive of theirs."""
    touched = _tree_units(a.directive_id)
    root = a.directive.parent_id or a.directive_id
    other = db.session.execute(
        sa.select(Assignment.unit_id, Assignment.directive_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(Directive.period_id == a.directive.period_id, Directive.parent_id.is_(None),
               Directive.id != root, Assignment.unit_id.not_in(touched))
        .order_by(Assignment.id)
    ).first()
    assert other is not None
    return other[0], other[1]


def _report(officer, a: Assignment, percent: str, text: str) -> None:
    response = officer.post(f"/assignments/{a.id}/progress",
                            data={"percent": percent, "result": text, "version": a.version})
    assert response.status_code == 302
    db.session.expire_all()


def test_a_progress_report_leaves_other_units_and_directives_served_from_the_cache(world):
    a = assignment("7", "P9")
    other_unit, other_directive = _elsewhere(a)
    leader = login(world, "chutich")
    officer = login(world, "phuong9")
    if a.state == "not_started":  # the first report moves the state: see the test below
        _report(officer, a, "10", "Bắt đầu triển khai.")
    partner = sorted(_tree_units(a.directive_id) - {a.unit_id})[0]
    pages = {
        "own unit": f"/units/{a.unit_id}",
        "own directive": f"/directives/{a.directive_id}",
        "partner unit": f"/units/{partner}",  # works on the same directive: shows its own part
        "other unit": f"/units/{other_unit}",
        "other directive": f"/directives/{other_directive}",
        "dashboard": "/dashboard",
        "first page": "/",
        "list": "/directives",
    }
    for path in pages.values():
        leader.get(path)
    assert all(_served(leader, p)[0] == "hit" for p in pages.values())

    _report(officer, a, "70", "Đã hoàn thành khảo sát 12 trường.")

    outcome = {name: _served(leader, path) for name, path in pages.items()}
    # a report that moves only the percent leaves every bucket as it was: the pages showing
    # the period's buckets and no progress stay served, and equal to the page computed anew
    for name in ("partner unit", "other unit", "other directive", "dashboard", "first page"):
        assert outcome[name][0] == "hit", name
        assert _without_tokens(outcome[name][1]) == _without_tokens(
            _fresh(world, leader, pages[name])), name
    for name in ("own unit", "own directive", "list"):  # they show the report or its time
        assert outcome[name][0] == "miss", name
    assert "Đã hoàn thành khảo sát 12 trường" in outcome["own directive"][1]
    assert "70%" in outcome["own unit"][1]


def test_a_report_that_moves_a_bucket_makes_the_period_pages_stale(world):
    a = assignment("7", "P9")
    leader = login(world, "chutich")
    officer = login(world, "phuong9")
    if a.state == "not_started":
        _report(officer, a, "10", "Bắt đầu triển khai.")
    for path in ("/dashboard", "/"):
        leader.get(path)
        assert _served(leader, path)[0] == "hit"
    response = officer.post(
        f"/assignments/{a.id}/progress",
        data={"percent": "100", "result": "Đã xong.", "report_done": "1", "version": a.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).state == "awaiting_confirmation"
    for path in ("/dashboard", "/"):
        state, html = _served(leader, path)
        assert state == "miss", path
        assert _without_tokens(html) == _without_tokens(_fresh(world, leader, path)), path


def test_a_change_no_rule_places_makes_every_page_stale(world):
    a = assignment("7", "P9")
    other_unit, _ = _elsewhere(a)
    leader = login(world, "chutich")
    path = f"/units/{other_unit}"
    leader.get(path)
    assert _served(leader, path)[0] == "hit"
    unit = db.session.get(Unit, other_unit)
    unit.name = "Phòng Thử nghiệm đổi tên"
    db.session.commit()
    state, html = _served(leader, path)
    assert state == "miss" and "Phòng Thử nghiệm đổi tên" in html


# --- never stale ---------------------------------------------------------------------------


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def _fresh(app, client, path: str) -> str:
    """The page computed now, the cache set aside."""
    cache = app.extensions.pop("page_cache")
    try:
        return client.get(path).get_data(as_text=True)
    finally:
        app.extensions["page_cache"] = cache


def _writes(a: Assignment, other: Assignment):
    """Changes of every kind the scope rules place, and some they do not."""

    def title():
        a.directive.title = a.directive.title + " (sửa)"

    def deadline():
        other.directive.deadline = dt.date(2023, 4, 1)

    def sub_task_deadline():
        child = db.session.scalar(sa.select(Directive).where(Directive.parent_id.is_not(None)))
        child.deadline = dt.date(2023, 3, 20)

    def progress():
        db.session.add(ProgressUpdate(assignment=other, author_id=None, kind="progress",
                                      percent=40, result="Đang triển khai.",
                                      created_at=dt.datetime(2023, 4, 5, 3, 0)))
        other.percent = 40
        other.state = "in_progress"

    def percent_only():  # after progress(): the state stays, no bucket moves
        db.session.add(ProgressUpdate(assignment=other, author_id=None, kind="progress",
                                      percent=65, result="Đã xong phần lớn.",
                                      created_at=dt.datetime(2023, 4, 6, 3, 0)))
        other.percent = 65
        other.last_update_at = dt.datetime(2023, 4, 6, 3, 0)

    def reassign():
        spare = db.session.scalar(
            sa.select(Unit.id).where(Unit.id.not_in(_tree_units(other.directive_id)))
            .order_by(Unit.id)
        )
        other.unit_id = spare

    added: list[Assignment] = []

    def add():
        spare = db.session.scalar(
            sa.select(Unit.id).where(Unit.id.not_in(_tree_units(a.directive_id)))
            .order_by(Unit.id.desc())
        )
        added.append(Assignment(directive_id=a.directive_id, unit_id=spare, role="support",
                                deadline=dt.date(2023, 4, 30)))
        db.session.add(added[-1])

    def remove():
        db.session.delete(added.pop())

    def rename():
        unit = db.session.get(Unit, other.unit_id)
        unit.name = unit.name + " mới"

    return [title, deadline, sub_task_deadline, progress, percent_only, reassign, add, remove,
            rename]


def test_no_cached_page_is_ever_stale(world):
    a = assignment("7", "P9")
    other_unit, other_directive = _elsewhere(a)
    other = db.session.scalar(sa.select(Assignment).where(
        Assignment.directive_id == other_directive, Assignment.unit_id == other_unit))
    units = sorted({a.unit_id, other_unit, *_tree_units(a.directive_id),
                    *_tree_units(other.directive_id)})
    directives = sorted({a.directive_id, other_directive, *db.session.scalars(
        sa.select(Directive.id).where(Directive.parent_id.is_not(None)).limit(3))})
    paths = ["/", "/dashboard", "/directives", "/directives?period=all",
             "/directives?period=2023-03", *[f"/units/{u}" for u in units],
             *[f"/directives/{d}" for d in directives]]
    clients = {name: login(world, name) for name in ("chutich", "phuong9", "vanphong")}
    for write in _writes(a, other):
        for client in clients.values():
            for path in paths:
                client.get(path)  # fill the cache before the change
        write()
        db.session.commit()
        db.session.expire_all()
        for name, client in clients.items():
            for path in paths:
                cached = client.get(path).get_data(as_text=True)
                fresh = _fresh(world, client, path)
                assert _without_tokens(cached) == _without_tokens(fresh), (
                    f"{path} for {name} is stale after {write.__name__}"
                )
    assert pagecache.cache_for(world).hits > 0


def test_scope_versions_move_only_for_the_parts_a_change_touches(world):
    a = assignment("7", "P9")
    other_unit, other_directive = _elsewhere(a)
    period = a.directive.period_id
    scopes = [f"u:{a.unit_id}", f"u:{other_unit}", f"d:{a.directive_id}",
              f"d:{other_directive}", f"p:{period}", f"ps:{period}"]

    def moved_by(change) -> set[str]:
        before = versioning.scope_tokens(db.session(), scopes)
        change()
        db.session.commit()
        after = versioning.scope_tokens(db.session(), scopes)
        return {s for s, old, new in zip(["base", *scopes], before, after, strict=True)
                if old != new}

    def percent():
        a.percent = 55

    def extension():
        a.extended_deadline = dt.date(2023, 5, 31)

    # the percent shows on the unit's and the directive's pages and in the lists; no bucket
    assert moved_by(percent) == {f"u:{a.unit_id}", f"d:{a.directive_id}", f"p:{period}"}
    # a deadline moves buckets: the period's status pages too
    assert moved_by(extension) == {f"u:{a.unit_id}", f"d:{a.directive_id}", f"p:{period}",
                                   f"ps:{period}"}


# --- pages shared by every reader ------------------------------------------------------------


def test_shared_pages_are_computed_once_for_every_role_and_equal_each_readers_own(world):
    """The first page, the dashboard, the lists and a unit page read nothing of the reader
    (render_page(shared=True)): the copy one reader filled serves the others, and it is the
    page each of them would get computed for them (navigation aside, which is per request)."""
    a = assignment("7", "P9")
    readers = {name: login(world, name) for name in ("chutich", "phuong9", "vanphong", "xem")}
    shared = ["/", "/dashboard", "/directives", "/directives?period=all&q=giao",
              f"/units/{a.unit_id}"]
    first, *others = readers.values()
    for path in shared:
        assert _served(first, path)[0] == "miss", path
        for client in others:
            state, html = _served(client, path)
            assert state == "hit", path
            assert _without_tokens(html) == _without_tokens(_fresh(world, client, path)), path
    # a directive page has forms and buttons by role: kept per role and unit
    path = f"/directives/{a.directive_id}"
    assert _served(readers["chutich"], path)[0] == "miss"
    assert _served(readers["phuong9"], path)[0] == "miss"
    assert _served(readers["phuong9"], path)[0] == "hit"


# --- a list keeps its copy while its rows do not move --------------------------------------------


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-directive="(\d+)"', html)]


def test_a_list_stays_served_until_a_report_on_one_of_its_rows(world):
    """A list shows its rows' latest report: a report on a directive it does not show leaves it
    served; one on a directive it shows, or one that moves a bucket anywhere, does not."""
    leader = login(world, "chutich")
    officer = login(world, "phuong9")
    mine = db.session.scalars(
        sa.select(Assignment).join(Assignment.unit).where(Unit.code == "P9")
        .where(Assignment.state.in_(("in_progress", "not_started"))).order_by(Assignment.id)
    ).all()
    roots = {(a.directive.parent_id or a.directive_id): a for a in mine}
    assert len(roots) >= 2
    (shown_root, on_page), (_, elsewhere) = list(roots.items())[:2]
    for a in (on_page, elsewhere):
        if a.state == "not_started":  # the first report moves a bucket: done before the test
            _report(officer, a, "5", "Bắt đầu.")
    title = db.session.get(Directive, shown_root).title
    path = "/directives?" + urlencode({"period": "all", "q": title[:60]})
    shown = _shown(_served(leader, path)[1])
    assert shown_root in shown and (elsewhere.directive.parent_id
                                    or elsewhere.directive_id) not in shown
    assert _served(leader, path)[0] == "hit"
    elsewhere, on_page = [elsewhere], [on_page]

    _report(officer, elsewhere[0], "45", "Đang làm, chưa xong.")
    state, html = _served(leader, path)
    assert state == "hit"
    assert _without_tokens(html) == _without_tokens(_fresh(world, leader, path))

    _report(officer, on_page[0], "55", "Đã làm thêm một phần.")
    state, html = _served(leader, path)
    assert state == "miss"
    assert _without_tokens(html) == _without_tokens(_fresh(world, leader, path))
    assert _served(leader, path)[0] == "hit"

    # sorted by the latest report, any report may reorder it
    by_update = "/directives?period=all&sort=updated&order=desc"
    leader.get(by_update)
    assert _served(leader, by_update)[0] == "hit"
    _report(officer, elsewhere[0], "50", "Thêm một bước.")
    state, html = _served(leader, by_update)
    assert state == "miss"
    assert _without_tokens(html) == _without_tokens(_fresh(world, leader, by_update))
