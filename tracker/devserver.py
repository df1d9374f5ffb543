"""`make run`: the web server and the scheduler process side by side; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

from tracker.demo.accounts import DEMO_PASSWORD, DEMO_USERS


def _has_scheduler() -> bool:
    from tracker import create_app

    return "scheduler" in create_app().cli.list_commands(None)  # type: ignore[arg-type]


def child_environment(environ: Mapping[str, str], host: str, port: str) -> dict[str, str]:
    """The web server's and the scheduler's environment: links in e-mails and calendar feeds
    point where this server listens (``BASE_URL`` follows ``HOST`` and ``PORT``) unless
    ``BASE_URL`` is set explicitly."""
    env = dict(environ)
    if not env.get("BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a check
        if ":" in shown and not shown.startswith("["):
            shown = f"[{shown}]"  # an IPv6 address in a URL
        env["BASE_URL"] = f"http://{shown}:{port}"
    return env


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and a service manager's SIGTERM both stop everything, even when the shell started us
    # with SIGINT ignored (background jobs).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    env = child_environment(os.environ, host, port)
    print(f"\nTheo dõi nhiệm vụ: {env['BASE_URL']}")
    print(f"Tài khoản mẫu (mật khẩu {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        print(f"  {user.username:<12} {user.title}")
    print("Nhấn Ctrl-C để dừng.\n", flush=True)
    procs = [subprocess.Popen([*flask, "run", "--host", host, "--port", port], env=env)]  # noqa: S603
    if _has_scheduler():
        procs.append(subprocess.Popen([*flask, "scheduler"], env=env))  # noqa: S603
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()  # SIGTERM: the scheduler stops cleanly, the web server exits
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    raise SystemExit(main())
