"""the organization as data; typed, dated units and their successions; officers as assignees

Revision ID: 0006_organization
Revises: 0005_notifications
Create Date: 2026-11-30 15:00:00

Moves today's data onto the new tables, nothing lost:
- the report defaults (Setting "report.defaults") and ORG_NAME / ORG_PLACE become the one
  ``organization`` row (an empty database gets none: the first run sets it up);
- every unit gets its typed kind, read from its class and its name, as the code did;
- routing rules may name more units (a province's 120+ communes): unit_codes becomes TEXT.
The downgrade puts the report defaults back into the setting.
"""

import datetime as dt
import os
import re

import sqlalchemy as sa
from alembic import op
from unidecode import unidecode

revision = "0006_organization"
down_revision = "0005_notifications"
branch_labels = None
depends_on = None

SETTING_KEY = "report.defaults"

# Frozen copies of the rules as they were when this revision was written (a migration must not
# change meaning when the code moves on).
CITY_FIELDS = [
    ["chi_dao", "Công tác chỉ đạo điều hành"],
    ["kinh_te", "Lĩnh vực Kinh tế"],
    ["xay_dung_do_thi", "Công tác xây dựng cơ bản, giải phóng mặt bằng và quản lý đô thị"],
    ["van_hoa_xa_hoi", "Khối Văn hóa - xã hội"],
    ["noi_chinh", "Công tác nội chính"],
    ["cai_cach_hanh_chinh", "Công tác cải cách hành chính"],
]
CITY_DEFAULTS = {
    "issuer_parent": "ỦY BAN NHÂN DÂN",
    "issuer": "THÀNH PHỐ TRÀ VINH",
    "org_short": "UBND thành phố Trà Vinh",
    "place": "Trà Vinh",
    "number": "Số:      /BC-UBND",
    "signer_capacity": "TM. ỦY BAN NHÂN DÂN",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Nguyễn Văn Tâm",
    "recipients": ["UBND tỉnh", "TT.TU- TT. HĐND.TP", "CT, PCT.UBND.TP", "Các phòng ban TP",
                   "UBND phường xã", "BLĐ, khối NC.VP", "Lưu: VT"],
}
_HEADS = [
    ("lanh dao", "lanh_dao"), ("uy ban nhan dan phuong", "phuong"),
    ("uy ban nhan dan xa", "xa"), ("ubnd phuong", "phuong"), ("ubnd xa", "xa"),
    ("dac khu", "dac_khu"), ("thi tran", "thi_tran"), ("phuong", "phuong"),
    ("huyen", "huyen"), ("thi xa", "huyen"), ("so ", "so_nganh"), ("cong an", "nganh_doc"),
    ("ban chi huy quan su", "nganh_doc"), ("bo chi huy quan su", "nganh_doc"),
    ("bo chi huy bo doi bien phong", "nganh_doc"), ("chi cuc thue", "nganh_doc"),
    ("thue ", "nganh_doc"), ("chi cuc thi hanh an", "nganh_doc"),
    ("thi hanh an", "nganh_doc"), ("kho bac", "nganh_doc"), ("bao hiem xa hoi", "nganh_doc"),
    ("toa an", "nganh_doc"), ("vien kiem sat", "nganh_doc"), ("dien luc", "nganh_doc"),
    ("cong ty dien luc", "nganh_doc"), ("ngan hang", "nganh_doc"),
    ("trung tam", "su_nghiep"), ("ban quan ly", "su_nghiep"), ("dai ", "su_nghiep"),
    ("truong ", "su_nghiep"), ("benh vien", "su_nghiep"), ("ban dan toc", "so_nganh"),
    ("van phong uy ban nhan dan tinh", "so_nganh"), ("van phong ubnd tinh", "so_nganh"),
    ("thanh tra tinh", "so_nganh"),
]
_WARD_TYPES = {"xa", "phuong", "dac_khu", "thi_tran"}


