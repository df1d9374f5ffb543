"""The targets, the verdict of a run against them, and the printed table."""

from __future__ import annotations

from bench.lists import print_lists
from bench.server import HEALTHZ

LIST_PAGE = "directive list (filtered)"

TARGETS = {
    "queries": 10,  # per page, and not more than on the small dataset
    "uncached_p95_ms": 60.0,  # every page computed (page cache off)
    "uncached_ratio": 0.10,  # of /healthz's throughput, same run
    "list_rps": 60.0,  # the filtered list computed, absolute
    "mixed_ratio": 0.25,  # all reads of the mixed phase together, of /healthz's throughput
    "mixed_p95_ms": 80.0,  # over all reads of the mixed phase
    "reminder_s": 3.0,
    "report_s": 1.5,
    "rss_mb": 200.0,  # per worker
}


def _all_ok(outcome: dict) -> bool:
    return outcome.get("requests", 0) > 0 and outcome.get("statuses", {}).get(
        "200", 0) == outcome.get("requests") and not outcome.get("errors")


def evaluate(result: dict) -> None:
    """Marks each measured figure against its target, and sets the run's verdict: true or
    false from the targets, null when the machine was busy or a phase was left out."""
    checks: dict[str, bool] = {}
    missing: list[str] = []
    for name, page in result["pages"].items():
        checks[f"{name}: queries"] = bool(page.get("queries_ok"))
        cached = result.get("load", {}).get(name)
        if cached is not None:  # figures only: the targets are for the computed page
            cached["p95_ok"] = cached["ratio_ok"] = None
    uncached = result.get("load_uncached")
    if uncached:
        for name, page in result["pages"].items():
            lr = uncached.get(name, {})
            ok = _all_ok(lr)
            lr["p95_ok"] = ok and lr["p95_ms"] <= TARGETS["uncached_p95_ms"]
            lr["ratio_ok"] = ok and lr["ratio"] >= TARGETS["uncached_ratio"]
            checks[f"{name}: p95 cache off"] = lr["p95_ok"]
            checks[f"{name}: throughput cache off"] = lr["ratio_ok"]
            if name == LIST_PAGE:
                lr["rps_ok"] = ok and lr["throughput_rps"] >= TARGETS["list_rps"]
                checks[f"{name}: req/s cache off"] = lr["rps_ok"]
            page["uncached"] = {"p50_ms": lr.get("p50_ms"), "p95_ms": lr.get("p95_ms"),
                                "rps": lr.get("throughput_rps"), "ratio": lr.get("ratio")}
    else:
        missing.append("the page-cache-off load (--skip-uncached)")
    mixed = result.get("mixed")
    if mixed and "error" in mixed:
        checks["mixed"] = False
    elif mixed:
        reads_ok = not mixed["errors"] and mixed["statuses"].get("200", 0) == mixed["requests"]
        mixed["p95_ok"] = reads_ok and mixed["p95_ms"] <= TARGETS["mixed_p95_ms"]
        mixed["ratio_ok"] = reads_ok and mixed["ratio"] >= TARGETS["mixed_ratio"]
        writes = mixed["writes"]
        mixed["writes_ok"] = writes["ok"] > 0 and not writes["failures"]
        if writes["interval_s"] <= 0:
            missing.append("the writes of the mixed phase (--write-interval 0)")
        checks.update({"mixed: p95": mixed["p95_ok"], "mixed: throughput": mixed["ratio_ok"],
                       "mixed: writes succeeded": mixed["writes_ok"]})
        for name, page in result["pages"].items():
            figures = mixed["pages"].get(name, {})
            page["mixed"] = {k: figures.get(k)
                             for k in ("p50_ms", "p95_ms", "rps", "ratio", "hit_ratio")}
    else:
        missing.append("the mixed phase (--skip-mixed)")
    for key, target in (("reminder", "reminder_s"), ("report", "report_s")):
        item = result.get(key, {})
        checks[key] = "seconds" in item and item["seconds"] <= TARGETS[target]
    for key in ("workers", "workers_uncached", "workers_mixed"):
        for pid, mem in result.get(key, {}).items():
            checks[f"{key} {pid}: RSS"] = mem["VmHWM"] <= TARGETS["rss_mb"]
    failed = [label for label, ok in checks.items() if not ok]
    result["checks"] = checks
    result["misses"] = failed
    if result.get("busy_reason"):
        result["verdict"], result["verdict_reason"] = None, result["busy_reason"]
    elif missing:
        result["verdict"] = None
        result["verdict_reason"] = "not every target measured: " + ", ".join(missing) + " left out"
    else:
        result["verdict"] = not failed
        result["verdict_reason"] = (
            "missed: " + "; ".join(failed) if failed else "every target met"
        )


