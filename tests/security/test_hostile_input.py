"""Hostile input: extra fields ignored, garbage over every POST route and API endpoint never
gives a 500 and a refusal writes nothing, an officer cannot touch another unit's objects, and
stored text comes out escaped on pages, in e-mails, .docx and .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.security.test_permissions import ROUTES, allowed_roles
from tests.security.world import build_world, diff, fingerprint
from tracker.auth.models import User
from tracker.auth.permissions import PUBLIC_ENDPOINTS
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.extensions import db
from tracker.units.models import Unit

HOSTILE = '<script>alert("x")</script> \'quoted\' "double" =HYPERLINK("http://evil.example")'
FIELDS = (
    "percent", "result", "difficulties", "proposals", "version", "reason", "proposed_deadline",
    "comment", "decision", "period", "as_of", "title", "text", "number", "field", "deadline",
    "unit_id", "unit", "units", "lead", "support", "role", "keywords", "unit_codes", "position",
    "active", "name", "code", "kind", "email", "full_name", "username", "password", "confirm",
    "current", "new", "day", "note", "legal_source", "notify_mode", "leader_id", "status",
    "report_done", "section", "content", "directive_id", "assignment_id", "author_id",
)
GARBAGE_VALUES = {
    "wrong-types": "không-phải-số",
    "negative": "-99999999999999999999",
    "huge": "Đ" * 30_000,  # 48 such fields stay under the upload limit, so forms see them
    "invalid-date": "31/02/2023",
    "control-chars": "\x00\x01\x1b[31m\u202e",
}
POST_ROUTES = [(e, m) for e, m in ROUTES if m == "POST" and e not in PUBLIC_ENDPOINTS]
API_GETS = [(e, m) for e, m in ROUTES if e.startswith("api.") and m == "GET"]


def _role_for(endpoint: str, world) -> str:
    allowed = allowed_roles(endpoint, world)
    for role in ("officer_a", "secretariat", "leader", "admin", "viewer"):
        if role in allowed:
            return role
    raise AssertionError(endpoint)


def _url(app, endpoint: str, ids: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: ids[name] for name in rule.arguments})


def _unknown_ids(ids: dict) -> dict:
    return {k: (987654 if isinstance(v, int) else "khong-co-ma-nay") for k, v in ids.items()}


@pytest.mark.parametrize(("endpoint", "method"), POST_ROUTES, ids=[e for e, _m in POST_ROUTES])
def test_garbage_posts_never_500_and_refusals_write_nothing(app, endpoint, method):
    world = build_world(app)
    client = world.client(_role_for(endpoint, world))
    url = _url(app, endpoint, world.ids)
    attempts: list[tuple[str, dict]] = [
        (name, {"data": {field: value for field in FIELDS}})
        for name, value in GARBAGE_VALUES.items()
    ]
    attempts += [
        ("broken-utf8", {"data": b"result=\xff\xfe\xfd&percent=\xc3&title=\xed\xa0\x80&name=\x80",
                         "content_type": "application/x-www-form-urlencoded"}),
        ("broken-multipart", {"data": b"--x\r\nContent-Disposition: form-data; name=\"\xff\"\r\n",
                              "content_type": "multipart/form-data; boundary=x"}),
        ("json-garbage", {"data": b"{not json", "content_type": "application/json"}),
        ("json-wrong-types", {"json": {"percent": [1], "result": {"a": 1}, "version": "x",
                                       "report_done": "maybe", "files": 7}}),
        ("file-instead-of-text", {"data": {"result": (io.BytesIO(b"\x00" * 10), "x.exe"),
                                           "files": (io.BytesIO(b"MZ\x90\x00"), "../../x.exe")},
                                  "content_type": "multipart/form-data"}),
    ]
    problems = []
    for name, kwargs in attempts:
        before = fingerprint()
        response = client.post(url, **kwargs)
        response.close()
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        elif response.status_code >= 400 and diff(before, fingerprint()):
            problems.append(f"{name}: refused with {response.status_code} but wrote "
                            f"{diff(before, fingerprint())}")
    # Unknown ids in the URL: 404, nothing written.
    if "<" in next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint):
        before = fingerprint()
        response = client.post(_url(app, endpoint, _unknown_ids(world.ids)),
                               data={"percent": "10", "result": "x"})
        if response.status_code != 404:
            problems.append(f"unknown id: {response.status_code}")
        if diff(before, fingerprint()):
            problems.append(f"unknown id wrote {diff(before, fingerprint())}")
    assert not problems, f"POST {url} as {_role_for(endpoint, world)}: " + "; ".join(problems)


@pytest.mark.parametrize(("endpoint", "method"), API_GETS, ids=[e for e, _m in API_GETS])
def test_garbage_api_queries_are_4xx_json(app, endpoint, method):
    world = build_world(app)
    client = world.client("viewer")
    url = _url(app, endpoint, world.ids)
    queries = [
        "page=abc&per_page=-5", "as_of=31/02/2023", "as_of=2023-13-45", "period=zz-99",
        "status=%3Cscript%3E", "q=" + "x" * 100_000, "page=99999999999999999999999",
        "unit=%ff%fe", "against=nothing&field=%00",
    ]
    for query in queries:
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, (query, response.status_code)
        assert response.is_json, (query, response.content_type)
    missing = client.get(_url(app, endpoint, _unknown_ids(world.ids)))
    if "<" in next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint):
        assert missing.status_code == 404 and missing.get_json()["status"] == 404


# --- extra fields are ignored ------------------------------------------------------------------

def _extra(world) -> dict:
    admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    return {
        "unit_id": str(world.ids["unit_b"]), "unit": "P9", "state": "done", "status": "done",
        "author_id": str(admin_id), "author": "admin", "role": "admin", "kind": "confirmed",
        "assignment_id": "1", "directive_id": "1", "created_at": "2020-01-01",
    }


def test_extra_form_fields_are_ignored_on_progress(app):
    world = build_world(app)
    client = world.client("officer_a")
    data = {"percent": "70", "result": "Đã hoàn tất 70% khối lượng", "version": world.version()}
    data.update(_extra(world))
    response = client.post(f"/assignments/{world.ids['assignment_id']}/progress", data=data)
    assert response.status_code == 302
    update = db.session.scalar(sa.select(ProgressUpdate).order_by(ProgressUpdate.id.desc()))
    assignment = db.session.get(Assignment, world.ids["assignment_id"])
    assert update.assignment_id == world.ids["assignment_id"]
    assert update.author.username == "bqlda" and update.kind == "progress"
    assert update.created_at.year >= 2023 and update.created_at.year != 2020
    assert assignment.state == "in_progress" and assignment.unit_id == world.ids["unit_a"]


def test_extra_json_fields_are_ignored_on_api_progress(app):
    world = build_world(app)
    client = world.client("officer_a")
    body = {"percent": 65, "result": "Qua API", "version": world.version(), **_extra(world)}
    response = client.post(f"/api/v1/assignments/{world.ids['assignment_id']}/progress",
                           json=body)
    assert response.status_code in (200, 201), response.get_json()
    update = db.session.scalar(sa.select(ProgressUpdate).order_by(ProgressUpdate.id.desc()))
    assert update.author.username == "bqlda" and update.kind == "progress"
    assignment = db.session.get(Assignment, world.ids["assignment_id"])
    assert assignment.state == "in_progress" and assignment.unit_id == world.ids["unit_a"]


def test_extra_fields_cannot_raise_your_own_role(app):
    world = build_world(app)
    client = world.client("viewer")
    response = client.post("/account/password", data={
        "current": "Demo@TraVinh2023", "new": "Mot-Mat-Khau-Moi-2024",
        "confirm": "Mot-Mat-Khau-Moi-2024", "role": "admin", "unit_id": "1", "active": "y",
        "username": "admin",
    })
    assert response.status_code == 302
    viewer = db.session.scalar(sa.select(User).where(User.username == "xem"))
    assert viewer.role == "viewer" and viewer.unit_id is None


# --- object-level checks: unit B's officer on unit A's objects -----------------------------------

OBJECT_ROUTES = [
    ("post", "/assignments/{assignment_id}/progress", {"percent": "90", "result": "Giả mạo"}),
    ("post", "/assignments/{assignment_id}/extension",
     {"reason": "Giả mạo", "proposed_deadline": "30/12/2023"}),
    ("post", "/assignments/{assignment_id}/confirm", {"decision": "confirm"}),
    ("post", "/extensions/{request_id}/decide", {"decision": "approve"}),
    ("post", "/assignments/{assignment_id}/remove", {}),
    ("post", "/assignments/{assignment_id}/edit", {"role": "support"}),
    ("post", "/directives/{directive_id}/edit", {"title": "Giả mạo"}),
    ("post", "/reports/{report_id}/save", {"content": "Giả mạo"}),
    ("post", "/reports/{report_id}/finalise", {}),
    ("post", "/admin/users/{user_id}", {"role": "admin", "full_name": "x"}),
    ("post", "/admin/users/{user_id}/password", {"password": "Mat-Khau-Gia-Mao-1",
                                                 "confirm": "Mat-Khau-Gia-Mao-1"}),
    ("post", "/api/v1/assignments/{assignment_id}/progress", None),
    ("get", "/attachments/{attachment_id}", None),
]


@pytest.mark.parametrize(("method", "template", "data"), OBJECT_ROUTES,
                         ids=[t for _m, t, _d in OBJECT_ROUTES])
def test_officer_of_unit_b_cannot_touch_unit_a(app, method, template, data):
    world = build_world(app)
    client = world.client("officer_b")
    url = template.format(**world.ids)
    before = fingerprint()
    if data is None and method == "post":
        response = client.post(url, json={"percent": 90, "result": "Giả mạo",
                                          "version": world.version()})
    elif method == "post":
        response = client.post(url, data={**data, "version": world.version()})
    else:
        response = client.get(url)
    response.close()
    assert response.status_code in (403, 404), (url, response.status_code)
    assert diff(before, fingerprint()) == []


# --- stored text comes out escaped ---------------------------------------------------------------

@pytest.fixture
def hostile_world(app):
    world = build_world(app)
    directive = db.session.get(Directive, world.ids["directive_id"])
    directive.title = HOSTILE
    db.session.commit()
    client = world.client("officer_a")
    response = client.post(
        f"/assignments/{world.ids['assignment_id']}/progress",
        data={"percent": "60", "result": HOSTILE, "difficulties": HOSTILE,
              "proposals": HOSTILE, "version": world.version()},
    )
    assert response.status_code == 302
    return world


def test_pages_escape_stored_text(hostile_world):
    world = hostile_world
    raw = '<script>alert("x")</script>'
    for role, url in [
        ("leader", f"/directives/{world.ids['directive_id']}"),
        ("leader", "/"),
        ("leader", "/dashboard"),
        ("leader", "/directives"),
        ("officer_a", "/my-unit"),
        ("leader", f"/units/{world.ids['unit_a']}"),
    ]:
        response = world.client(role).get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert raw not in html, url
    html = world.client("leader").get(f"/directives/{world.ids['directive_id']}").get_data(
        as_text=True)
    assert "&lt;script&gt;alert(" in html


def test_rows_written_in_python_escape_names_and_titles(hostile_world):
    """The list, the first page, the dashboard and a unit's record write their rows outside
    the templates (row_html, dashboard.unit_lines_html, unit_records): names come out escaped."""
    world = hostile_world
    unit = db.session.get(Unit, world.ids["unit_a"])
    unit.name = '<b onmouseover="x">Phường & Xã</b>'
    directive = db.session.get(Directive, world.ids["directive_id"])
    directive.number = '<i>1</i>'
    db.session.commit()
    for url in ("/", "/directives", "/directives?q=script", "/dashboard",
                f"/units/{world.ids['unit_a']}"):
        html = world.client("leader").get(url).get_data(as_text=True)
        assert '<b onmouseover="x">' not in html and "<i>1</i>" not in html, url
        assert "&lt;b onmouseover=&#34;x&#34;&gt;Phường &amp; Xã&lt;/b&gt;" in html, url
    for url in ("/", "/directives"):
        html = world.client("leader").get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#34;x&#34;)" in html and "&lt;i&gt;1&lt;/i&gt;" in html, url


def test_api_returns_stored_text_as_data(hostile_world):
    world = hostile_world
    response = world.client("viewer").get(f"/api/v1/directives/{world.ids['directive_id']}")
    assert response.is_json and response.get_json()["title"] == HOSTILE


def test_xlsx_and_docx_exports_escape_stored_text(hostile_world):
    from openpyxl import load_workbook

    world = hostile_world
    client = world.client("secretariat")
    from tracker.reports.models import Report

    version = db.session.get(Report, world.ids["report_id"]).version
    assert client.post(f"/reports/{world.ids['report_id']}/regenerate",
                       data={"version": version}).status_code < 400
    response = client.get(f"/reports/{world.ids['report_id']}/phu-luc.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    texts.append(cell.value)
    assert texts and all(not t.startswith(("=", "+", "-", "@")) for t in texts)
    response.close()
    response = client.get(f"/reports/{world.ids['report_id']}/bao-cao.docx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as docx:
        xml = docx.read("word/document.xml").decode()
    response.close()
    assert "<script>" not in xml
    assert "&lt;script&gt;" in xml


def test_reminder_emails_escape_stored_text(hostile_world):
    from tracker.reminders import services as reminders

    plan = reminders.plan_reminders(dt.date(2023, 3, 30))
    messages = [m for m in plan.messages if "HYPERLINK" in m.text]
    assert messages, "no reminder mentions the hostile directive"
    for message in messages:
        assert '<script>alert("x")</script>' not in message.html
        assert "&lt;script&gt;" in message.html