def _unit_type(kind, name):
    if kind == "leadership":
        return "lanh_dao"
    folded = re.sub(r"\s+", " ", unidecode(name or "").lower()).strip() + " "
    if folded.startswith("xa ") and not folded.startswith("xa hoi"):
        return "xa"
    for head, unit_type in _HEADS:
        if folded.startswith(head):
            if kind == "ward" and unit_type not in _WARD_TYPES:
                continue
            return unit_type
    return "phuong" if kind == "ward" else "phong"


def _name_from_header(header):
    text = " ".join(header.split())
    if not text.isupper():
        return text
    title = text.title()
    for word in ("Thành Phố", "Đặc Khu", "Thị Trấn", "Thị Xã", "Phường", "Huyện", "Tỉnh", "Xã"):
        if title.startswith(word + " "):
            return word.capitalize() + title[len(word):]
    return title


def _level_of(name):
    first = name.split(" ", 1)[0].lower()
    if first == "tỉnh":
        return "province"
    if first in ("xã", "phường", "đặc") or name.lower().startswith("thị trấn"):
        return "commune"
    return "district"


def _config(key, default):
    try:
        from flask import current_app

        value = current_app.config.get(key)
    except RuntimeError:  # outside a Flask app (plain alembic)
        value = None
    return str(value or os.environ.get(key) or default).strip()


