"""bench/load.py's groups taking turns: a page and /healthz measured in alternating slices."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.load import Target, run


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log: list[tuple[float, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/slow":
            time.sleep(0.004)
        self.log.append((time.perf_counter(), self.path))
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_groups_take_turns_and_each_name_is_timed_over_its_own_seconds() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Handler.log = []
    try:
        result = run("127.0.0.1", server.server_address[1],
                     [Target("fast", "/fast", group=0), Target("slow", "/slow", group=1)],
                     concurrency=2, duration=1.2, max_requests=100_000, warmup=2, slices=3)
    finally:
        server.shutdown()
        server.server_close()
    assert result["slices"] == 3 and result["errors"] == 0
    fast, slow = result["by_name"]["fast"], result["by_name"]["slow"]
    assert fast["requests"] > slow["requests"] > 0
    # each name's throughput is over its own 1.2 s, not the 2.4 s of the whole run
    assert 2.2 < result["elapsed_s"] < 6
    assert abs(fast["throughput_rps"] - fast["requests"] / (result["elapsed_s"] / 2)) \
        < 0.35 * fast["throughput_rps"]
    # after the warm-up, the paths come in 6 blocks: fast, slow, fast, slow, fast, slow
    paths = [path for _, path in _Handler.log[2:]]
    blocks = [p for i, p in enumerate(paths) if i == 0 or p != paths[i - 1]]
    assert blocks == ["/fast", "/slow"] * 3


def test_one_group_runs_as_before() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run("127.0.0.1", server.server_address[1], [Target("fast", "/fast")],
                     concurrency=2, duration=0.5, max_requests=100_000, warmup=1, slices=4)
    finally:
        server.shutdown()
        server.server_close()
    assert result["slices"] == 1 and result["by_name"]["fast"]["requests"] > 0
    assert result["by_name"]["fast"]["throughput_rps"] == result["throughput_rps"]
