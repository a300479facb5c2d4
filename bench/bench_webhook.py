"""Webhook speed: review() in process, then the real server over HTTPS with keep-alive.

1. review() of a typical Pod CREATE (a real capture, policy `default` and `restricted`):
   median and p99 per call.
2. Latency at a fixed rate (default 200 requests/s) from an open-loop generator: each request
   has a scheduled send time and its latency is measured from that time, so a stalled server
   is not hidden by a client that waits for it (no coordinated omission).
3. Maximum sustained requests/s with wrk (Debian package `wrk`) and a Lua body script.

    python bench/bench_webhook.py
    python bench/bench_webhook.py --rate 200 --seconds 20 --workers 1 --workers 2
    python bench/bench_webhook.py --review-only    # review() and its rules alone
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CAPTURE = ROOT.parent / "shared" / "admission" / "kw-pod-create-basic.json"
HOSTNAME = "podlint-webhook.podlint-system.svc"
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, */*",
    "User-Agent": "kube-apiserver-admission",
}
PATH = "/validate?timeout=10s"


def body() -> dict[str, Any]:
    request = json.loads(CAPTURE.read_text(encoding="utf-8"))
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_review(iterations: int) -> None:
    from podlint.webhook.config import parse_config
    from podlint.webhook.review import Reviewer
    from podlint.webhook.source import admission_document, parse_review

    review = body()
    request = parse_review(review)
    assert request.object is not None
    document = admission_document(request, request.object)
    for policy in ("default", "restricted"):
        reviewer = Reviewer(parse_config({"default": {"policy": policy}}))
        reviewer.warm_up()
        times = []
        for _ in range(iterations):
            started = time.perf_counter()
            reviewer.review(review)
            times.append(time.perf_counter() - started)
        # The rules alone: what the engine does for the same object.
        engine = reviewer.engines[policy]
        rules = []
        for _ in range(iterations):
            started = time.perf_counter()
            list(engine.lint_document(document))
            rules.append(time.perf_counter() - started)
        median = statistics.median(times) * 1e3
        p99 = percentile(times, 0.99) * 1e3
        label = f"review() policy={policy:<10} n={iterations}"
        print(f"{label}  median {median:.3f} ms  p99 {p99:.3f} ms  min {min(times) * 1e3:.3f} ms")
        print(
            f"  of which Engine.lint_document: median {statistics.median(rules) * 1e3:.3f} ms  "
            f"min {min(rules) * 1e3:.3f} ms"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    directory: Path, workers: int, *extra_args: str
) -> tuple[subprocess.Popen[bytes], int]:
    from podlint.webhook import certs

    certs.write(certs.issue("podlint-webhook", "podlint-system"), directory)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podlint",
            "webhook",
            "serve",
            "--tls-cert",
            str(directory / "tls.crt"),
            "--tls-key",
            str(directory / "tls.key"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            *extra_args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = client_context(directory)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = connect(port, context)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                connection.close()
                # every worker has warmed up once it answers; give the others a moment
                time.sleep(1.0 if workers > 1 else 0)
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not become ready")


def client_context(directory: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(directory / "ca.crt"))


class _Connection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 and verifies the certificate for the Service's DNS name."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=HOSTNAME)  # type: ignore[attr-defined]


def connect(port: int, context: ssl.SSLContext) -> _Connection:
    return _Connection(HOSTNAME, port, context=context, timeout=10)


def fixed_rate(port: int, context: ssl.SSLContext, rate: float, seconds: float) -> None:
    payload = json.dumps(body()).encode()
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = 0
    start = time.perf_counter() + 0.5

    def worker() -> None:
        nonlocal next_index, errors
        connection = connect(port, context)
        while True:
            with lock:
                index = next_index
                next_index += 1
            if index >= total:
                break
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                connection.request("POST", PATH, body=payload, headers=HEADERS)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = connect(port, context)
            finished = time.perf_counter()
            with lock:
                if ok:
                    latencies.append(finished - scheduled)
                else:
                    errors += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = "  ".join(
        f"p{int(q * 100)} {percentile(latencies, q) * 1e3:.2f} ms" for q in (0.5, 0.9, 0.99)
    )
    print(
        f"  fixed rate {rate:.0f}/s for {seconds:.0f}s: n={len(latencies)} errors={errors}  "
        f"{shown}  max {max(latencies) * 1e3:.2f} ms"
    )


LUA = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, */*"
wrk.headers["User-Agent"] = "kube-apiserver-admission"
local f = io.open(os.getenv("PODLINT_BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
"""


def saturate(port: int, directory: Path, seconds: float, connections: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("  wrk not found (apt-get install wrk): maximum throughput not measured")
        return
    (directory / "body.json").write_text(json.dumps(body()), encoding="utf-8")
    (directory / "post.lua").write_text(LUA, encoding="utf-8")
    result = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--latency",
            "-s",
            str(directory / "post.lua"),
            f"https://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PODLINT_BENCH_BODY": str(directory / "body.json")},
        check=False,
    )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    p50 = re.search(r"^\s+50%\s+(\S+)", result.stdout, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", result.stdout, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    print(
        f"  wrk -t1 -c{connections} {seconds:.0f}s: {rps.group(1) if rps else '?'} requests/s  "
        f"p50 {p50.group(1) if p50 else '?'}  p99 {p99.group(1) if p99 else '?'}  "
        f"non-2xx {non_2xx.group(1) if non_2xx else 0}  "
        f"socket errors {errors.group(1) if errors else 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--review-only", action="store_true", help="time review() alone")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    bench_review(args.iterations)
    if args.review_only:
        return
    for workers in args.workers or [1, 2]:
        with tempfile.TemporaryDirectory() as name:
            directory = Path(name)
            process, port = start_server(directory, workers)
            try:
                print(f"server --workers {workers} (cpus: {os.cpu_count()})")
                fixed_rate(port, client_context(directory), args.rate, args.seconds)
                saturate(port, directory, args.seconds, args.connections)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
