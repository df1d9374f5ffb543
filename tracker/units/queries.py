"""The unit catalogue as the other packages read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.core import clock, versioning
from tracker.extensions import db
from tracker.units.kinds import TYPE_HEADINGS, UNIT_GROUPS, UNIT_TYPES, infer_type
from tracker.units.models import Dated, Unit


@dataclass(frozen=True, slots=True)
class UnitRow(Dated):
    """A unit as the scoreboards read it (id, name, typed kind, lifetime): plain data."""

    id: int
    name: str
    type: str
    valid_from: dt.date | None
    ended_on: dt.date | None


_CATALOGUE = (
    sa.select(Unit.id, Unit.name, Unit.unit_type, Unit.kind, Unit.valid_from, Unit.ended_on)
    .order_by(Unit.position, Unit.name)
)


def catalogue_rows() -> list[UnitRow]:
    """Every unit in catalogue order, read once per change per process: the dashboard's
    scoreboard names a province's 150 units on every view."""
    session = db.session()
    return list(versioning.per_version(session, "unit_rows", lambda: tuple(
        UnitRow(uid, name, utype or infer_type(kind, name), valid_from, ended_on)
        for uid, name, utype, kind, valid_from, ended_on in session.execute(_CATALOGUE)
    )))


def units_by_code() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit))}


def existing_on(day: dt.date) -> sa.ColumnElement[bool]:
    """SQL for ``Unit.exists_on(day)``."""
    return sa.and_(
        sa.or_(Unit.valid_from.is_(None), Unit.valid_from <= day),
        sa.or_(Unit.ended_on.is_(None), Unit.ended_on > day),
    )


def active_units(day: dt.date | None = None) -> list[Unit]:
    """Units that can be given new work on ``day`` (today by default), in catalogue order."""
    day = day or clock.today()
    return list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.active, existing_on(day))
            .order_by(Unit.position, Unit.name)
        )
    )


def all_units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.id)))


def grouped_by_kind(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    """Units under their kind's heading, kinds in the catalogue's order (for selects, lists)."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.type, []).append(unit)
    order = {t: i for i, t in enumerate(UNIT_TYPES)}
    return [
        (TYPE_HEADINGS.get(kind, kind), members)
        for kind, members in sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def unit_types_by_id() -> dict[int, str]:
    """Every unit's typed kind (one query of small tuples; ~150 rows in a province)."""
    rows = db.session.execute(sa.select(Unit.id, Unit.unit_type, Unit.kind, Unit.name)).tuples()
    return {
        uid: (utype or infer_type(kind, name)) for uid, utype, kind, name in rows
    }


def unit_ids_in_group(group: str) -> list[int]:
    """Ids of the units whose kind belongs to a filter group ("xa_phuong", "so_nganh", ...)."""
    types = UNIT_GROUPS[group][1] if group in UNIT_GROUPS else frozenset()
    return sorted(uid for uid, t in unit_types_by_id().items() if t in types)


def groups_present(types: list[str] | None = None) -> list[tuple[str, str]]:
    """(group, label) of the groups that have units, in the groups' order."""
    present = set(types if types is not None else unit_types_by_id().values())
    return [
        (group, label) for group, (label, members) in UNIT_GROUPS.items() if members & present
    ]
