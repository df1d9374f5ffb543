"""Make demo_main_0002.json: the demo database as main (commit 1446ea6, revision 0002) builds
it, dumped table by table, for the migration test to load into a database at 0002 and upgrade.

Run on a checkout of that commit (it imports main's code), from the repository root:
    PYTHONPATH=. .venv/bin/python tests/core/data/dump_main_demo.py OUT.json COMMIT
Besides `seed-demo` it does what an install running main also holds: report defaults saved on
the reports settings page, a drafted March report, and a unit an admin deactivated.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    return value


def _extra_main_state(db) -> None:  # noqa: ANN001 - main's db
    from tracker.admin import services as admin_services
    from tracker.auth.models import User
    from tracker.core.periods import PeriodKey
    from tracker.reports import services as report_services
    from tracker.reports.compose import OrgDefaults
    from tracker.units.models import Unit

    report_services.save_org_defaults(OrgDefaults(
        signer_name="Trần Thị Hồng", signer_title="PHÓ CHỦ TỊCH",
        signer_capacity="KT. CHỦ TỊCH", number="Số:      /BC-UBND",
        recipients=["UBND tỉnh Trà Vinh", "TT. Thành ủy", "Lưu: VT, TH"],
    ))
    secretariat = db.session.scalar(sa.select(User).where(User.username == "vanphong"))
    report_services.create_report(PeriodKey(2023, 3), dt.date(2023, 4, 5), user=secretariat)
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "THADS"))
    admin_services.update_unit(unit, name=unit.name, kind=unit.kind, email=unit.email,
                               active=False)


def main(out: Path, commit: str) -> None:
    work = Path(tempfile.mkdtemp())
    os.environ["TRACKER_INSTANCE_DIR"] = str(work / "instance")
    from flask_migrate import upgrade

    from config import TestConfig
    from tracker import create_app
    from tracker.core import uow
    from tracker.demo.seed import seed_demo
    from tracker.extensions import db

    app = create_app(TestConfig(), SQLALCHEMY_DATABASE_URI=f"sqlite:///{work / 'demo.db'}",
                     UPLOAD_DIR=work / "uploads", OUTBOX_DIR=work / "outbox")
    with app.app_context():
        upgrade()
        with uow.transaction():
            seed_demo()
        with uow.transaction():
            _extra_main_state(db)
        metadata = sa.MetaData()
        metadata.reflect(db.engine)
        tables = {}
        with db.engine.connect() as conn:
            for table in metadata.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = conn.execute(table.select().order_by(*table.primary_key.columns))
                tables[table.name] = [
                    {k: _encode(v) for k, v in row.items()} for row in rows.mappings()
                ]
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    out.write_text(_dumps({"made_by": f"main {commit}", "revision": revision,
                           "tables": tables}))


def _dumps(document: dict) -> str:
    """JSON with one table row per line (readable, diffable, short)."""
    def one(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    lines = ["{", f'"made_by": {one(document["made_by"])},',
             f'"revision": {one(document["revision"])},', '"tables": {']
    names = sorted(document["tables"])
    for t, name in enumerate(names):
        rows = document["tables"][name]
        lines.append(f"{one(name)}: [")
        lines += [one(row) + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
        lines.append("]" + ("," if t < len(names) - 1 else ""))
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
