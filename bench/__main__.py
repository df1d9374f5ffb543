"""`python -m bench [--scale 1] [--db sqlite|postgresql]`: the province-scale benchmark.

1. Generates the synthetic dataset (bench/generate.py) into a fresh bench database, and a
   small one (1/10 of the scale) to check that no page's query count grows with the data.
2. Counts SQL queries per page in-process, times one reminder run over the whole dataset and
   one monthly report build (.docx).
3. Serves the app with gunicorn (2 workers) and loads each page from a separate process
   (bench/load.py), then the trivial /healthz endpoint of the same app served the same way;
   records p50/p95 latency, throughput (and its ratio to /healthz) and each worker's peak RSS.
4. Prints a table and writes bench/results/<date>-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlencode

from bench import database, generate, measure, tasks
from bench.measure import Page

ROOT = database.ROOT
RESULTS = Path(__file__).resolve().parent / "results"
TODAY = generate.BENCH_TODAY

TARGETS = {
    "queries": 10,  # per page
    "p95_ms": 100.0,
    "throughput_ratio": 0.25,  # of the trivial endpoint's
    "reminder_s": 5.0,
    "report_s": 2.0,
    "rss_mb": 200.0,  # per worker
}


def pages(targets: dict[str, int]) -> list[Page]:
    """The pages under test; the list is filtered like a person would filter it."""
    # ten years of economic tasks still overdue that mention the budget, as a person would ask
    list_query = urlencode(
        {"period": "all", "field": "kinh_te", "bucket": "overdue", "q": "ngân sách"}
    )
    return [
        Page("dashboard", "/dashboard"),
        Page("directive list (filtered)", f"/directives?{list_query}"),
        Page("directive page", f"/directives/{targets['directive_id']}"),
        Page("unit page", f"/units/{targets['unit_id']}"),
        Page("first page", "/"),
    ]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _safely(task, *args) -> dict:
    """A task's result, or the error that stopped it (the rest of the run goes on)."""
    try:
        return task(*args)
    except Exception as exc:  # the benchmark reports a broken task and measures the rest
        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


# --- serving -------------------------------------------------------------------------------


