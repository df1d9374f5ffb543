"""How busy the machine is when each phase starts (the load average), and waiting for it to calm
down before a timed phase: on a small shared machine another job's load halves the figures."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

BUSY_LOAD = 1.5  # 1-minute load average above which a timed phase does not give a verdict
WAIT_S = 60.0


class Machine:
    """The load average before each phase, and the phases that ran on a busy machine."""

    def __init__(
        self, *, sleep: Callable[[float], None] = time.sleep,
        loadavg: Callable[[], tuple[float, float, float]] = os.getloadavg,
    ) -> None:
        self.load_average: dict[str, list[float]] = {}
        self.waited_s: dict[str, float] = {}
        self.busy: dict[str, float] = {}  # phase -> 1-minute load when it started anyway
        self._sleep = sleep
        self._loadavg = loadavg

    def phase(self, name: str, *, timed: bool = True) -> None:
        """Record the load average as `name` starts; before a timed phase, wait up to WAIT_S for
        the 1-minute figure to fall to BUSY_LOAD, and note the phase if it does not."""
        waited = 0.0
        figures = [round(value, 2) for value in self._loadavg()]
        while timed and figures[0] > BUSY_LOAD and waited < WAIT_S:
            if not waited:
                print(f"  load average {figures[0]:.2f} > {BUSY_LOAD}: waiting up to "
                      f"{WAIT_S:g} s before {name}", file=sys.stderr, flush=True)
            self._sleep(5.0)
            waited += 5.0
            figures = [round(value, 2) for value in self._loadavg()]
        self.load_average[name] = figures
        if waited:
            self.waited_s[name] = waited
        if timed and figures[0] > BUSY_LOAD:
            self.busy[name] = figures[0]

    def busy_reason(self) -> str | None:
        """Why the run gives no verdict, or None when every timed phase started on a calm
        machine."""
        if not self.busy:
            return None
        phases = ", ".join(f"{name} (load {load:.2f})" for name, load in self.busy.items())
        return (f"machine busy: 1-minute load average above {BUSY_LOAD} after waiting "
                f"{WAIT_S:g} s, at the start of {phases}")