# --- the table ----------------------------------------------------------------------------


def print_table(result: dict) -> None:
    busy = bool(result.get("busy_reason"))

    def mark(ok: bool | None, label: str = "") -> str:
        if busy:
            return ""
        text = "—" if ok is None else ("ok" if ok else "MISS")
        return f"{label} {text}".strip()

    print()
    counts = result["counts"]
    print(f"Benchmark {result['db']} scale {result['scale']} ({result['date']}), "
          f"{counts['directive']:,} directives, {counts['assignment']:,} assignments, "
          f"{counts['progress_update']:,} updates; generated in {result['generate_s']:.1f} s")
    _print_pages(result, mark)
    if result.get("mixed", {}).get("error"):
        print(f"\nmixed phase not measured: {result['mixed']['error']}")
    elif result.get("mixed"):
        _print_mixed(result["mixed"], mark)
    if result.get("lists", {}).get("error"):
        print(f"\nlists over every period not measured: {result['lists']['error']}")
    elif result.get("lists"):
        print("\nthe list over every period, in-process, page cache off, ms median / slowest "
              "of 7 (no target)")
        print_lists(result["lists"])
    for key, label, target in (("reminder", "reminder run", "reminder_s"),
                               ("report", "report build (.docx)", "report_s")):
        item = result[key]
        if "seconds" in item:
            ok = mark(item["seconds"] <= TARGETS[target])
            print(f"{label:<27} {item['seconds']:.2f} s (target ≤ {TARGETS[target]:g} s"
                  f"{': ' + ok if ok else ''}) {item.get('detail', '')}")
        else:
            print(f"{label:<27} not measured: {item.get('error')}")
    for key, label in (("workers", "page cache on"), ("workers_uncached", "page cache off"),
                       ("workers_mixed", "mixed")):
        for pid, mem in result.get(key, {}).items():
            ok = mark(mem["VmHWM"] <= TARGETS["rss_mb"])
            print(f"worker {pid:<8} ({label:<14}) peak RSS {mem['VmHWM']:.1f} MB (target ≤ "
                  f"{TARGETS['rss_mb']:g} MB{': ' + ok if ok else ''})")
    _print_verdict(result)


def _figures(lr: dict) -> str:
    return (f"{lr.get('p50_ms', 0):>7.1f} {lr.get('p95_ms', 0):>7.1f} "
            f"{lr.get('throughput_rps', 0):>7.1f} {lr.get('ratio', 0):>5.2f}")


def _print_pages(result: dict, mark) -> None:
    header = (f"{'page':<27} {'http':>4} {'queries':>7} {'small':>5} {'cached':>6} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>5} | "
              f"{'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>5}  targets (cache off)")
    print(f"{'':<53}{'page cache on (production)':^31} | {'page cache off':^29}")
    print(header)
    print("-" * len(header))
    cached, uncached = result["load"], result.get("load_uncached", {})
    if HEALTHZ in cached:
        print(f"{HEALTHZ:<27} {'':>4} {'':>7} {'':>5} {'':>6} "
              f"{_figures(dict(cached[HEALTHZ], ratio=1))} | "
              f"{_figures(dict(uncached.get(HEALTHZ, {}), ratio=1))}")
    for name, page in result["pages"].items():
        lr = uncached.get(name, {})
        marks = [mark(page.get("queries_ok"), "q"), mark(lr.get("p95_ok"), "p95"),
                 mark(lr.get("ratio_ok"), "tput")]
        if name == LIST_PAGE:
            marks.append(mark(lr.get("rps_ok"), f"≥{TARGETS['list_rps']:g}/s"))
        print(f"{name:<27} {page['status']:>4} {page['queries']:>7} "
              f"{page.get('queries_small', ''):>5} {page.get('cached_queries', ''):>6} "
              f"{_figures(cached.get(name, {}))} | {_figures(lr)}  "
              + ", ".join(m for m in marks if m))
    print(f"targets: queries ≤ {TARGETS['queries']} and not growing from the small dataset; "
          f"cache off: p95 ≤ {TARGETS['uncached_p95_ms']:g} ms, throughput ≥ "
          f"{TARGETS['uncached_ratio']:.0%} of /healthz, the list ≥ {TARGETS['list_rps']:g} req/s")


