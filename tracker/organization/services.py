"""The organization as plain data (``current()``), and the rules for changing it (admins only).

Reports, e-mails, pages and the importer read ``current()``: a frozen ``OrgInfo``, cached per
process under the data version (tracker/core/versioning.py), so a page costs no query for it and
every worker sees a change at its next request. Services flush and never commit.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy.orm import Session
from unidecode import unidecode

from tracker.core import audit, clock, versioning
from tracker.core.errors import UserError, check_version
from tracker.extensions import db
from tracker.organization import defaults
from tracker.organization.models import ROW_ID, Organization

MAX_TEXT = 200
MAX_RECIPIENTS = 50
MAX_FIELDS = 30
FIELD_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_MEMO = "tracker.organization"
_CACHE = "organization_cache"


@dataclass(frozen=True)
class OrgInfo:
    """Everything others read about the organization (no ORM object leaves this module)."""

    profile: str
    level: str
    name: str
    short_name: str
    header_parent: str
    header_name: str
    place: str
    signer_capacity: str
    signer_title: str
    signer_name: str
    number_series: str
    recipients: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    officer_assignees: bool
    version: int = 0  # 0: not stored yet (defaults)

    @property
    def configured(self) -> bool:
        return self.version > 0

    @property
    def level_label(self) -> str:
        return defaults.LEVELS.get(self.level, self.level)

    @property
    def number_line(self) -> str:
        """The blank "Số:" line of a draft: "Số:      /BC-UBND"."""
        return f"Số:      /{self.number_series}"

    @property
    def field_labels(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def local_word(self) -> str:
        return defaults.local_word(self.name)


def _info(row: Organization) -> OrgInfo:
    return OrgInfo(
        profile=row.profile or "",
        level=row.level,
        name=row.name,
        short_name=row.short_name,
        header_parent=row.header_parent,
        header_name=row.header_name,
        place=row.place,
        signer_capacity=row.signer_capacity,
        signer_title=row.signer_title,
        signer_name=row.signer_name or "",
        number_series=row.number_series,
        recipients=tuple(str(r) for r in (row.recipients or [])),
        fields=tuple((str(c), str(label)) for c, label in (row.fields or [])),
        officer_assignees=bool(row.officer_assignees),
        version=row.version,
    )


def fallback() -> OrgInfo:
    """Before the first run stores anything: the default profile (city-2023), named by the
    ORG_NAME / ORG_PLACE environment variables when they are set."""
    from tracker.organization.profiles import DEFAULT_PROFILE, PROFILES

    profile = PROFILES[DEFAULT_PROFILE]
    info = profile.org_info()
    if not has_app_context():
        return info
    header = str(current_app.config.get("ORG_NAME") or "").strip()
    place = str(current_app.config.get("ORG_PLACE") or "").strip()
    if header and defaults.header_name(header) != info.header_name:
        name = defaults.name_from_header(header)
        info = replace(info, header_name=defaults.header_name(header), name=name,
                       short_name=defaults.short_name(name),
                       level=defaults.level_of_name(name, info.level))
    if place:
        info = replace(info, place=place)
    return info


def _read(session: Session) -> OrgInfo:
    row = session.get(Organization, ROW_ID)
    return _info(row) if row is not None else fallback()


def current() -> OrgInfo:
    """The organization now: memoised for the request (or command), cached per process under
    the committed data version, read from the database only after a change."""
    if not has_app_context():
        return fallback()
    memo = g.get(_MEMO)
    if memo is not None:
        return memo
    session = db.session
    if versioning.has_uncommitted_changes(session):
        info = _read(session)  # this transaction may have changed it: no cache either way
        g.setdefault(_MEMO, info)
        return info
    token = versioning.current(session)
    cache = current_app.extensions.setdefault(_CACHE, {})
    cached = cache.get("entry")
    if token and cached is not None and cached[0] == token:
        info = cached[1]
    else:
        info = _read(session)
        if token:
            cache["entry"] = (token, info)
    setattr(g, _MEMO, info)
    return info


def remember(row: Organization | None) -> None:
    """Keep the row read along with the request's user (tracker/__init__.py, load_user)."""
    setattr(g, _MEMO, _info(row) if row is not None else fallback())


