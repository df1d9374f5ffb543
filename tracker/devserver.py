"""`make run`: the web server and the scheduler process side by side; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tracker.demo.accounts import DEMO_PASSWORD, DEMO_USERS


def _has_scheduler() -> bool:
    from tracker import create_app

    return "scheduler" in create_app().cli.list_commands(None)  # type: ignore[arg-type]


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
    print(f"\nTheo dõi nhiệm vụ: http://{host}:{port}")
    print(f"Tài khoản mẫu (mật khẩu {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        print(f"  {user.username:<12} {user.title}")
    print("Nhấn Ctrl-C để dừng.\n", flush=True)
    procs = [subprocess.Popen([*flask, "run", "--host", host, "--port", port])]  # noqa: S603
    if _has_scheduler():
        procs.append(subprocess.Popen([*flask, "scheduler"]))  # noqa: S603
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
