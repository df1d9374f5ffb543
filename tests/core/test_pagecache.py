"""The data version and the page cache: pages are reused only while nothing they show changed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import assignment, directive, login
from tracker.auth.models import LoginAttempt
from tracker.core import pagecache, versioning
from tracker.extensions import db
from tracker.units.models import Unit


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    return demo


def _version() -> str:
    return versioning.current(db.session())


def _count_queries(client, path: str) -> tuple[int, str]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200, path
    return len(statements), response.get_data(as_text=True)


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


# --- the data version ------------------------------------------------------------------------


def test_version_changes_with_every_commit_that_changes_shown_data(app):
    db.session.add(Unit(code="T1", name="Phòng Thử", kind="phong"))
    db.session.commit()
    first = _version()
    assert first

    db.session.add(LoginAttempt(username="ai", address="127.0.0.1", success=False,
                                at=dt.datetime(2023, 4, 5, 1, 0)))
    db.session.commit()
    assert _version() == first, "sign-in bookkeeping is not shown on any cached page"

    db.session.commit()
    assert _version() == first, "a commit that wrote nothing"

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "T1"))
    unit.name = "Phòng Thử nghiệm"
    db.session.rollback()
    assert _version() == first, "a rolled back change"

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "T1"))
    unit.name = "Phòng Thử nghiệm"
    db.session.commit()
    second = _version()
    assert second != first

    db.session.execute(sa.update(Unit).values(position=Unit.position + 1))
    db.session.commit()
    assert _version() not in (first, second), "bulk statements count too"


def test_uncommitted_changes_are_seen_by_the_session(app):
    db.session.add(Unit(code="T2", name="Phòng Hai", kind="phong"))
    assert versioning.has_uncommitted_changes(db.session())
    db.session.flush()
    assert versioning.has_uncommitted_changes(db.session())
    db.session.commit()
    assert not versioning.has_uncommitted_changes(db.session())


# --- the cache in the pages ------------------------------------------------------------------

PAGES = ["/", "/dashboard", "/directives?period=all&q=giáo+dục", "/directives/{d}", "/units/{u}"]


@pytest.mark.parametrize("path", PAGES)
def test_second_view_is_the_same_page_for_a_fraction_of_the_queries(world, path):
    path = path.format(d=directive("7").id, u=assignment("7", "P9").unit_id)
    client = login(world, "chutich")
    cold, first = _count_queries(client, path)
    warm, second = _count_queries(client, path)
    assert _without_tokens(second) == _without_tokens(first)
    # the user (with the data version in the same query), then the period list and the
    # tokens of the parts the page shows
    assert warm <= 3 < cold
    assert pagecache.cache_for(world).hits >= 1


def test_a_change_made_in_the_app_shows_on_the_next_view(world):
    a = assignment("7", "P9")
    page = f"/directives/{a.directive_id}"
    officer = login(world, "phuong9")
    leader = login(world, "chutich")
    assert "Đã tổ chức 3 lớp tập huấn" not in leader.get(page).get_data(as_text=True)
    leader.get("/dashboard")

    response = officer.post(
        f"/assignments/{a.id}/progress",
        data={"percent": "60", "result": "Đã tổ chức 3 lớp tập huấn.", "version": a.version},
    )
    assert response.status_code == 302
    assert "Đã tổ chức 3 lớp tập huấn" in leader.get(page).get_data(as_text=True)


def test_a_new_day_recomputes_the_buckets(world):
    client = login(world, "chutich")
    a = assignment("7", "P9")
    page = f"/units/{a.unit_id}"
    before = client.get(page).get_data(as_text=True)
    world.config["TRACKER_TODAY"] = "2023-06-30"
    client = login(world, "chutich")  # weeks later, a fresh session
    after = client.get(page).get_data(as_text=True)
    assert "30/06/2023" in after and "30/06/2023" not in before


def test_each_reader_gets_the_forms_of_their_role_and_unit_with_their_own_token(world):
    world.config["WTF_CSRF_ENABLED"] = True
    a = assignment("7", "P9")
    page = f"/directives/{a.directive_id}"
    token_re = re.compile(
        rf'action="/assignments/{a.id}/progress".*?name="csrf_token" value="([^"]+)"', re.S
    )

    def logged_in(username: str):
        client = world.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        response = client.post("/login", data={"username": username, "csrf_token": token,
                                                "password": "Demo@TraVinh2023"})
        assert response.status_code == 302
        return client

    first, second = logged_in("phuong9"), logged_in("phuong9")
    first_html = first.get(page).get_data(as_text=True)
    second_html = second.get(page).get_data(as_text=True)  # served from the cache
    assert pagecache.cache_for(world).hits >= 1
    first_token = token_re.search(first_html).group(1)
    second_token = token_re.search(second_html).group(1)
    assert first_token != second_token  # each session its own token
    assert "csrf-slot-" not in second_html

    response = second.post(
        f"/assignments/{a.id}/progress",
        data={"percent": "40", "result": "Phiên thứ hai gửi.", "version": a.version,
              "csrf_token": second_token},
    )
    assert response.status_code == 302

    # same page, other readers: no officer's form for another unit, none for a viewer
    for username in ("gddt", "xem"):
        html = logged_in(username).get(page).get_data(as_text=True)
        assert f'action="/assignments/{a.id}/progress"' not in html, username


def test_flashed_messages_still_show_on_a_cached_page(world):
    a = assignment("7", "P9")
    officer = login(world, "phuong9")
    officer.get(f"/directives/{a.directive_id}")
    response = officer.post(
        f"/assignments/{a.id}/progress",
        data={"percent": "50", "result": "Đã triển khai.", "version": a.version},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "alert-success" in response.get_data(as_text=True)


def test_pages_are_the_same_with_the_cache_off(world):
    client = login(world, "chutich")
    with_cache = client.get("/dashboard").get_data(as_text=True)
    world.extensions.pop("page_cache")
    without = client.get("/dashboard").get_data(as_text=True)
    assert _without_tokens(with_cache) == _without_tokens(without)


def test_bad_input_is_never_cached(world):
    client = login(world, "chutich")
    for _ in range(2):
        response = client.get("/directives?as_of=31/02/2023")
        assert response.status_code == 400
    assert len(pagecache.cache_for(world)) == 0


# --- the store itself ------------------------------------------------------------------------


def test_store_drops_least_recently_used_pages_beyond_its_size():
    cache = pagecache.PageCache(max_chars=100)
    generation = ("v1", "2023-04-05")
    assert cache.get(generation, ("a",)) is None
    for name in "abc":
        cache.put(generation, (name,), (name, "x" * 39, False, (), ()))
    assert cache.get(generation, ("a",)) is None  # 3 x 40 > 100: the oldest went
    assert cache.get(generation, ("b",)) is not None
    cache.put(generation, ("d",), ("d", "x" * 39, False, (), ()))
    assert cache.get(generation, ("c",)) is None  # b was used more recently than c
    assert cache.get(generation, ("b",)) is not None
    cache.put(generation, ("huge",), ("h", "x" * 200, False, (), ()))
    assert cache.get(generation, ("huge",)) is None


def test_store_forgets_everything_when_the_data_or_the_day_changes():
    cache = pagecache.PageCache(max_chars=1000)
    cache.put(("v1", "d1"), ("a",), ("a", "b", False, (), ()))  # not stored: no generation seen yet
    assert cache.get(("v1", "d1"), ("a",)) is None
    cache.put(("v1", "d1"), ("a",), ("a", "b", False, (), ()))
    assert cache.get(("v1", "d1"), ("a",)) == ("a", "b", False, (), ())
    assert cache.get(("v2", "d1"), ("a",)) is None
    cache.put(("v1", "d1"), ("a",), ("a", "b", False, (), ()))  # computed under the old version
    assert len(cache) == 0