def forget() -> None:
    """Drop the request's memo (after a commit or rollback the next read looks again)."""
    if has_app_context():
        g.pop(_MEMO, None)


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_after_transaction(_session: Session, *_args: Any) -> None:
    forget()


def issuer_label(raw: str | None) -> str:
    """How a source document's issuer reads: the organization's short name for its own reports
    (or when the report names none), else the issuing body the report's header names
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ SÓC TRĂNG" → "UBND thành phố Sóc Trăng")."""
    org = current()
    words = " ".join((raw or "").split()).split(" ")
    if words[:1] in (["UBND"], ["Ubnd"]):
        rest = words[1:]
    elif unidecode(" ".join(words[:4])).lower() == "uy ban nhan dan":
        rest = words[4:]
    else:
        return " ".join(words)[:200] or org.short_name
    name = defaults.name_from_header(" ".join(rest))
    if not name or defaults.header_name(name) == org.header_name:
        return org.short_name
    return defaults.short_name(name)[:200]


def get_row() -> Organization | None:
    return db.session.get(Organization, ROW_ID)


# --- changing it -----------------------------------------------------------------------------


@dataclass
class OrgInput:
    """The settings form (or a profile) as plain values; blanks are filled from level + name."""

    level: str
    name: str
    place: str = ""
    short_name: str = ""
    header_parent: str = ""
    header_name: str = ""
    signer_capacity: str = ""
    signer_title: str = ""
    signer_name: str = ""
    number_series: str = ""
    recipients: list[str] | None = None
    fields: list[tuple[str, str]] | None = None
    officer_assignees: bool = False
    profile: str = ""