def _add_reference(table, column, target, name):
    """A nullable foreign key column, added without recreating the table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" INTEGER '
                   f'CONSTRAINT "{name}" REFERENCES "{target}" (id)')
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(name, table, target, [column], ["id"])


def upgrade():
    organization = op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=200), nullable=False),
        sa.Column("header_parent", sa.String(length=200), nullable=False),
        sa.Column("header_name", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("signer_capacity", sa.String(length=200), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("number_series", sa.String(length=40), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("officer_assignees", sa.Boolean(), server_default=sa.false(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    # unit and assignment are referenced by other tables: on SQLite, where the app turns foreign
    # keys on, recreating them (batch mode) would fail, so their columns are added in place.
    _add_reference("unit", "parent_id", "unit", "fk_unit_parent_id_unit")
    op.add_column("unit", sa.Column("unit_type", sa.String(length=20), nullable=True))
    op.add_column("unit", sa.Column("valid_from", sa.Date(), nullable=True))
    op.add_column("unit", sa.Column("ended_on", sa.Date(), nullable=True))
    op.add_column("unit", sa.Column("version", sa.Integer(), server_default="1",
                                    nullable=False))
    op.create_index(op.f("ix_unit_parent_id"), "unit", ["parent_id"], unique=False)
    op.create_table(
        "unit_succession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["predecessor_id"], ["unit.id"],
                                name=op.f("fk_unit_succession_predecessor_id_unit")),
        sa.ForeignKeyConstraint(["successor_id"], ["unit.id"],
                                name=op.f("fk_unit_succession_successor_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_succession")),
        sa.UniqueConstraint("predecessor_id", "successor_id",
                            name=op.f("uq_unit_succession_predecessor_id_successor_id")),
    )
    with op.batch_alter_table("unit_succession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_succession_predecessor_id"),
                              ["predecessor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_succession_successor_id"),
                              ["successor_id"], unique=False)
    _add_reference("assignment", "officer_id", "user", "fk_assignment_officer_id_user")
    op.create_index(op.f("ix_assignment_officer_id"), "assignment", ["officer_id"],
                    unique=False)
    op.add_column("user", sa.Column("must_change_password", sa.Boolean(),
                                    server_default=sa.false(), nullable=False))
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.alter_column("unit_codes", existing_type=sa.String(length=400),
                              type_=sa.Text(), existing_nullable=False)
    op.create_table(
        "onboarding_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_onboarding_draft_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_draft")),
        sa.UniqueConstraint("token", name=op.f("uq_onboarding_draft_token")),
    )
    _move_data(organization)


def _move_data(organization):
    bind = op.get_bind()
    unit = sa.table("unit", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("name", sa.String), sa.column("unit_type", sa.String))
    for unit_id, kind, name in bind.execute(sa.select(unit.c.id, unit.c.kind, unit.c.name)):
        bind.execute(unit.update().where(unit.c.id == unit_id)
                     .values(unit_type=_unit_type(kind, name)))
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.JSON),
                       sa.column("updated_at", sa.DateTime))
    stored = bind.execute(sa.select(setting.c.value).where(setting.c.key == SETTING_KEY)).first()
    has_units = bind.execute(sa.select(sa.func.count()).select_from(unit)).scalar()
    if stored is None and not has_units:
        return  # a new database: the first run (init-organization, seed-demo) sets it up
    values = dict(CITY_DEFAULTS)
    env_issuer = _config("ORG_NAME", CITY_DEFAULTS["issuer"])
    env_place = _config("ORG_PLACE", CITY_DEFAULTS["place"])
    if env_issuer.upper() != CITY_DEFAULTS["issuer"]:
        name = _name_from_header(env_issuer)
        values["issuer"] = env_issuer.upper()
        values["org_short"] = "UBND " + name[0].lower() + name[1:]
    values["place"] = env_place
    saved = stored[0] if stored is not None and isinstance(stored[0], dict) else {}
    for key, value in saved.items():
        if key in values and (isinstance(value, list) or (isinstance(value, str)
                                                          and value.strip())):
            values[key] = value
    name = _name_from_header(values["issuer"])
    series = values["number"].rsplit("/", 1)[-1].strip() or "BC-UBND"
    op.bulk_insert(organization, [{
        "id": 1,
        "profile": "city-2023" if values["issuer"] == CITY_DEFAULTS["issuer"] else "",
        "level": _level_of(name),
        "name": name,
        "short_name": values["org_short"],
        "header_parent": values["issuer_parent"],
        "header_name": values["issuer"],
        "place": values["place"],
        "signer_capacity": values["signer_capacity"],
        "signer_title": values["signer_title"],
        "signer_name": values["signer_name"],
        "number_series": series,
        "recipients": [str(r) for r in values["recipients"]],
        "fields": CITY_FIELDS,
        "officer_assignees": False,
        "updated_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "version": 1,
    }])
    bind.execute(setting.delete().where(setting.c.key == SETTING_KEY))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Dropping columns recreates unit, assignment and user, which other tables reference.
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError("Run this downgrade on its own: SQLite foreign keys stay on "
                               "inside a transaction.")
    organization = sa.table(
        "organization", *(sa.column(c) for c in (
            "header_parent", "header_name", "short_name", "place", "number_series",
            "signer_capacity", "signer_title", "signer_name")),
        sa.column("recipients", sa.JSON),
    )
    row = bind.execute(sa.select(organization)).mappings().first()
    if row is not None:
        setting = sa.table("setting", sa.column("key", sa.String),
                           sa.column("value", sa.JSON), sa.column("updated_at", sa.DateTime))
        bind.execute(setting.delete().where(setting.c.key == SETTING_KEY))
        op.bulk_insert(setting, [{
            "key": SETTING_KEY,
            "value": {
                "issuer_parent": row["header_parent"], "issuer": row["header_name"],
                "org_short": row["short_name"], "place": row["place"],
                "number": f"Số:      /{row['number_series']}",
                "signer_capacity": row["signer_capacity"], "signer_title": row["signer_title"],
                "signer_name": row["signer_name"], "recipients": list(row["recipients"] or []),
            },
            "updated_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        }])
    op.drop_table("onboarding_draft")
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.alter_column("unit_codes", existing_type=sa.Text(),
                              type_=sa.String(length=400), existing_nullable=False)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    sqlite = bind.dialect.name == "sqlite"  # its batch copy drops the inline constraints
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        if not sqlite:
            batch_op.drop_constraint(batch_op.f("fk_assignment_officer_id_user"),
                                     type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assignment_officer_id"))
        batch_op.drop_column("officer_id")
    with op.batch_alter_table("unit_succession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_succession_successor_id"))
        batch_op.drop_index(batch_op.f("ix_unit_succession_predecessor_id"))
    op.drop_table("unit_succession")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        if not sqlite:
            batch_op.drop_constraint(batch_op.f("fk_unit_parent_id_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))
        batch_op.drop_column("version")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("valid_from")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("unit_type")
    op.drop_table("organization")
    if sqlite:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
