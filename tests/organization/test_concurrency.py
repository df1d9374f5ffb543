"""Admins acting at once: saving the organization from the same form, editing one unit, applying
one onboarding file: one write lands, the others get 409 (or find it done), nothing doubles."""

from __future__ import annotations

import io
import re
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.admin.test_onboarding import COMMON, province_rows
from tests.conftest import Auth, build_app, running
from tracker.admin import workbook
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.units.models import Unit

THREADS = 6
PASSWORD = "Admin@Concurrent2025"


@pytest.fixture
def app(database_url, tmp_path):
    options = {"pool_pre_ping": True, "pool_size": THREADS + 5, "max_overflow": 5}
    with running(build_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options)) as app:
        yield app


@pytest.fixture
def admins(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-organization", "--profile", "commune-2025",
                               "--name", "Phường 1", "--place", "Vĩnh Long"]).exit_code == 0
    auth_services.create_user(username="quantri", full_name="Quản trị", password=PASSWORD,
                              role="admin")
    db.session.commit()
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        assert Auth(client).login("quantri", PASSWORD).status_code == 302
        clients.append(client)
    db.session.remove()
    return clients


def _run(target) -> list[str]:  # noqa: ANN001
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes = [""] * THREADS

    def worker(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = target(index)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[index] = f"error: {exc}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_organization_saved_at_once_one_wins(app, admins):
    page = admins[0].get("/admin/organization").get_data(as_text=True)
    form = dict(re.findall(r'<input class="form-control" id="(\w+)" name="\w+" value="([^"]*)"',
                           page))
    form.update(level="commune", version=re.search(r'name="version" value="(\d+)"', page)[1],
                recipients="Lưu: VT",
                fields=re.search(r'name="fields" rows="\d+">([^<]*)<', page)[1])

    def target(index: int) -> str:
        response = admins[index].post("/admin/organization",
                                      data={**form, "signer_name": f"Người ký {index}"})
        response.close()
        return str(response.status_code)

    counts = Counter(_run(target))
    assert counts == {"302": 1, "409": THREADS - 1}, counts
    organization.forget()
    assert organization.current().signer_name.startswith("Người ký ")


def test_unit_edited_at_once_one_wins(app, admins):
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "VHXH"))
    unit_id, version = unit.id, unit.version
    db.session.remove()

    def target(index: int) -> str:
        response = admins[index].post(f"/admin/units/{unit_id}", data={
            "name": f"Phòng Văn hóa - Xã hội {index}", "kind": "phong", "active": "y",
            "version": version})
        response.close()
        return str(response.status_code)

    counts = Counter(_run(target))
    assert counts == {"302": 1, "409": THREADS - 1}, counts


def test_one_onboarding_file_confirmed_at_once_creates_once(app, admins):
    units, users = province_rows()
    data = workbook.write(units, users[:40])
    response = admins[0].post("/admin/onboarding", data={"file": (io.BytesIO(data), "a.xlsx")},
                              content_type="multipart/form-data")
    token = re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True))[1]

    def target(index: int) -> str:
        response = admins[index].post("/admin/onboarding/confirm",
                                      data={"token": token, "common_password": COMMON})
        response.close()
        return str(response.status_code)

    outcomes = _run(target)
    assert set(outcomes) <= {"302", "409", "400"}, outcomes
    db.session.remove()
    codes = [c for c in db.session.scalars(sa.select(Unit.code))]
    assert len(codes) == len(set(codes)) and {"S00", "X000"} <= set(codes)
    names = [u for u in db.session.scalars(sa.select(User.username))]
    assert len(names) == len(set(names)) == 1 + 40
