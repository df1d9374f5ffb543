"""`python -m bench.standalone --today YYYY-MM-DD`: the reminder run as `flask --app wsgi
reminders send --dry-run --today ...` does it, alone in a fresh process.

Run by bench/tasks.py with the benchmark's environment (the same as gunicorn's: the bench
database, TRACKER_TODAY equal to --today). The app is loaded as `flask --app wsgi` loads it, then
the real CLI command is invoked through Flask's CLI runner and timed from its start to its
return (the interpreter start and the imports are timed apart, as startup_s). Prints one JSON
line.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--today", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    from tracker.reminders import jobs
    from wsgi import app

    startup_s = time.perf_counter() - started
    runs = []
    original = jobs.run_day

    def recording(*a, **kw):  # the command imports run_day when it runs: this is what it gets
        outcome = original(*a, **kw)
        runs.append(outcome)
        return outcome

    jobs.run_day = recording
    runner = app.test_cli_runner()
    begun = time.perf_counter()
    result = runner.invoke(args=["reminders", "send", "--dry-run", "--today", args.today])
    seconds = time.perf_counter() - begun
    plans = runs[0][0] if runs else []
    print(json.dumps({
        "seconds": round(seconds, 3),
        "startup_s": round(startup_s, 3),
        "exit_code": result.exit_code,
        "error": repr(result.exception) if result.exception else None,
        "due": sum(len(plan.due) for plan in plans),
        "messages": sum(len(plan.messages) for plan in plans),
        "last_line": (result.output.strip().splitlines() or [""])[-1],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
