"""Time limits of the real server process: shutdown with idle pooled connections, the
apiserver's ?timeout= as the bound of a review, and a large review not stalling the probes."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_webhook_https import _raw_tls
from webhook_cases import capture
from webhook_server import APISERVER_HEADERS, HOSTNAME, VALIDATE, WebhookProcess, slow_plugin

from podlint.webhook.limits import review_budget


def _slow_config(directory: Path, failure_mode: str) -> dict[str, Any]:
    policy = directory / "slow-policy.yaml"
    policy.write_text(
        "name: slow\nrules:\n  slow/sleep: warning\n  duplicate-container-name: error\n",
        encoding="utf-8",
    )
    return {"failure-mode": failure_mode, "default": {"policy": str(policy), "mode": "enforce"}}


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookProcess]:
    directory = tmp_path_factory.mktemp("slow-webhook")
    process = WebhookProcess(
        directory,
        _slow_config(directory, "deny"),
        python_path=slow_plugin(directory / "plugins"),
    )
    yield process
    process.stop()


def _review_sleeping(seconds: float) -> dict[str, Any]:
    review = capture("ky-pod-create.json")
    review["request"]["object"]["metadata"].setdefault("annotations", {})["podlint.test/sleep"] = (
        str(seconds)
    )
    return review


def test_sigterm_with_an_idle_pooled_connection_that_never_reads(tmp_path: Path) -> None:
    delay = 1.0
    process = WebhookProcess(tmp_path, {}, "--shutdown-delay", str(delay))
    try:
        # As the apiserver's pool: a request answered, then the connection kept and never
        # read from again (the TLS close_notify the server sends is never answered).
        idle = _raw_tls(process)
        idle.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOSTNAME}\r\n\r\n".encode())
        time.sleep(0.2)
        process.terminate()
        terminated = time.monotonic()
        status = process.process.wait(timeout=delay + 20)
        took = time.monotonic() - terminated
        idle.close()
        assert status == 0, process.log()
        assert took <= delay + 5, f"exit took {took:.1f}s after SIGTERM"
    finally:
        process.stop()


def test_a_review_past_the_apiservers_timeout_is_answered_by_failure_mode(
    slow_server: WebhookProcess,
) -> None:
    with slow_server.client() as client:
        started = time.monotonic()
        response = client.post(
            slow_server.base_url + "/validate?timeout=2s",
            content=json.dumps(_review_sleeping(6)),
            headers=APISERVER_HEADERS,
        )
        took = time.monotonic() - started
        answer = response.json()["response"]
        assert response.status_code == 200
        assert took < 2.0, f"answered after {took:.2f}s, past the apiserver's 2s"
        assert answer["allowed"] is False  # failure-mode: deny
        assert "did not finish within 1.6s" in answer["status"]["message"]
        # The same server, given the time, reviews normally.
        quick = client.post(
            slow_server.base_url + "/validate?timeout=10s",
            content=json.dumps(_review_sleeping(0.3)),
            headers=APISERVER_HEADERS,
        )
        assert quick.json()["response"]["allowed"] is True
        metrics = client.get(slow_server.base_url + "/metrics").text
        assert "podlint_admission_timeouts_total 1.0" in metrics


def test_allow_failure_mode_admits_a_review_past_its_timeout_with_a_warning(
    tmp_path: Path,
) -> None:
    process = WebhookProcess(
        tmp_path, _slow_config(tmp_path, "allow"), python_path=slow_plugin(tmp_path / "plugins")
    )
    try:
        with process.client() as client:
            response = client.post(
                process.base_url + "/validate?timeout=1s",
                content=json.dumps(_review_sleeping(3)),
                headers=APISERVER_HEADERS,
            )
            answer = response.json()["response"]
            assert answer["allowed"] is True
            assert any("did not finish within 0.8s" in text for text in answer["warnings"])
    finally:
        process.stop()


def test_health_checks_answer_while_a_review_runs(slow_server: WebhookProcess) -> None:
    outcome: dict[str, Any] = {}

    def slow_review() -> None:
        with slow_server.client() as client:
            outcome["response"] = client.post(
                slow_server.base_url + VALIDATE,
                content=json.dumps(_review_sleeping(3)),
                headers=APISERVER_HEADERS,
            )

    worker = threading.Thread(target=slow_review)
    worker.start()
    time.sleep(0.5)
    latencies = []
    with slow_server.client() as client:
        for _ in range(5):
            started = time.monotonic()
            assert client.get(slow_server.base_url + "/healthz").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.1)
    worker.join(timeout=20)
    assert outcome["response"].json()["response"]["allowed"] is True
    assert max(latencies) < 1.0, latencies


def test_a_slow_review_does_not_hold_up_exit(tmp_path: Path) -> None:
    process = WebhookProcess(
        tmp_path, _slow_config(tmp_path, "deny"), python_path=slow_plugin(tmp_path / "plugins")
    )
    try:
        with process.client() as client:
            client.post(
                process.base_url + "/validate?timeout=1s",
                content=json.dumps(_review_sleeping(120)),
                headers=APISERVER_HEADERS,
            )
        process.terminate()
        assert process.process.wait(timeout=10) == 0
    finally:
        process.stop()


@pytest.mark.parametrize(
    ("parameter", "budget"),
    [
        ("10s", 9.0),
        ("5s", 4.0),
        ("1s", 0.8),
        ("1m0s", 29.0),  # the apiserver never waits longer than 30 s
        ("2500ms", 2.0),
        (None, 9.0),  # not from the apiserver: its default timeoutSeconds, 10
        ("soon", 9.0),
        ("10", 9.0),  # a Go duration needs its unit
    ],
)
def test_the_review_budget_leaves_the_answer_time_to_travel(
    parameter: str | None, budget: float
) -> None:
    assert review_budget(parameter) == pytest.approx(budget)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookProcess]:
    process = WebhookProcess(
        tmp_path_factory.mktemp("strict-webhook"),
        {},
        "--read-timeout",
        "1",
        "--max-connections",
        "3",
    )
    yield process
    process.stop()


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed the connection (EOF or reset); fails past `seconds`."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except (ConnectionResetError, ssl.SSLError):
        pass
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds}s")
    return time.monotonic() - started


def test_a_connection_without_a_tls_handshake_is_closed(strict_server: WebhookProcess) -> None:
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=10) as raw:
        assert _closed_within(raw, 5) >= 0.5


def test_a_connection_without_complete_headers_is_closed(strict_server: WebhookProcess) -> None:
    sock = _raw_tls(strict_server)
    try:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOSTNAME}\r\n".encode())  # no end
        assert _closed_within(sock, 5) >= 0.5
    finally:
        sock.close()
    with strict_server.client() as client:
        assert client.get(strict_server.base_url + "/healthz").status_code == 200


def test_connections_past_the_limit_get_503(strict_server: WebhookProcess) -> None:
    held = [strict_server.client() for _ in range(2)]
    try:
        for client in held:
            assert client.get(strict_server.base_url + "/healthz").status_code == 200
        with strict_server.client() as third:
            assert third.get(strict_server.base_url + "/healthz").status_code == 503
        held.pop().close()
        deadline = time.monotonic() + 5
        status = 503
        while status == 503 and time.monotonic() < deadline:
            with strict_server.client() as again:
                status = again.get(strict_server.base_url + "/healthz").status_code
        assert status == 200
    finally:
        for client in held:
            client.close()