class Server:
    """gunicorn with N sync workers on a free loopback port, for the bench database."""

    def __init__(self, url: str, workers: int, page_cache: bool = True) -> None:
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            PAGE_CACHE_MB=os.environ.get("PAGE_CACHE_MB", "16") if page_cache else "0",
            DATABASE_URL=url,
            TRACKER_TODAY=TODAY.isoformat(),
            SECRET_KEY=secrets.token_hex(32),
            TRACKER_INSTANCE_DIR=str(database.BENCH_DIR),
            UPLOAD_DIR=str(database.BENCH_DIR / "uploads"),
            OUTBOX_DIR=str(database.BENCH_DIR / "outbox"),
        )
        self.log_file = open(database.BENCH_DIR / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_file.name}")
            try:
                status, _, _ = self.request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, list[str]], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            found: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                found.setdefault(name.lower(), []).append(value)
            return response.status, found, text
        finally:
            conn.close()

    def login(self, username: str, password: str) -> str:
        """A session cookie header for `username`, through the real login form (with CSRF)."""
        status, headers, html = self.request("GET", "/login")
        cookies = _cookies(headers)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        form = {"username": username, "password": password}
        if token:
            form["csrf_token"] = token.group(1)
        status, headers, _ = self.request(
            "POST", "/login", body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": _cookie_header(cookies)},
        )
        if status != 302:
            raise RuntimeError(f"login as {username} over HTTP failed: {status}")
        cookies.update(_cookies(headers))
        return _cookie_header(cookies)

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    found = {}
    for value in headers.get("set-cookie", []):
        name, _, rest = value.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def memory_of(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def load(port: int, path: str, cookie: str, concurrency: int, duration: float) -> dict:
    """Run bench/load.py in its own process against one path."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.load", "--port", str(port), "--path", path,
         "--cookie", cookie, "--concurrency", str(concurrency), "--duration", str(duration),
         "--max-requests", "20000"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=duration * 4 + 120,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def load_pages(
    url: str, args: argparse.Namespace, page_list: list[Page], *, page_cache: bool
) -> tuple[dict, dict]:
    """Load /healthz and each page on a fresh gunicorn; the outcomes and the workers' memory."""
    from tracker.demo.accounts import DEMO_PASSWORD

    server = Server(url, args.workers, page_cache=page_cache)
    outcomes: dict[str, dict] = {}
    try:
        cookie = server.login("chutich", DEMO_PASSWORD)
        trivial = load(server.port, "/healthz", "", args.concurrency, args.duration)
        outcomes["trivial (/healthz)"] = trivial
        for page in page_list:
            outcome = load(server.port, page.path, cookie, args.concurrency, args.duration)
            ok_share = outcome["statuses"].get("200", 0) / max(1, outcome["requests"])
            outcome["ratio"] = round(
                outcome["throughput_rps"] / trivial["throughput_rps"], 3
            ) if trivial["throughput_rps"] else 0.0
            outcome["p95_ok"] = ok_share == 1 and outcome["p95_ms"] <= TARGETS["p95_ms"]
            outcome["ratio_ok"] = ok_share == 1 and outcome["ratio"] >= TARGETS["throughput_ratio"]
            outcomes[page.name] = outcome
            log(f"  {page.name}: {outcome['throughput_rps']} req/s, p95 {outcome['p95_ms']} ms")
        workers = {str(pid): memory_of(pid) for pid in server.worker_pids()}
    finally:
        server.stop()
    return outcomes, workers


# --- report -------------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("ok" if ok else "MISS")


def print_table(result: dict) -> None:
    print()
    print(f"Benchmark {result['db']} scale {result['scale']} ({result['date']}), "
          f"{result['counts']['directive']:,} directives, "
          f"{result['counts']['assignment']:,} assignments, "
          f"{result['counts']['progress_update']:,} updates; generated in "
          f"{result['generate_s']:.1f} s")
    header = (f"{'page':<27} {'http':>4} {'queries':>7} {'small':>5} {'cached':>6} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>5} | "
              f"{'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'ratio':>5}  targets (cache on)")
    print(f"{'':<53}{'page cache on (production)':^31} | {'page cache off':^29}")
    print(header)
    print("-" * len(header))
    uncached = result.get("load_uncached", {})

    def figures(lr: dict) -> str:
        return (f"{lr.get('p50_ms', 0):>7.1f} {lr.get('p95_ms', 0):>7.1f} "
                f"{lr.get('throughput_rps', 0):>7.1f} {lr.get('ratio', 0):>5.2f}")

    trivial = result["load"].get("trivial (/healthz)")
    if trivial:
        print(f"{'trivial (/healthz)':<27} {'':>4} {'':>7} {'':>5} {'':>6} "
              f"{figures(dict(trivial, ratio=1))} | "
              f"{figures(dict(uncached.get('trivial (/healthz)', {}), ratio=1))}")
    for name, page in result["pages"].items():
        lr = result["load"].get(name, {})
        marks = [
            f"q {_mark(page.get('queries_ok'))}",
            f"p95 {_mark(lr.get('p95_ok'))}",
            f"tput {_mark(lr.get('ratio_ok'))}",
        ]
        print(f"{name:<27} {page['status']:>4} {page['queries']:>7} "
              f"{page.get('queries_small', ''):>5} {page.get('cached_queries', ''):>6} "
              f"{figures(lr)} | {figures(uncached.get(name, {}))}  " + ", ".join(marks))
    for key, label, target in (("reminder", "reminder run", "reminder_s"),
                               ("report", "report build (.docx)", "report_s")):
        item = result[key]
        if "seconds" in item:
            print(f"{label:<27} {item['seconds']:.2f} s (target ≤ {TARGETS[target]:g} s: "
                  f"{_mark(item['seconds'] <= TARGETS[target])}) {item.get('detail', '')}")
        else:
            print(f"{label:<27} not measured: {item.get('error')}")
    for key, label in (("workers", "page cache on"), ("workers_uncached", "page cache off")):
        for pid, mem in result.get(key, {}).items():
            print(f"worker {pid:<8} ({label:<14}) peak RSS {mem['VmHWM']:.1f} MB (target ≤ "
                  f"{TARGETS['rss_mb']:g} MB: {_mark(mem['VmHWM'] <= TARGETS['rss_mb'])})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    default_db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default=default_db)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of load per page")
    parser.add_argument("--skip-uncached", action="store_true",
                        help="load the pages only as served in production (page cache on)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data of the previous run at the same scale")
    args = parser.parse_args(argv)

    from tracker.demo.accounts import DEMO_PASSWORD

    # one benchmark at a time: a second run would regenerate the database under the first
    database.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    lock = open(database.BENCH_DIR / ".lock", "w")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("another benchmark is running on this machine (instance/bench/.lock); try later")
        return 1

    url = database.target_url(args.db)
    small_url = database.target_url(args.db, "small")
    marker = database.BENCH_DIR / f"{args.db}.json"
    counts: dict[str, int]
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
    app = database.bench_app(url, TODAY.isoformat(), WTF_CSRF_ENABLED=False)
    small_app = database.bench_app(small_url, TODAY.isoformat(), WTF_CSRF_ENABLED=False)
    page_list = pages(measure.pick_targets(app, TODAY))
    small_pages = pages(measure.pick_targets(small_app, TODAY))
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

    # 2. one reminder run and one report build over the whole dataset
    log("timing one reminder run and one report build ...")
    result["reminder"] = _safely(tasks.time_reminder_run, app, TODAY)
    result["report"] = _safely(tasks.time_report_build, app, TODAY)

    # 3. load through gunicorn, as configured for production (page cache on), then with the
    #    page cache off: every request computes its page, as the first view after a change does
    log(f"serving with gunicorn ({args.workers} workers) and loading each page "
        f"for {args.duration:g} s at concurrency {args.concurrency} ...")
    result["load"], result["workers"] = load_pages(url, args, page_list, page_cache=True)
    if not args.skip_uncached:
        log("again with the page cache off ...")
        result["load_uncached"], workers = load_pages(url, args, page_list, page_cache=False)
        result["workers_uncached"] = workers

    print_table(result)
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if args.scale == 1 else f"-scale{args.scale:g}"
    out = RESULTS / f"{result['date']}-{args.db}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
