"""The directive list over every period, filtered the ways people filter it, timed in-process.

`make bench` runs it as a phase of its own (no target: the five pages carry those); alone,
after `make bench` on the same database (it reads the bench database, never writes):

    .venv/bin/python -m bench.lists [--db postgresql] [--repeat 7]

Each list is computed (page cache off) several times after one warm-up request, and the
median and the slowest are printed with the number of matches: the bench's own list is one
shape among many a province's secretariat uses ("everything still overdue", "in progress",
a field over ten years).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from urllib.parse import urlencode

from flask import Flask

from bench import database, measure
from bench.generate import BENCH_TODAY

LISTS: list[tuple[str, dict[str, str]]] = [
    ("overdue, every period", {"bucket": "overdue"}),
    ("in progress, every period", {"bucket": "in_progress"}),
    ("not started, every period", {"bucket": "not_started"}),
    ("without deadline, every period", {"bucket": "no_deadline"}),
    ("done late, every period", {"bucket": "done_late"}),
    ("done on time, every period", {"bucket": "done_on_time"}),
    ("communes and wards, every period", {"kind": "xa_phuong"}),
    ("communes and wards, overdue, every period", {"kind": "xa_phuong", "bucket": "overdue"}),
    ("sorted by status, every period", {"sort": "bucket"}),
    ("sorted by latest report, every period", {"sort": "updated"}),
    ("sorted by deadline, every period", {"sort": "deadline"}),
    ("a field, overdue, every period", {"field": "kinh_te", "bucket": "overdue"}),
    ("a field + text + overdue (the bench's)", {"field": "kinh_te", "bucket": "overdue",
                                                "q": "ngân sách"}),
    ("every period, no filter", {}),
    ("current period, overdue", {"period": "", "bucket": "overdue"}),
]
_TOTAL = re.compile(r"Tìm thấy ([\d.]+) nhiệm vụ")


def time_lists(app: Flask, password: str, repeat: int = 7) -> dict[str, dict[str, object]]:
    """Each list's median and slowest in-process time (ms) over ``repeat`` computations after
    one warm-up request, and its number of matches, as the chairman reads it."""
    client = app.test_client()
    measure.login(client, "chutich", password)
    results: dict[str, dict[str, object]] = {}
    for name, params in LISTS:
        query = {"period": "all", **params}
        path = "/directives?" + urlencode({k: v for k, v in query.items() if v})
        client.get(path).close()
        times, body = [], ""
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            body = response.get_data(as_text=True)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
        found = _TOTAL.search(body)
        results[name] = {
            "path": path,
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "matches": int(found.group(1).replace(".", "")) if found else 0,
        }
    return results


def print_lists(lists: dict[str, dict[str, object]]) -> None:
    for name, item in lists.items():
        print(f"  {name:<44} {item['median_ms']:7.1f} / {item['max_ms']:7.1f}  "
              f"{item['matches']:>7,} matches")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lists")
    default_db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default=default_db)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from tracker.demo.accounts import DEMO_PASSWORD

    app = database.bench_app(database.target_url(args.db), BENCH_TODAY.isoformat(),
                             PAGE_CACHE_MB=0, WTF_CSRF_ENABLED=False)
    load = os.getloadavg()[0]
    print(f"{args.db}, as of {BENCH_TODAY:%d/%m/%Y}, load average {load:.2f}; "
          f"ms per request in-process, median / slowest of {args.repeat}")
    print_lists(time_lists(app, DEMO_PASSWORD, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