def _text(value: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise UserError(f"{label} không được để trống.")
    if len(value) > limit:
        raise UserError(f"{label} dài tối đa {limit} ký tự.")
    return value


def complete(data: OrgInput) -> OrgInput:
    """Check the input and fill what the level and the name imply."""
    if data.level not in defaults.LEVELS:
        raise UserError("Cấp chính quyền không hợp lệ.")
    name = _text(data.name, "Tên cơ quan, địa phương")
    series = _text(data.number_series or defaults.NUMBER_SERIES, "Ký hiệu số báo cáo", limit=40)
    if not re.fullmatch(r"[A-ZĐ0-9][A-ZĐ0-9.\-]*", series):
        raise UserError("Ký hiệu số báo cáo chỉ gồm chữ in hoa, số, dấu chấm và gạch ngang "
                        "(ví dụ BC-UBND).")
    recipients = [_text(r, "Nơi nhận", limit=300) for r in (data.recipients or []) if r.strip()]
    if len(recipients) > MAX_RECIPIENTS:
        raise UserError(f"Danh sách nơi nhận tối đa {MAX_RECIPIENTS} dòng.")
    return OrgInput(
        level=data.level,
        name=name,
        place=_text(data.place or defaults.place_of(name), "Địa danh", limit=100),
        short_name=_text(data.short_name or defaults.short_name(name), "Tên gọi ngắn"),
        header_parent=_text(data.header_parent or defaults.HEADER_PARENT, "Cơ quan (dòng 1)"),
        header_name=_text(data.header_name or defaults.header_name(name), "Cơ quan (dòng 2)"),
        signer_capacity=_text(data.signer_capacity or defaults.SIGNER_CAPACITY,
                              "Thẩm quyền ký"),
        signer_title=_text(data.signer_title or defaults.SIGNER_TITLE, "Chức vụ người ký"),
        signer_name=_text(data.signer_name, "Họ tên người ký", required=False),
        number_series=series,
        recipients=recipients or defaults.default_recipients(data.level, name),
        fields=check_fields(data.fields or defaults.FIELDS_OF_LEVEL[data.level]),
        officer_assignees=bool(data.officer_assignees),
        profile=data.profile,
    )


def check_fields(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The report's fields: valid unique codes, labels, the core codes kept."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code, label in fields:
        code = (code or "").strip()
        if not FIELD_CODE_RE.match(code):
            raise UserError(
                f"Mã lĩnh vực «{code[:40]}» không hợp lệ: chữ thường không dấu, số và dấu _, "
                "bắt đầu bằng chữ (ví dụ quoc_phong_an_ninh)."
            )
        if code in seen:
            raise UserError(f"Mã lĩnh vực {code} bị lặp.")
        seen.add(code)
        out.append((code, _text(label, f"Tên lĩnh vực {code}")))
    if len(out) > MAX_FIELDS:
        raise UserError(f"Tối đa {MAX_FIELDS} lĩnh vực.")
    missing = [c for c in defaults.CORE_FIELDS if c not in seen]
    if missing:
        raise UserError(
            "Không được bỏ các lĩnh vực mà chức năng nhập báo cáo dùng để đề xuất: "
            f"{', '.join(missing)} (có thể đổi tên, đổi thứ tự)."
        )
    return out


# The tables that name a field, read by name: the organization sits below the packages that own
# them (docs/CONVENTIONS.md, dependencies point one way).
_FIELD_USERS = (
    sa.table("directive", sa.column("field")),
    sa.table("routing_rule", sa.column("field")),
)


def _used_fields() -> set[str]:
    used: set[str] = set()
    for table in _FIELD_USERS:
        used |= {f for f in db.session.scalars(sa.select(table.c.field).distinct()) if f}
    return used


def _snapshot(row: Organization) -> dict[str, Any]:
    info = asdict(_info(row))
    info.pop("version", None)
    info["recipients"] = list(info["recipients"])
    info["fields"] = [list(f) for f in info["fields"]]
    return info


def save(data: OrgInput, *, user: Any = None, expected_version: int | None = None) -> OrgInfo:
    """Create or update the organization row; a field still used by a directive or a routing
    rule cannot be removed. Returns the new ``OrgInfo`` (the request sees it at once)."""
    clean = complete(data)
    row = get_row()
    if row is not None and expected_version is not None:
        check_version(row.version, expected_version)
    removed = {c for c, _ in (_info(row).fields if row else ())} - {c for c, _ in clean.fields}
    in_use = sorted(removed & _used_fields())
    if in_use:
        raise UserError(
            f"Lĩnh vực {', '.join(in_use)} đang được dùng cho nhiệm vụ hoặc quy tắc phân công, "
            "không thể bỏ."
        )
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = Organization(id=ROW_ID)
        db.session.add(row)
    for key in ("level", "name", "short_name", "header_parent", "header_name", "place",
                "signer_capacity", "signer_title", "signer_name", "number_series",
                "officer_assignees"):
        setattr(row, key, getattr(clean, key))
    row.recipients = list(clean.recipients or [])
    row.fields = [list(f) for f in clean.fields or []]
    if clean.profile or before is None:
        row.profile = clean.profile or (before or {}).get("profile", "")
    row.updated_at = clock.now()
    db.session.flush()
    after = _snapshot(row)
    if after != before:
        audit.record("organization", ROW_ID, "create" if before is None else "update",
                     before, after, user=user)
    info = _info(row)
    if has_app_context():
        setattr(g, _MEMO, info)
    return info


def input_of(info: OrgInfo) -> OrgInput:
    return OrgInput(
        level=info.level, name=info.name, place=info.place, short_name=info.short_name,
        header_parent=info.header_parent, header_name=info.header_name,
        signer_capacity=info.signer_capacity, signer_title=info.signer_title,
        signer_name=info.signer_name, number_series=info.number_series,
        recipients=list(info.recipients), fields=list(info.fields),
        officer_assignees=info.officer_assignees, profile=info.profile,
    )


def seed_from_config() -> OrgInfo:
    """Store the fallback (default profile + ORG_NAME/ORG_PLACE) if nothing is stored yet."""
    row = get_row()
    if row is not None:
        return _info(row)
    return save(input_of(fallback()))

