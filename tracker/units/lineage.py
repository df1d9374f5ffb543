"""Units over time: "exists on a date", who replaced whom, and folding a merged unit's record into
its successor for scoreboards. Plain rules over loaded rows; the queries are at the bottom.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.core import versioning
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date
from tracker.extensions import db
from tracker.units.models import Unit, UnitSuccession


@dataclass(frozen=True)
class Link:
    """One "replaced by" edge as plain data."""

    predecessor_id: int
    successor_id: int
    effective_on: dt.date
    kind: str


def check_can_receive(unit: Unit, day: dt.date, successors: Iterable[Unit] = ()) -> None:
    """Refuse new work for a unit that is switched off, not yet started or ended on ``day``."""
    if not unit.active:
        raise UserError(f"{unit.name} đã ngừng hoạt động, không thể phân công.")
    if unit.valid_from is not None and day < unit.valid_from:
        raise UserError(
            f"{unit.name} bắt đầu hoạt động từ ngày {fmt_date(unit.valid_from)}, không thể "
            f"giao việc ngày {fmt_date(day)}."
        )
    if unit.ended_on is not None and day >= unit.ended_on:
        names = ", ".join(s.name for s in successors)
        hint = f" Hãy giao cho {names}." if names else ""
        raise UserError(
            f"{unit.name} đã ngừng hoạt động từ ngày {fmt_date(unit.ended_on)}, không thể "
            f"giao việc ngày {fmt_date(day)}.{hint}"
        )


def ensure_can_receive(unit: Unit, day: dt.date) -> None:
    """``check_can_receive`` naming the successors in the refusal (one query, only on refusal)."""
    try:
        check_can_receive(unit, day)
    except UserError:
        check_can_receive(unit, day, successors_of(unit.id))
        raise


def reaches(start: int, goal: int, links: Iterable[Link]) -> bool:
    """Can ``goal`` be reached from ``start`` following "replaced by" edges?"""
    forward: dict[int, list[int]] = defaultdict(list)
    for link in links:
        forward[link.predecessor_id].append(link.successor_id)
    seen: set[int] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(forward.get(node, ()))
    return False


def check_no_cycle(predecessor_id: int, successor_id: int, links: Iterable[Link]) -> None:
    """A merge may not make a unit its own ancestor (A → B → A)."""
    if predecessor_id == successor_id or reaches(successor_id, predecessor_id, links):
        raise UserError(
            "Không thể ghi nhận: đơn vị thay thế lại là đơn vị tiền thân của đơn vị này "
            "(sáp nhập vòng tròn)."
        )


def fold_targets(units: Iterable[Unit], links: Iterable[Link], day: dt.date) -> dict[int, int]:
    """{unit id: id of the unit whose row shows its work on ``day``}.

    A unit that no longer exists on ``day`` and was replaced by exactly one unit (merged or
    renamed, following chains) is shown inside its successor's row; a split unit, or one with
    no successor, keeps its own row.
    """
    by_id = {u.id: u for u in units}
    forward: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        forward[link.predecessor_id].append(link)
    targets: dict[int, int] = {}
    for unit_id in by_id:
        current, seen = unit_id, {unit_id}
        while True:
            unit = by_id.get(current)
            nexts = [lk for lk in forward.get(current, []) if lk.effective_on <= day]
            if unit is None or unit.exists_on(day) or len(nexts) != 1:
                break
            following = nexts[0].successor_id
            if following in seen:
                break
            seen.add(following)
            current = following
        targets[unit_id] = current
    return targets


# --- queries ---------------------------------------------------------------------------------


_LINKS = sa.select(UnitSuccession.predecessor_id, UnitSuccession.successor_id,
                   UnitSuccession.effective_on, UnitSuccession.kind)


def all_links() -> list[Link]:
    """Every succession, read once per change per process (a unit page asks on each view)."""
    session = db.session()
    return list(versioning.per_version(session, "unit_links", lambda: tuple(
        Link(p, s, on, kind) for p, s, on, kind in session.execute(_LINKS).tuples()
    )))


def successors_of(unit_id: int) -> list[Unit]:
    return list(
        db.session.scalars(
            sa.select(Unit)
            .join(UnitSuccession, UnitSuccession.successor_id == Unit.id)
            .where(UnitSuccession.predecessor_id == unit_id)
            .order_by(Unit.position, Unit.name)
        )
    )


def successions_from(unit_id: int) -> list[UnitSuccession]:
    """The unit's "replaced by" links, successor loaded."""
    return list(
        db.session.scalars(
            sa.select(UnitSuccession)
            .where(UnitSuccession.predecessor_id == unit_id)
            .options(sa.orm.joinedload(UnitSuccession.successor))
            .order_by(UnitSuccession.effective_on, UnitSuccession.id)
        )
    )


def successions_to(unit_id: int) -> list[UnitSuccession]:
    """The units this one replaced, predecessor loaded."""
    return list(
        db.session.scalars(
            sa.select(UnitSuccession)
            .where(UnitSuccession.successor_id == unit_id)
            .options(sa.orm.joinedload(UnitSuccession.predecessor))
            .order_by(UnitSuccession.effective_on, UnitSuccession.id)
        )
    )


def ancestors(unit_id: int, links: Iterable[Link]) -> list[int]:
    """Every unit this one replaced, directly or through a chain, nearest first."""
    backward: dict[int, list[int]] = defaultdict(list)
    for link in links:
        backward[link.successor_id].append(link.predecessor_id)
    out: list[int] = []
    queue = list(backward.get(unit_id, ()))
    while queue:
        node = queue.pop(0)
        if node in out or node == unit_id:
            continue
        out.append(node)
        queue.extend(backward.get(node, ()))
    return out
