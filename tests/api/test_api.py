"""The JSON API: reads with buckets and filters, progress posts with the page's permissions,
token and cookie authentication, Vietnamese JSON errors; every response fits the OpenAPI schema."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
import sqlalchemy as sa

from tests.api.oas import check
from tests.directives.pagedata import AS_OF, demo_directives, spread_over_buckets, unit_by_code
from tracker.auth.models import User
from tracker.core.jsonbody import MAX_JSON_BYTES, nesting_depth
from tracker.core.models import AuditEvent
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.directives.presenters import assignment_status, directive_status
from tracker.extensions import db

Q = "as_of=05/04/2023"


def issue_token(runner, username: str) -> str:
    result = runner.invoke(args=["users", "token", username])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def spread(demo):
    spread_over_buckets()
    return demo


@pytest.fixture
def tokens(spread, runner):
    return {name: issue_token(runner, name) for name in ("gddt", "phuong9", "xem", "chutich")}


def open_assignment(code: str) -> Assignment:
    unit = unit_by_code(code)
    return db.session.scalar(
        sa.select(Assignment)
        .join(Directive)
        .where(Assignment.unit_id == unit.id, Assignment.state.in_(["not_started", "in_progress"]),
               Directive.withdrawn_at.is_(None))
        .order_by(Assignment.id)
        .limit(1)
    )


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)),
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
    )


# --- authentication -------------------------------------------------------------------------


def test_token_is_stored_hashed_and_replaced(spread, runner):
    first = issue_token(runner, "gddt")
    user = db.session.scalar(sa.select(User).where(User.username == "gddt"))
    assert user.api_token_hash == hashlib.sha256(first.encode()).hexdigest()
    second = issue_token(runner, "gddt")
    assert second != first


def test_token_authenticates_api_requests_only(client, tokens):
    response = client.get("/api/v1/periods", headers=bearer(tokens["xem"]))
    body = check(response, "/periods")
    assert body["items"][0]["key"] == "2023-03"
    assert "Set-Cookie" not in response.headers  # no session for token requests
    page = client.get("/", headers=bearer(tokens["xem"]))
    assert page.status_code == 302 and "/login" in page.headers["Location"]


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Basic abc", "Bearer " + "x" * 500])
def test_bad_token_is_401_json(client, tokens, header):
    response = client.get("/api/v1/directives", headers={"Authorization": header})
    body = check(response, "/directives")
    assert response.status_code == 401 and body["status"] == 401
    assert body["error"] == "Chưa đăng nhập."


def test_revoked_and_inactive_users_lose_access(client, tokens, runner):
    user = db.session.scalar(sa.select(User).where(User.username == "xem"))
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/periods", headers=bearer(tokens["xem"])).status_code == 401
    issue_token(runner, "gddt")  # replacing the token ends the old one
    assert client.get("/api/v1/periods", headers=bearer(tokens["gddt"])).status_code == 401


def test_openapi_document_needs_login(client, tokens):
    assert client.get("/api/v1/openapi.json").status_code == 401
    response = client.get("/api/v1/openapi.json", headers=bearer(tokens["xem"]))
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


def test_session_cookie_reads_work(client, spread, auth):
    auth.login("xem")
    check(client.get(f"/api/v1/directives?{Q}"), "/directives")


# --- reads ----------------------------------------------------------------------------------


def test_directive_list_matches_the_list_page(client, tokens, auth):
    h = bearer(tokens["xem"])
    auth.login("xem")
    for query in ("", "q=phuong 9", "q=giao duc", "bucket=overdue", "field=kinh_te",
                  "sort=deadline&order=desc", "period=all&bucket=withdrawn"):
        api = check(client.get(f"/api/v1/directives?{Q}&{query}", headers=h), "/directives")
        html = client.get(f"/directives?{Q}&{query}").get_data(as_text=True)
        page_ids = [int(i) for i in re.findall(r'data-directive="(\d+)"', html)]
        assert [d["id"] for d in api["items"]] == page_ids, query
    client.post("/logout")


def test_directive_list_items_carry_bucket_deadline_units(client, tokens):
    body = check(client.get(f"/api/v1/directives?{Q}&per_page=100",
                            headers=bearer(tokens["xem"])), "/directives")
    by_id = {d.id: d for d in demo_directives()}
    assert body["total"] == 15 and len(body["items"]) == 15
    for item in body["items"]:
        d = by_id[item["id"]]
        assert item["bucket"] == directive_status(d, AS_OF).bucket.value
        assert item["deadline"] == (d.deadline.isoformat() if d.deadline else None)
        assert {u["assignment_id"] for u in item["units"]} == {a.id for a in d.assignments}
    six = next(i for i in body["items"] if i["number"] == "6")
    assert len(six["sub_directives"]) == 2


def test_paging(client, tokens):
    h = bearer(tokens["xem"])
    first = check(client.get(f"/api/v1/directives?{Q}&per_page=4", headers=h), "/directives")
    assert first["pages"] == 4 and len(first["items"]) == 4
    ids = []
    for page in range(1, 5):
        body = check(client.get(f"/api/v1/directives?{Q}&per_page=4&page={page}", headers=h),
                     "/directives")
        ids += [d["id"] for d in body["items"]]
    assert len(ids) == len(set(ids)) == 15


def test_directive_detail(client, tokens):
    six = next(d for d in demo_directives() if d.number == "6")
    body = check(client.get(f"/api/v1/directives/{six.id}?{Q}", headers=bearer(tokens["xem"])),
                 "/directives/{directive_id}")
    assert body["bucket"] == directive_status(six, AS_OF).bucket.value
    assert [c["number"] for c in body["sub_directives"]] == ["6.1", "6.2"]
    one = next(d for d in demo_directives() if d.number == "1")
    body = check(client.get(f"/api/v1/directives/{one.id}?{Q}", headers=bearer(tokens["xem"])),
                 "/directives/{directive_id}")
    assert body["bucket"] == "done_on_time"
    for item in body["assignments"]:
        a = db.session.get(Assignment, item["id"])
        assert item["bucket"] == assignment_status(a, AS_OF).bucket.value
    missing = client.get("/api/v1/directives/999999", headers=bearer(tokens["xem"]))
    assert check(missing, "/directives/{directive_id}")["error"] == "Không tìm thấy nhiệm vụ."


def test_assignment_list_filters(client, tokens):
    h = bearer(tokens["xem"])
    unit = unit_by_code("GDDT")
    body = check(client.get(f"/api/v1/assignments?unit={unit.id}&{Q}&per_page=100", headers=h),
                 "/assignments")
    mine = [a for d in demo_directives() for a in d.assignments if a.unit_id == unit.id]
    assert sorted(i["id"] for i in body["items"]) == sorted(a.id for a in mine)
    everything = [a for d in demo_directives() for a in d.assignments]
    for bucket in ("overdue", "done_on_time", "withdrawn", "no_deadline"):
        body = check(client.get(f"/api/v1/assignments?bucket={bucket}&{Q}&per_page=100",
                                headers=h), "/assignments")
        expected = {a.id for a in everything if assignment_status(a, AS_OF).bucket.value == bucket}
        assert {i["id"] for i in body["items"]} == expected, bucket
        assert expected


def test_assignment_detail_and_404(client, tokens):
    a = open_assignment("GDDT")
    body = check(client.get(f"/api/v1/assignments/{a.id}?{Q}", headers=bearer(tokens["xem"])),
                 "/assignments/{assignment_id}")
    assert body["unit"]["code"] == "GDDT" and body["version"] == a.version
    missing = client.get("/api/v1/assignments/999999", headers=bearer(tokens["xem"]))
    assert check(missing, "/assignments/{assignment_id}")["status"] == 404


@pytest.mark.parametrize("query", ["bucket=late", "period=2023-13", "unit=x", "per_page=500",
                                   "as_of=32/01/2023", "against=neither", "page=-1"])
def test_bad_parameters_are_400_json(client, tokens, query):
    for path in ("/directives", "/assignments"):
        response = client.get(f"/api/v1{path}?{query}", headers=bearer(tokens["xem"]))
        body = check(response, path)
        assert response.status_code == 400 and body["status"] == 400, (path, query)
        assert "không hợp lệ" in body["error"] or "Tối đa" in body["error"]


# --- progress -------------------------------------------------------------------------------

PROGRESS = "/assignments/{assignment_id}/progress"


def post(client, a, body, token=None, headers=None):
    headers = {**(bearer(token) if token else {}), **(headers or {})}
    return client.post(f"/api/v1/assignments/{a.id}/progress", json=body, headers=headers)


def test_officer_posts_progress_with_token(client, tokens):
    a = open_assignment("GDDT")
    version = a.version
    before = counts()
    response = post(client, a, {"percent": 40, "result": "Đã tổ chức hội nghị triển khai.",
                                "difficulties": "Thiếu kinh phí", "version": version,
                                "unit": 999, "state": "done", "author": 1})
    assert response.status_code == 401  # no credentials at all
    response = post(client, a, {"percent": 40, "result": "Đã tổ chức hội nghị triển khai.",
                                "difficulties": "Thiếu kinh phí", "version": version,
                                "unit": 999, "state": "done", "author": 1}, tokens["gddt"])
    body = check(response, PROGRESS, "post")
    assert response.status_code == 201, body
    assert body["update"]["percent"] == 40 and body["update"]["kind"] == "progress"
    assert body["assignment"]["state"] == "in_progress" and body["assignment"]["version"] > version
    db.session.expire_all()
    after = counts()
    assert after[0] == before[0] + 1 and after[1] > before[1]
    fresh = db.session.get(Assignment, a.id)
    assert fresh.unit.code == "GDDT" and fresh.state == "in_progress"  # extra fields ignored
    update = db.session.scalar(sa.select(ProgressUpdate).order_by(ProgressUpdate.id.desc()))
    assert update.author.username == "gddt" and update.difficulties == "Thiếu kinh phí"


def test_report_done_moves_to_awaiting_confirmation(client, tokens):
    a = open_assignment("GDDT")
    response = post(client, a, {"percent": 80, "result": "Hoàn thành.", "report_done": True},
                    tokens["gddt"])
    body = check(response, PROGRESS, "post")
    assert body["assignment"]["state"] == "awaiting_confirmation"
    again = post(client, a, {"percent": 90, "result": "Thêm"}, tokens["gddt"])
    assert check(again, PROGRESS, "post")["status"] == 409


@pytest.mark.parametrize("who", ["phuong9", "xem", "chutich"])
def test_others_get_403_and_nothing_written(client, tokens, who):
    a = open_assignment("GDDT")
    before = counts()
    response = post(client, a, {"percent": 10, "result": "Thử"}, tokens[who])
    body = check(response, PROGRESS, "post")
    assert response.status_code == 403 and "đơn vị được giao" in body["error"]
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(Assignment, a.id).percent == a.percent


def test_unknown_assignment_is_404(client, tokens):
    response = client.post("/api/v1/assignments/999999/progress",
                           json={"percent": 1, "result": "x"}, headers=bearer(tokens["gddt"]))
    assert check(response, PROGRESS, "post")["status"] == 404


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[1, 2, 3]",
        b"null",
        b'"text"',
        {"result": "thiếu percent"},
        {"percent": "50", "result": "chuỗi thay vì số"},
        {"percent": 50.5, "result": "số thực"},
        {"percent": True, "result": "boolean"},
        {"percent": 101, "result": "quá 100"},
        {"percent": -1, "result": "âm"},
        {"percent": 10},
        {"percent": 10, "result": "   "},
        {"percent": 10, "result": ["danh", "sách"]},
        {"percent": 10, "result": "ok", "difficulties": 5},
        {"percent": 10, "result": "ok", "proposals": {"a": 1}},
        {"percent": 10, "result": "x" * 20_001},
        {"percent": 10, "result": "ok", "difficulties": "y" * 1_000_000},
        {"percent": 10, "result": "ok", "version": "2"},
        {"percent": 10, "result": "ok", "version": 0},
        {"percent": 10, "result": "ok", "report_done": "yes"},
    ],
)
def test_bad_bodies_are_400_json_and_write_nothing(client, tokens, payload):
    a = open_assignment("GDDT")
    before = counts()
    headers = {**bearer(tokens["gddt"]), "Content-Type": "application/json"}
    if isinstance(payload, bytes):
        response = client.post(f"/api/v1/assignments/{a.id}/progress", data=payload,
                               headers=headers)
    else:
        response = client.post(f"/api/v1/assignments/{a.id}/progress", json=payload,
                               headers=headers)
    body = check(response, PROGRESS, "post")
    # A body past the JSON limit is refused before parsing: 413, like any oversized request.
    size = len(payload) if isinstance(payload, bytes) else len(json.dumps(payload))
    expected = 413 if size > MAX_JSON_BYTES else 400
    assert response.status_code == expected, body
    assert body["status"] == expected and re.search(r"[àáảãạăâđêôơưữựếệộ]", body["error"])
    db.session.expire_all()
    assert counts() == before


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, tokens, depth):
    a = open_assignment("GDDT")
    before = counts()
    body = b'{"percent": 10, "result": "ok", "x": ' + b"[" * depth + b"]" * depth + b"}"
    response = client.post(f"/api/v1/assignments/{a.id}/progress", data=body,
                           headers={**bearer(tokens["gddt"]), "Content-Type": "application/json"})
    assert response.status_code in (400, 413)
    assert "lồng nhau quá sâu" in response.get_json()["error"] or response.status_code == 413
    db.session.expire_all()
    assert counts() == before


def test_nesting_depth_skips_brackets_inside_strings():
    assert nesting_depth(rb'{"a": "[[[[{{{{\\"}') == 1  # an escaped backslash ends nothing
    assert nesting_depth(rb'{"a": "\"[[["}') == 1  # an escaped quote keeps the string open
    assert nesting_depth(b'[[1], {"b": [2]}]') == 3


def test_stale_version_is_409_with_current_values(client, tokens):
    a = open_assignment("GDDT")
    old = a.version
    first = post(client, a, {"percent": 20, "result": "Lần 1", "version": old}, tokens["gddt"])
    assert first.status_code == 201
    before = counts()
    second = post(client, a, {"percent": 30, "result": "Lần 2", "version": old}, tokens["gddt"])
    body = check(second, PROGRESS, "post")
    assert second.status_code == 409
    assert body["current"]["percent"] == 20 and "người khác" in body["error"]
    db.session.expire_all()
    assert counts() == before


@pytest.fixture
def csrf_client(database_url, tmp_path):
    from tests.conftest import build_app, running
    from tracker.demo.seed import seed_demo

    with running(build_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)) as app:
        seed_demo()
        db.session.commit()
        yield app, app.test_client()


def test_cookie_posts_need_the_csrf_header_token_posts_do_not(csrf_client):
    app, client = csrf_client
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "gddt", "password": "Demo@TraVinh2023",
                                "csrf_token": token})
    a = open_assignment("GDDT")
    before = counts()
    refused = post(client, a, {"percent": 15, "result": "Không có mã CSRF"})
    assert check(refused, PROGRESS, "post")["status"] == 400
    db.session.expire_all()
    assert counts() == before
    page = client.get("/").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = post(client, a, {"percent": 15, "result": "Có mã CSRF"},
                    headers={"X-CSRFToken": csrf_token})
    assert check(accepted, PROGRESS, "post")["update"]["percent"] == 15
    api_token = issue_token(app.test_cli_runner(), "gddt")
    fresh = app.test_client()
    by_token = post(fresh, db.session.get(Assignment, a.id),
                    {"percent": 25, "result": "Bằng mã truy cập"}, api_token)
    assert by_token.status_code == 201


def test_ids_beyond_the_database_integer_are_404(client, tokens):
    """PostgreSQL integers stop at 2**31 - 1; a bigger id is "not found", never a 500."""
    h = bearer(tokens["gddt"])
    huge = 2**63
    for url, template in ((f"/api/v1/directives/{huge}", "/directives/{directive_id}"),
                          (f"/api/v1/assignments/{huge}", "/assignments/{assignment_id}")):
        response = client.get(url, headers=h)
        assert check(response, template)["status"] == 404
    response = client.post(f"/api/v1/assignments/{huge}/progress", json={"percent": 1,
                           "result": "x"}, headers=h)
    assert check(response, PROGRESS, "post")["status"] == 404
