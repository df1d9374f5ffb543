"""`python -m bench [--scale 1] [--db sqlite|postgresql]`: the province-scale benchmark.

1. Generates the synthetic dataset (bench/generate.py) into a fresh bench database, and a
   small one (1/10 of the scale) to check that no page's query count grows with the data.
2. Counts SQL queries per page in-process, times one reminder run (the real command, alone in a
   fresh process) and one monthly report build (.docx), and the directive list over every
   period filtered fifteen ways (bench/lists.py, in-process, no target).
3. Serves the app with gunicorn (2 workers) and loads each page from a separate process
   (bench/load.py), each right after the trivial /healthz endpoint of the same server;
   records p50/p95 latency, throughput (and its ratio to that /healthz run) and each worker's
   peak RSS;
   with the page cache on (production), then off (every request computes its page).
4. The mixed phase (bench/mixed.py): the pages read by people of every role and unit while
   officers post progress through the app, page cache on; the cache's hit ratio, writes/s.
5. Records the load average as each phase starts, waiting for a busy machine to calm down
   before a timed phase (bench/machine.py); on a still busy machine the run gives no verdict.
6. Prints a table and writes bench/results/<date>-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench import database, generate, lists, measure, mixed, tasks
from bench.machine import Machine
from bench.report import TARGETS, evaluate, print_table
from bench.server import load_pages

ROOT = database.ROOT
RESULTS = Path(__file__).resolve().parent / "results"
TODAY = generate.BENCH_TODAY


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _safely(task, *args, **kwargs) -> dict:
    """A task's result, or the error that stopped it (the rest of the run goes on)."""
    try:
        return task(*args, **kwargs)
    except Exception as exc:  # the benchmark reports a broken task and measures the rest
        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}


