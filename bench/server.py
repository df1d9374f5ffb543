"""Serving the bench database with gunicorn, signing in over HTTP, and loading pages from a
separate process (bench/load.py)."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import database, generate
from bench.load import Target
from bench.measure import Page

ROOT = database.ROOT
TODAY = generate.BENCH_TODAY
HEALTHZ = "trivial (/healthz)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(url: str, *, page_cache: bool = True) -> dict[str, str]:
    """The environment the app runs with in the benchmark (gunicorn and CLI commands alike)."""
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
    return env


def request(
    port: int, method: str, path: str, body: str | None = None, headers: dict | None = None
) -> tuple[int, dict[str, list[str]], str]:
    """One request on a fresh connection: status, headers (lower-case names), body text."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


class Client:
    """One person's browser: a cookie jar kept across requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, list[str]], str]:
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, found, text = request(self.port, method, path, body, headers)
        for value in found.get("set-cookie", []):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, found, text

    def login(self, username: str, password: str) -> Client:
        """Through the real login form (with its CSRF token), then to the page it leads to,
        as a browser does: the session the later requests carry holds a CSRF token."""
        _, _, html = self.request("GET", "/login")
        form = {"username": username, "password": password}
        token = csrf_token(html)
        if token:
            form["csrf_token"] = token
        status, headers, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"login as {username} over HTTP failed: {status}")
        landing = urlsplit(headers.get("location", ["/"])[0])
        self.request("GET", landing.path + (f"?{landing.query}" if landing.query else ""))
        return self


def csrf_token(html: str, start: int = 0) -> str | None:
    """The first CSRF token of a form in the page, from `start` on."""
    found = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"').search(html, start)
    return found.group(1) if found else None


class Server:
    """gunicorn with N sync workers on a free loopback port, for the bench database."""

    def __init__(self, url: str, workers: int, page_cache: bool = True) -> None:
        self.port = free_port()
        self.log_file = open(database.BENCH_DIR / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=app_env(url, page_cache=page_cache), stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_file.name}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def login(self, username: str, password: str) -> str:
        """A session cookie header for `username`."""
        return Client(self.port).login(username, password).cookie_header

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def workers_memory(self) -> dict[str, dict[str, float]]:
        return {str(pid): memory_of(pid) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def memory_of(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def load(
    port: int, targets: Sequence[Target], concurrency: int, duration: float,
    on_ready: Callable[[], None] | None = None, slices: int = 1,
) -> dict:
    """Run bench/load.py in its own process against `targets`; `on_ready` is called when its
    measured window starts. Targets in several groups take turns in `slices` rounds, each group
    loaded for `duration` seconds in all (bench/load.py)."""
    groups = len({target.group for target in targets})
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.load", "--port", str(port), "--targets", "-",
         "--concurrency", str(concurrency), "--duration", str(duration),
         "--max-requests", str(groups * max(20000, int(duration * 4000))), "--announce",
         "--slices", str(slices)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin and process.stdout and process.stderr  # noqa: S101 - pipes asked for
    process.stdin.write(json.dumps([t.__dict__ for t in targets]))
    process.stdin.close()
    last = ""
    for line in process.stdout:
        if line.strip() == '{"ready": true}':
            if on_ready is not None:
                on_ready()
        elif line.strip():
            last = line
    errors = process.stderr.read()
    if process.wait(timeout=duration * groups * 4 + 120) != 0 or not last:
        raise RuntimeError(f"bench.load failed: {errors[-2000:]}")
    return json.loads(last)


SLICES = 4  # a page and /healthz take turns in 4 rounds of 2 s each (at 8 s per page)


def load_pages(
    url: str, workers: int, concurrency: int, duration: float, page_list: list[Page],
    password: str, *, page_cache: bool,
) -> tuple[dict, dict]:
    """Load each page (one user, as in production the leader) on a fresh gunicorn, taking
    turns with /healthz on the same server (SLICES rounds, `duration` seconds of each in all);
    the outcomes (a page's throughput also as a ratio to the /healthz it took turns with) and
    the workers' memory.

    The machine's speed moved by two to three times within minutes here: /healthz measured
    once for five pages, or even for 8 s right before each page, saw a different machine from
    the page's. Taking turns every 2 s, both see the same. ``outcomes[HEALTHZ]`` is the
    /healthz of median throughput, with every page's in ``runs_rps``."""
    server = Server(url, workers, page_cache=page_cache)
    outcomes: dict[str, dict] = {}
    trivial_runs: list[dict] = []
    try:
        cookie = server.login("chutich", password)
        for page in page_list:
            both = load(server.port, [Target(HEALTHZ, "/healthz", group=0),
                                      Target(page.name, page.path, cookie, group=1)],
                        concurrency, duration, slices=SLICES)
            trivial, outcome = both["by_name"][HEALTHZ], both["by_name"][page.name]
            trivial_runs.append(trivial)
            outcome.update(errors=both["errors"], error_sample=both["error_sample"],
                           slices=both["slices"], healthz_rps=trivial["throughput_rps"],
                           ratio=ratio(outcome["throughput_rps"], trivial["throughput_rps"]))
            outcomes[page.name] = outcome
            print(f"  {page.name}: {outcome['throughput_rps']} req/s, p95 {outcome['p95_ms']} ms"
                  f" (/healthz {trivial['throughput_rps']} req/s)", file=sys.stderr, flush=True)
        workers_memory = server.workers_memory()
    finally:
        server.stop()
    if trivial_runs:
        runs = sorted(trivial_runs, key=lambda run: run["throughput_rps"])
        outcomes = {HEALTHZ: dict(runs[len(runs) // 2],
                                  runs_rps=[run["throughput_rps"] for run in trivial_runs]),
                    **outcomes}
    return outcomes, workers_memory


def ratio(rps: float, trivial_rps: float) -> float:
    return round(rps / trivial_rps, 3) if trivial_rps else 0.0
