"""Revision 0006_organization on a copy of the demo database made by main (revision 0002):
every row is still there, units are typed, the report defaults became the organization, the
app reads it, and the downgrade gives the setting back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import build_app, make_database
from tracker.extensions import db

DUMP = Path(__file__).parent / "data" / "demo_main_0002.json"


def _decode(value: object) -> object:
    if isinstance(value, dict) and set(value) == {"__date__"}:
        return dt.date.fromisoformat(value["__date__"])
    if isinstance(value, dict) and set(value) == {"__datetime__"}:
        return dt.datetime.fromisoformat(value["__datetime__"])
    return value


def _load_main_copy(engine: sa.Engine) -> dict[str, list[dict]]:
    """Insert main's demo rows into a database at revision 0002."""
    document = json.loads(DUMP.read_text())
    assert document["revision"] == "0002"
    metadata = sa.MetaData()
    metadata.reflect(engine)
    rows = {name: [{k: _decode(v) for k, v in r.items()} for r in table_rows]
            for name, table_rows in document["tables"].items()}
    with engine.begin() as conn:
        conn.execute(metadata.tables["data_version"].delete())
        for table in metadata.sorted_tables:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                if "id" in table.c and table.name != "data_version":
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                    ))
    return rows


def _table_rows(conn: sa.Connection, name: str) -> list[dict]:
    table = sa.Table(name, sa.MetaData(), autoload_with=conn)
    return [dict(r) for r in conn.execute(table.select().order_by(table.c[
        next(iter(table.primary_key.columns)).name])).mappings()]


def test_upgrade_moves_mains_demo_database_with_nothing_lost(tmp_path):
    url, drop = make_database(tmp_path)
    try:
        app = build_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="0002")
            before = _load_main_copy(db.engine)
            upgrade()
            opts = {  # as `flask db migrate` compares: without the text index (no model)
                "compare_type": True,
                "include_name": app.extensions["migrate"].configure_args["include_name"],
            }
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
                after = {name: _table_rows(conn, name) for name in before}
                if conn.dialect.name == "sqlite":
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert diff == [], diff
            _check_nothing_lost(before, after)
            _check_units_typed(after["unit"])
            _check_organization_and_app(app)
            downgrade(revision="0002")
            with db.engine.connect() as conn:
                back = {name: _table_rows(conn, name) for name in before}
            assert back["setting"][0]["value"]["signer_name"] == "Trần Thị Hồng"
            signed_in = {"login_attempt"}  # the test's own sign-in
            assert {n: len(r) for n, r in back.items() if n not in signed_in} == {
                n: len(r) for n, r in before.items() if n not in signed_in}
            db.engine.dispose()
    finally:
        drop()


def _check_nothing_lost(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> None:
    for name, rows in before.items():
        if name in ("setting", "data_version"):
            continue
        assert len(after[name]) == len(rows), name
        for old, new in zip(rows, after[name], strict=True):
            for key, value in old.items():
                got = new[key]
                if isinstance(value, dt.datetime) and isinstance(got, dt.datetime):
                    got = got.replace(tzinfo=None)
                assert got == value, (name, old.get("id"), key, value, got)
    # the report defaults moved onto the organization: the setting row is gone
    assert [s["key"] for s in before["setting"]] == ["report.defaults"]
    assert after["setting"] == []


def _check_units_typed(units: list[dict]) -> None:
    types = {u["code"]: u["unit_type"] for u in units}
    assert types["LDUB"] == "lanh_dao" and types["GDDT"] == "phong" and types["VP"] == "phong"
    assert types["P9"] == "phuong" and types["XLD"] == "xa"
    assert types["CA"] == "nganh_doc" and types["CCT"] == "nganh_doc"
    assert types["TTYT"] == "su_nghiep" and types["BQLDA"] == "su_nghiep"
    assert all(u["version"] == 1 and u["ended_on"] is None for u in units)
    assert not next(u for u in units if u["code"] == "THADS")["active"]  # still switched off


def _check_organization_and_app(app) -> None:  # noqa: ANN001
    from tracker.organization import services as org
    from tracker.reports import services as report_services

    info = org.current()
    assert info.configured and info.profile == "city-2023" and info.level == "district"
    assert (info.header_parent, info.header_name) == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ TRÀ VINH")
    assert info.name == "Thành phố Trà Vinh" and info.short_name == "UBND thành phố Trà Vinh"
    assert (info.signer_capacity, info.signer_title, info.signer_name) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Hồng")
    assert info.recipients == ("UBND tỉnh Trà Vinh", "TT. Thành ủy", "Lưu: VT, TH")
    assert info.place == "Trà Vinh" and info.number_series == "BC-UBND"
    assert [c for c, _ in info.fields][:2] == ["chi_dao", "kinh_te"]
    defaults = report_services.org_defaults()
    assert defaults.signer_name == "Trần Thị Hồng" and defaults.number == "Số:      /BC-UBND"
    client = app.test_client()
    response = client.post("/login", data={"username": "chutich",
                                           "password": "Demo@TraVinh2023"})
    assert response.status_code == 302
    page = client.get("/units/").get_data(as_text=True)
    assert "Phòng Giáo dục và Đào tạo" in page and "Các phường" in page
    db.session.remove()
