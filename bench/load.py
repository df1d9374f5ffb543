"""Load generator, run as its own process: N threads of http.client GETs against a set of targets.

One path:
`python -m bench.load --port 8123 --path /dashboard --cookie "session=..." --concurrency 4
--duration 8 --max-requests 4000`

Several named targets, each with its own session (a mix of pages read by many users):
`python -m bench.load --port 8123 --targets - --concurrency 4 --duration 30 < targets.json`
where targets.json is a list of {"name", "path", "cookie"}; the threads take the targets in turn
(a fixed shuffled order), so each name gets its share of the requests from all its users.

Targets may carry a "group" (0 by default). With several groups and `--slices N`, the groups take
turns: N rounds in which each group is loaded alone for duration/N seconds (so each group gets
`duration` seconds in all). A page and /healthz measured that way see the same machine, where
runs one after the other saw its speed drift by two to three times within minutes here; a
name's throughput is over the seconds its group ran.

Prints one JSON line: requests, errors, statuses, elapsed seconds, throughput, latency
percentiles (ms) and the counts of the --count-header values (X-Page-Cache: hit/miss/...), in
total and per target name under "by_name". Bounded by both count and time. With --announce, a
line {"ready": true} is printed (and flushed) when the measured window starts, so a caller can
start work (the writes of the mixed phase) at the same moment.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    cookie: str = ""
    group: int = 0


@dataclass
class Tally:
    """What one target name received."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    headers: dict[str, int] = field(default_factory=dict)

    def add(self, elapsed_ms: float, status: int, header: str | None) -> None:
        self.latencies.append(elapsed_ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if header is not None:
            self.headers[header] = self.headers.get(header, 0) + 1

    def summary(self, elapsed_s: float) -> dict[str, object]:
        return {
            "requests": len(self.latencies),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "headers": dict(sorted(self.headers.items())),
            "throughput_rps": round(len(self.latencies) / elapsed_s, 2) if elapsed_s else 0.0,
            "p50_ms": round(percentile(self.latencies, 50), 2),
            "p95_ms": round(percentile(self.latencies, 95), 2),
            "mean_ms": round(statistics.fmean(self.latencies), 2) if self.latencies else 0.0,
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an unsorted list (0 for an empty one)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _get(
    host: str, port: int, target: Target, header: str, conn: http.client.HTTPConnection | None
) -> tuple[int, str | None, http.client.HTTPConnection | None]:
    if conn is None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", target.path, headers={"Cookie": target.cookie} if target.cookie else {})
    response = conn.getresponse()
    response.read()
    value = response.getheader(header)
    if response.getheader("Connection", "").lower() == "close" or response.will_close:
        conn.close()
        return response.status, value, None
    return response.status, value, conn


def _warm_up(host: str, port: int, order: list[Target], header: str, count: int) -> None:
    """One request per name, then more up to `count`: caches filled, connections opened."""
    first: dict[str, Target] = {}
    for target in order:
        first.setdefault(target.name, target)
    plan = list(first.values())
    plan += [order[i % len(order)] for i in range(max(0, count - len(plan)))]
    for target in plan:
        _, _, conn = _get(host, port, target, header, None)
        if conn is not None:
            conn.close()


def run(
    host: str, port: int, targets: list[Target], concurrency: int, duration: float,
    max_requests: int, warmup: int = 5, header: str = "X-Page-Cache", announce: bool = False,
    slices: int = 1,
) -> dict[str, object]:
    order = list(targets)
    random.Random(15).shuffle(order)  # users and pages interleaved, the same order every run
    groups: dict[int, list[Target]] = {}
    for target in sorted(order, key=lambda t: t.group):  # group 0 first, each in `order`
        groups.setdefault(target.group, []).append(target)
    lock = threading.Lock()
    tallies = {target.name: Tally() for target in order}
    errors: list[str] = []
    issued = dict.fromkeys(groups, 0)
    budget = [max_requests]

    def drive(group: int, seconds: float) -> float:
        """Load one group's targets with `concurrency` threads for `seconds`; the time taken."""
        members = groups[group]
        deadline = time.perf_counter() + seconds

        def worker() -> None:
            conn = None
            while True:
                with lock:
                    if budget[0] <= 0 or time.perf_counter() >= deadline:
                        if conn is not None:
                            conn.close()
                        break
                    target = members[issued[group] % len(members)]
                    issued[group] += 1
                    budget[0] -= 1
                started = time.perf_counter()
                try:
                    status, value, conn = _get(host, port, target, header, conn)
                except (OSError, http.client.HTTPException) as exc:
                    conn = None
                    with lock:
                        errors.append(f"{target.name}: {exc!r}")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    tallies[target.name].add(elapsed, status, value)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    _warm_up(host, port, order, header, warmup)
    if announce:
        print(json.dumps({"ready": True}), flush=True)
    ran = dict.fromkeys(groups, 0.0)  # seconds each group was loaded
    rounds = max(1, slices) if len(groups) > 1 else 1
    for _ in range(rounds):
        for group in groups:
            ran[group] += drive(group, duration / rounds)
    elapsed = sum(ran.values())
    total = Tally()
    for tally in tallies.values():
        total.latencies += tally.latencies
        for status, n in tally.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + n
        for value, n in tally.headers.items():
            total.headers[value] = total.headers.get(value, 0) + n
    group_of = {target.name: target.group for target in order}
    paths = sorted({t.path for t in order})
    return {
        "path": paths[0] if len(paths) == 1 else f"{len(order)} targets",
        **total.summary(elapsed),
        "errors": len(errors),
        "error_sample": errors[:3],
        "elapsed_s": round(elapsed, 3),
        "concurrency": concurrency,
        "users": len({t.cookie for t in order}),
        "slices": rounds,
        "by_name": {name: tally.summary(ran[group_of[name]]) for name, tally in tallies.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", help="one path (with --cookie)")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--targets", help="a JSON file of {name, path, cookie}, or - for stdin")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--count-header", default="X-Page-Cache")
    parser.add_argument("--announce", action="store_true")
    parser.add_argument("--slices", type=int, default=1,
                        help="rounds in which the targets' groups take turns (see above)")
    args = parser.parse_args()
    if args.targets:
        with open(args.targets) if args.targets != "-" else sys.stdin as source:
            targets = [Target(t["name"], t["path"], t.get("cookie", ""), int(t.get("group", 0)))
                       for t in json.load(source)]
    elif args.path:
        targets = [Target(args.path, args.path, args.cookie)]
    else:
        parser.error("give --path or --targets")
    result = run(
        args.host, args.port, targets, args.concurrency, args.duration, args.max_requests,
        args.warmup, args.count_header, args.announce, args.slices,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