def _print_mixed(mixed: dict, mark) -> None:
    writes = mixed["writes"]
    print()
    print(f"mixed: page cache on, {len(mixed['readers'])} readers "
          f"({', '.join(r['username'] for r in mixed['readers'])}), concurrency "
          f"{mixed['concurrency']}, {mixed['elapsed_s']:.0f} s; " + (
              f"one progress report every {writes['interval_s']:g} s by officers of "
              f"{len(writes['targets'])} units" if writes["interval_s"] > 0 else "no writes"))
    header = (f"{'page':<27} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>5} "
              f"{'hits':>5}  cache (X-Page-Cache), statuses")
    print(header)
    print("-" * len(header))
    healthz = mixed["healthz"]
    print(f"{HEALTHZ:<27} {healthz['p50_ms']:>7.1f} {healthz['p95_ms']:>7.1f} "
          f"{healthz['throughput_rps']:>7.1f} {1:>5.2f}")

    def line(name: str, f: dict) -> str:
        hits = "" if f["hit_ratio"] is None else f"{f['hit_ratio']:.2f}"
        cache = " ".join(f"{k} {v}" for k, v in f["cache"].items())
        statuses = " ".join(f"{k}×{v}" for k, v in f["statuses"].items())
        return (f"{name:<27} {f['p50_ms']:>7.1f} {f['p95_ms']:>7.1f} {f['rps']:>7.1f} "
                f"{f['ratio']:>5.2f} {hits:>5}  {cache}; {statuses}")

    for name, figures in mixed["pages"].items():
        print(line(name, figures))
    marks = [mark(mixed.get("p95_ok"), "p95"), mark(mixed.get("ratio_ok"), "tput")]
    print(line("all reads", mixed) + "  " + ", ".join(m for m in marks if m))
    statuses = " ".join(f"{k}×{v}" for k, v in writes["statuses"].items()) or "none"
    ok = mark(mixed.get("writes_ok"))
    print(f"writes: {writes['ok']} progress reports saved (302) in {writes['elapsed_s']:.1f} s = "
          f"{writes['writes_per_s']:.2f}/s; POST answers {statuses}; "
          f"{writes['retried_after_409']} sent again after a 409; {writes['failures']} failed"
          + (f" {writes['failure_sample']}" if writes["failures"] else "") + (f"  {ok}" if ok
                                                                                else ""))
    print(f"targets: all reads p95 ≤ {TARGETS['mixed_p95_ms']:g} ms, throughput ≥ "
          f"{TARGETS['mixed_ratio']:.0%} of /healthz (same server); per page, ratio is that "
          f"page's share of it")


def _print_verdict(result: dict) -> None:
    loads = result.get("load_average", {})
    if loads:
        print("load average (1/5/15 min) as each phase started: " + "; ".join(
            f"{phase} {'/'.join(f'{v:.2f}' for v in figures)}"
            + (f" (after waiting {result['load_wait_s'][phase]:.0f} s)"
               if phase in result.get("load_wait_s", {}) else "")
            for phase, figures in loads.items()
        ))
    if result.get("busy_reason"):
        print(f"NO VERDICT: {result['busy_reason']}; the figures are shown, no target is judged")
    elif result.get("verdict") is None:
        print(f"no verdict: {result.get('verdict_reason')}")
    else:
        print(f"verdict: {'every target met' if result['verdict'] else 'MISSED'}"
              + ("" if result["verdict"] else f" ({result['verdict_reason']})"))
