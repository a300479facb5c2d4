"""Webhook shutdown: seconds from SIGTERM to exit while clients hold idle keep-alive TLS
connections and never read from them again, as kube-apiserver's connection pool does.

Each round starts the real `podlint webhook serve`, opens the connections (one request each,
answered), sends SIGTERM and times the exit. The target: the drain delay plus at most 5 s.

    python bench/bench_webhook_shutdown.py --shutdown-delay 5 --connections 16 --rounds 3
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_webhook import HOSTNAME, client_context, start_server  # noqa: E402


def one_round(directory: Path, delay: float, connections: int) -> float:
    process, port = start_server(directory, 1, "--shutdown-delay", str(delay))
    context = client_context(directory)
    held = []
    for _ in range(connections):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock = context.wrap_socket(raw, server_hostname=HOSTNAME)
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOSTNAME}\r\n\r\n".encode())
        held.append(sock)
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    process.wait(timeout=delay + 120)
    took = time.monotonic() - started
    for sock in held:
        sock.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shutdown-delay", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as directory:
            times.append(one_round(Path(directory), args.shutdown_delay, args.connections))
    print(
        f"shutdown-delay {args.shutdown_delay:g}s, {args.connections} idle connections that do "
        f"not read: exit after SIGTERM in {statistics.median(times):.2f}s median "
        f"(min {min(times):.2f}s, max {max(times):.2f}s, {args.rounds} rounds); "
        f"beyond the delay: {max(times) - args.shutdown_delay:.2f}s at most"
    )


if __name__ == "__main__":
    main()
