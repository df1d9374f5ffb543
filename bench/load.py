"""Load generator, run as its own process: N threads of http.client GETs against one path.

`python -m bench.load --port 8123 --path /dashboard --cookie "session=..." --concurrency 4
--duration 8 --max-requests 4000` prints one JSON line: requests, errors, elapsed seconds,
throughput and latency percentiles (ms). Bounded by both count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an unsorted list (0 for an empty one)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run(
    host: str, port: int, path: str, cookie: str, concurrency: int, duration: float,
    max_requests: int, warmup: int = 5,
) -> dict[str, object]:
    headers = {"Cookie": cookie} if cookie else {}
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    issued = 0

    def get(conn: http.client.HTTPConnection | None) -> tuple[int, http.client.HTTPConnection]:
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            conn.close()
            return response.status, None  # type: ignore[return-value]
        return response.status, conn

    for _ in range(warmup):  # fill caches, open the database connections
        get(None)

    deadline = time.perf_counter() + duration

    def worker() -> None:
        nonlocal issued
        conn = None
        while True:
            with lock:
                if issued >= max_requests or time.perf_counter() >= deadline:
                    break
                issued += 1
            started = time.perf_counter()
            try:
                status, conn = get(conn)
            except (OSError, http.client.HTTPException) as exc:
                conn = None
                with lock:
                    errors.append(repr(exc))
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "path": path,
        "requests": len(latencies),
        "errors": len(errors),
        "error_sample": errors[:3],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "elapsed_s": round(elapsed, 3),
        "throughput_rps": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--max-requests", type=int, default=5000)
    args = parser.parse_args()
    result = run(
        args.host, args.port, args.path, args.cookie, args.concurrency, args.duration,
        args.max_requests,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