def prepare(url: str, scale: float) -> tuple[dict[str, int], float]:
    from tracker.extensions import db

    database.recreate(url)
    app = database.bench_app(url, TODAY.isoformat())
    database.migrate(app)
    started = time.perf_counter()
    with app.app_context():
        counts = generate.generate(db.engine, scale, log=log)
        db.engine.dispose()
    return counts, time.perf_counter() - started


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    default_db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default=default_db)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of load per page")
    parser.add_argument("--mixed-duration", type=float, default=30.0,
                        help="seconds of the mixed phase (reads by many users, with writes)")
    parser.add_argument("--write-interval", type=float, default=2.0,
                        help="seconds between two progress reports in the mixed phase")
    parser.add_argument("--skip-uncached", action="store_true",
                        help="load the pages only as served in production (page cache on)")
    parser.add_argument("--skip-mixed", action="store_true", help="leave out the mixed phase")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data of the previous run at the same scale (with the "
                        "progress reports its mixed phase posted, and their audit history)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from tracker.demo.accounts import DEMO_PASSWORD

    # one benchmark at a time: a second run would regenerate the database under the first
    database.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    lock = open(database.BENCH_DIR / ".lock", "w")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("another benchmark is running on this machine (instance/bench/.lock); try later")
        return 1

    machine = Machine()
    url = database.target_url(args.db)
    small_url = database.target_url(args.db, "small")
    marker = database.BENCH_DIR / f"{args.db}.json"
    counts: dict[str, int]
    machine.phase("generation", timed=False)
    if args.reuse and marker.exists() and json.loads(marker.read_text())["scale"] == args.scale:
        saved = json.loads(marker.read_text())
        counts, generate_s = saved["counts"], saved["generate_s"]
        log(f"reusing the {args.db} bench data at scale {args.scale}")
    else:
        log(f"generating scale {args.scale} on {args.db} ...")
        counts, generate_s = prepare(url, args.scale)
        small_scale = max(args.scale / 10, 0.01)  # same shape (sub-directives, every state)
        log(f"generating the small dataset (scale {small_scale:g}) ...")
        prepare(small_url, small_scale)
        marker.write_text(json.dumps(
            {"scale": args.scale, "counts": counts, "generate_s": generate_s}
        ))

    result: dict = {
        "date": dt.date.today().isoformat(),
        "db": args.db,
        "scale": args.scale,
        "counts": counts,
        "generate_s": round(generate_s, 1),
        "as_of": TODAY.isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": TARGETS,
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                 capture_output=True, text=True).stdout.strip(),
    }

    # 1. queries per page, on the full and the small dataset
    machine.phase("query counting", timed=False)
    app = database.bench_app(url, TODAY.isoformat(), WTF_CSRF_ENABLED=False)
    small_app = database.bench_app(small_url, TODAY.isoformat(), WTF_CSRF_ENABLED=False)
    page_list = measure.pages(**measure.pick_targets(app, TODAY))
    small_pages = measure.pages(**measure.pick_targets(small_app, TODAY))
    log("counting queries per page ...")
    big = measure.query_counts(app, page_list, DEMO_PASSWORD)
    small = measure.query_counts(small_app, small_pages, DEMO_PASSWORD)
    result["pages"] = {}
    for page in page_list:
        entry = big[page.name]
        entry["queries_small"] = small[page.name]["queries"]
        entry["queries_ok"] = (
            entry["status"] == 200
            and entry["queries"] <= TARGETS["queries"]
            and entry["queries"] <= entry["queries_small"]
            and entry["cached_queries"] <= small[page.name]["cached_queries"]
        )
        result["pages"][page.name] = entry

    # 2. one reminder run (the real command, alone) and one report build over the whole dataset
    machine.phase("reminder and report")
    log("timing one reminder run and one report build ...")
    result["reminder"] = _safely(tasks.time_reminder_run, url, TODAY)
    result["report"] = _safely(tasks.time_report_build, app, TODAY)

    # 2b. the list over every period, filtered the ways people filter it (no target)
    machine.phase("lists", timed=False)
    log("timing the list over every period, filtered fifteen ways ...")
    list_app = database.bench_app(url, TODAY.isoformat(), PAGE_CACHE_MB=0,
                                  WTF_CSRF_ENABLED=False)
    result["lists"] = _safely(lists.time_lists, list_app, DEMO_PASSWORD)

    # 3. load through gunicorn, as configured for production (page cache on), then with the
    #    page cache off: every request computes its page, as the first view after a change does
    machine.phase("cached load")
    log(f"serving with gunicorn ({args.workers} workers) and loading each page "
        f"for {args.duration:g} s at concurrency {args.concurrency} ...")
    settings = (args.workers, args.concurrency, args.duration)
    result["load"], result["workers"] = load_pages(url, *settings, page_list, DEMO_PASSWORD,
                                                   page_cache=True)
    if not args.skip_uncached:
        machine.phase("uncached load")
        log("again with the page cache off ...")
        result["load_uncached"], result["workers_uncached"] = load_pages(
            url, *settings, page_list, DEMO_PASSWORD, page_cache=False
        )

    # 4. many readers of every role while officers post progress, page cache on
    if not args.skip_mixed:
        machine.phase("mixed")
        log(f"mixed: reads by many users for {args.mixed_duration:g} s, one progress report "
            f"every {args.write_interval:g} s ...")
        result["mixed"] = _safely(
            mixed.run, url, mixed.plan(app, TODAY), DEMO_PASSWORD, workers=args.workers,
            concurrency=args.concurrency, healthz_duration=args.duration,
            duration=args.mixed_duration, interval=args.write_interval,
        )
        result["workers_mixed"] = result["mixed"].pop("workers", {})

    result["load_average"] = machine.load_average
    result["load_wait_s"] = machine.waited_s
    result["busy_reason"] = machine.busy_reason()
    evaluate(result)
    print_table(result)
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if args.scale == 1 else f"-scale{args.scale:g}"
    out = RESULTS / f"{result['date']}-{args.db}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
