"""How a task is named wherever several periods can meet: "Nhiệm vụ 3 (tháng 03/2023)".

Numbers restart every month, so "Nhiệm vụ 3" alone is ambiguous in an e-mail, a notification,
a calendar or a list across periods; these names always carry the period.
"""

from __future__ import annotations

from typing import Any

from tracker.core.periods import PeriodKey


def task_name(number: str, year: int | None = None, month: int | None = None) -> str:
    """'Nhiệm vụ 3 (tháng 03/2023)'; just 'Nhiệm vụ 3' when the period is unknown."""
    if year is None or month is None:
        return f"Nhiệm vụ {number}"
    return f"Nhiệm vụ {number} ({PeriodKey(year, month).title})"


def directive_name(directive: Any) -> str:
    """The name of a Directive row (its period loaded or loadable)."""
    period = directive.period
    return task_name(directive.number, period.year, period.month)
