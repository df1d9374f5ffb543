"""The benchmark's verdict: targets judged only on a calm machine, and only when every phase ran."""

from __future__ import annotations

from bench.machine import BUSY_LOAD, WAIT_S, Machine
from bench.mixed import hit_ratio
from bench.report import TARGETS, evaluate
from bench.server import HEALTHZ

PAGE = "dashboard"


def _machine(loads: list[float]) -> tuple[Machine, list[float]]:
    """A machine whose 1-minute load average goes through `loads` (the last one stays)."""
    slept: list[float] = []
    seq = iter(loads)
    state = {"now": loads[0]}

    def loadavg() -> tuple[float, float, float]:
        state["now"] = next(seq, state["now"])
        return (state["now"], 1.0, 1.0)

    return Machine(sleep=slept.append, loadavg=loadavg), slept


def test_a_timed_phase_waits_for_the_load_to_fall_and_an_untimed_one_does_not() -> None:
    machine, slept = _machine([3.0, 2.0, 1.2])
    machine.phase("cached load")
    assert sum(slept) == 10.0 and machine.load_average["cached load"][0] == 1.2
    assert machine.busy_reason() is None

    machine, slept = _machine([3.0])
    machine.phase("generation", timed=False)
    assert slept == [] and machine.busy_reason() is None


def test_a_phase_still_busy_after_the_wait_is_named_in_the_reason() -> None:
    machine, slept = _machine([BUSY_LOAD + 1])
    machine.phase("mixed")
    assert sum(slept) == WAIT_S
    assert "mixed (load 2.50)" in (machine.busy_reason() or "")


def _result(*, p95: float = 30.0, rps: float = 200.0, busy: str | None = None) -> dict:
    load = {"requests": 100, "statuses": {"200": 100}, "errors": 0, "p50_ms": 10.0,
            "p95_ms": p95, "throughput_rps": rps, "ratio": rps / 1000}
    writes = {"ok": 5, "failures": 0, "interval_s": 2.0}
    mixed = {"requests": 100, "statuses": {"200": 100}, "errors": 0, "p95_ms": 50.0,
             "ratio": 0.3, "writes": writes,
             "pages": {PAGE: {"p50_ms": 5, "p95_ms": 50, "rps": 60, "ratio": 0.06,
                              "hit_ratio": 0.5}}}
    return {
        "pages": {PAGE: {"queries_ok": True}},
        "load": {HEALTHZ: dict(load), PAGE: dict(load)},
        "load_uncached": {HEALTHZ: dict(load, throughput_rps=1000.0), PAGE: dict(load)},
        "mixed": mixed,
        "reminder": {"seconds": 1.0},
        "report": {"seconds": 1.0},
        "workers": {"1": {"VmHWM": 100.0}},
        "busy_reason": busy,
    }


def test_verdict_follows_the_targets_on_a_calm_machine() -> None:
    good = _result()
    evaluate(good)
    assert good["verdict"] is True and good["misses"] == []
    assert good["pages"][PAGE]["uncached"]["p95_ms"] == 30.0
    assert good["pages"][PAGE]["mixed"]["hit_ratio"] == 0.5

    slow = _result(p95=TARGETS["uncached_p95_ms"] + 1)
    evaluate(slow)
    assert slow["verdict"] is False and slow["misses"] == ["dashboard: p95 cache off"]


def test_no_verdict_on_a_busy_machine_or_with_a_phase_left_out() -> None:
    busy = _result(p95=500.0, busy="machine busy")
    evaluate(busy)
    assert busy["verdict"] is None and busy["verdict_reason"] == "machine busy"

    partial = _result()
    del partial["mixed"]
    evaluate(partial)
    assert partial["verdict"] is None and "mixed" in partial["verdict_reason"]


def test_hit_ratio_counts_hits_over_hits_and_misses() -> None:
    assert hit_ratio({"hit": 3, "miss": 1, "bypass": 5}) == 0.75
    assert hit_ratio({"off": 10}) is None
