"""The real server process over real TLS, with a client that verifies the CA and the SAN."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from webhook_cases import POLICY, capture, case_names, expected, load_case
from webhook_server import (
    APISERVER_HEADERS,
    HOSTNAME,
    VALIDATE,
    WebhookProcess,
    client_context,
    make_certs,
)

from podlint.webhook import certs

CONFIG = {"default": {"policy": str(POLICY), "mode": "enforce"}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookProcess]:
    process = WebhookProcess(tmp_path_factory.mktemp("webhook"), CONFIG)
    yield process
    process.stop()


@pytest.fixture()
def client(server: WebhookProcess) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def _plain_cases() -> list[str]:
    """The cases that need no config of their own (the server runs the default one)."""
    names = []
    for name in case_names():
        spec = json.loads((POLICY.parent / "cases" / f"{name}.in.json").read_text())
        if "config" not in spec:
            names.append(name)
    return names


def test_every_case_over_https(server: WebhookProcess, client: httpx.Client) -> None:
    names = _plain_cases()
    assert len(names) >= 19
    for name in names:
        review, _ = load_case(name)
        response = client.post(
            server.base_url + VALIDATE, content=json.dumps(review), headers=APISERVER_HEADERS
        )
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.json() == expected(name), name


def test_parallel_requests_all_answered(server: WebhookProcess) -> None:
    bodies = [load_case(name)[0] for name in _plain_cases()]
    answers: list[tuple[str, dict[str, object]]] = []
    failures: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            with server.client() as client:
                for index in range(offset, offset + 25):
                    body = bodies[index % len(bodies)]
                    response = client.post(
                        server.base_url + VALIDATE,
                        content=json.dumps(body),
                        headers=APISERVER_HEADERS,
                    )
                    answers.append((body["request"]["uid"], response.json()))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(n * 25,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert len(answers) == 300
    for uid, answer in answers:
        assert answer["response"]["uid"] == uid  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b'{"apiVersion": "admission.k8s.io/v1", "kind": "Admission', None, 400, "malformed JSON"),
        (b"<AdmissionReview/>", None, 400, "malformed JSON"),
        (b"", None, 400, "empty request body"),
        (
            json.dumps({"apiVersion": "admission.k8s.io/v2", "kind": "AdmissionReview"}).encode(),
            None,
            400,
            "expected apiVersion admission.k8s.io/v1 or admission.k8s.io/v1beta1",
        ),
        (
            json.dumps({"apiVersion": "v1", "kind": "Pod"}).encode(),
            None,
            400,
            "kind 'Pod'",
        ),
        (b"{}", "text/plain", 400, "Content-Type must be application/json"),
        (b"x" * (3 * 1024 * 1024 + 1), None, 413, "request body over"),
    ],
)
def test_bad_bodies(
    server: WebhookProcess,
    client: httpx.Client,
    body: bytes,
    content_type: str | None,
    status: int,
    message: str,
) -> None:
    headers = dict(APISERVER_HEADERS)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(server.base_url + VALIDATE, content=body, headers=headers)
    assert response.status_code == status
    status_body = response.json()
    assert status_body["kind"] == "Status" and status_body["code"] == status
    assert message in status_body["message"]
    # The server is still there.
    assert client.get(server.base_url + "/healthz").status_code == 200


def test_a_body_over_the_limit_streamed_without_length(
    server: WebhookProcess, client: httpx.Client
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b" " * (1024 * 1024)

    response = client.post(server.base_url + VALIDATE, content=chunks(), headers=APISERVER_HEADERS)
    assert response.status_code == 413


def test_tls_verification(server: WebhookProcess, tmp_path: Path) -> None:
    other_ca = make_certs(tmp_path / "other") / certs.CA_FILE
    with server.client(ca_file=other_ca) as stranger, pytest.raises(httpx.ConnectError):
        stranger.get(server.base_url + "/healthz")
    context = client_context(server.cert_dir / certs.CA_FILE)
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="podlint.elsewhere.svc")
    old = client_context(server.cert_dir / certs.CA_FILE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw,
        pytest.raises(ssl.SSLError),
    ):
        old.wrap_socket(raw, server_hostname=HOSTNAME)


def test_metrics_and_decision_log(server: WebhookProcess, client: httpx.Client) -> None:
    review = capture("kw-pod-create-privileged-init-container.json")
    review["request"]["uid"] = "0a1b2c3d-metrics-and-log"
    client.post(server.base_url + VALIDATE, content=json.dumps(review), headers=APISERVER_HEADERS)
    text = client.get(server.base_url + "/metrics").text
    assert 'podlint_admission_requests_total{decision="deny",operation="CREATE"}' in text
    assert 'podlint_admission_findings_total{rule="duplicate-container-name",severity="error"}' in (
        text
    )
    assert "podlint_admission_duration_seconds_bucket" in text
    assert "podlint_cert_expiry_timestamp_seconds" in text
    deadline = time.monotonic() + 5
    line = None
    while line is None and time.monotonic() < deadline:
        line = next((row for row in server.log().splitlines() if "metrics-and-log" in row), None)
        time.sleep(0.05)
    assert line is not None
    record = json.loads(line)
    assert record["decision"] == "deny" and record["namespace"] == "default"
    assert record["operation"] == "CREATE" and "duplicate-container-name" in record["rules"]
    assert isinstance(record["latencyMs"], float)


def test_certificate_rotation_while_serving(tmp_path: Path) -> None:
    process = WebhookProcess(tmp_path, CONFIG)
    try:
        body = json.dumps(capture("ky-pod-create.json"))
        old_ca = tmp_path / "old-ca.crt"
        old_ca.write_bytes((process.cert_dir / certs.CA_FILE).read_bytes())
        with process.client(ca_file=old_ca) as kept:
            assert kept.post(process.base_url + VALIDATE, content=body, headers=APISERVER_HEADERS)
            make_certs(process.cert_dir)  # a new CA and serving pair, as a rotation writes them
            new_ca = process.cert_dir / certs.CA_FILE
            deadline = time.monotonic() + 15
            rotated = False
            while not rotated and time.monotonic() < deadline:
                try:
                    with process.client(ca_file=new_ca) as fresh:
                        rotated = fresh.get(process.base_url + "/healthz").status_code == 200
                except httpx.ConnectError:
                    time.sleep(0.2)
            assert rotated, process.log()
            # The connection made before the rotation still serves.
            response = kept.post(
                process.base_url + VALIDATE, content=body, headers=APISERVER_HEADERS
            )
            assert response.status_code == 200
        with process.client(ca_file=old_ca) as stale, pytest.raises(httpx.ConnectError):
            stale.get(process.base_url + "/healthz")
    finally:
        process.stop()


def test_config_reload_without_restart(tmp_path: Path) -> None:
    process = WebhookProcess(tmp_path, CONFIG)
    try:
        body = json.dumps(capture("kw-pod-create-privileged-init-container.json"))
        with process.client() as client:

            def allowed() -> bool:
                response = client.post(
                    process.base_url + VALIDATE, content=body, headers=APISERVER_HEADERS
                )
                return bool(response.json()["response"]["allowed"])

            assert allowed() is False
            process.config_path.write_text("default: {mode: bogus}\n", encoding="utf-8")
            time.sleep(1.5)
            assert allowed() is False  # a broken file keeps the previous configuration
            assert "configuration not reloaded" in process.log()
            process.config_path.write_text(
                json.dumps({"default": {"policy": str(POLICY), "mode": "warn"}}), encoding="utf-8"
            )
            deadline = time.monotonic() + 10
            while not allowed() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert allowed() is True
    finally:
        process.stop()


def _raw_tls(process: WebhookProcess) -> ssl.SSLSocket:
    context = client_context(process.cert_dir / certs.CA_FILE)
    raw = socket.create_connection(("127.0.0.1", process.port), timeout=10)
    return context.wrap_socket(raw, server_hostname=HOSTNAME)


def _read_response(sock: ssl.SSLSocket) -> tuple[str, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return head.decode(), body


def test_sigterm_finishes_in_flight_requests(tmp_path: Path) -> None:
    delay = 3.0
    process = WebhookProcess(tmp_path, CONFIG, "--shutdown-delay", str(delay))
    try:
        review = capture("kw-pod-create-basic.json")
        review["request"]["object"]["metadata"]["annotations"] = {"pad": "x" * 1_000_000}
        body = json.dumps(review).encode()
        sock = _raw_tls(process)
        head = (
            f"POST {VALIDATE} HTTP/1.1\r\nHost: {HOSTNAME}:443\r\n"
            "Content-Type: application/json\r\nAccept: application/json, */*\r\n"
            f"User-Agent: kube-apiserver-admission\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(0.2)
        process.terminate()
        terminated = time.monotonic()
        with process.client() as client:
            deadline = time.monotonic() + 5
            status = 200
            while status == 200 and time.monotonic() < deadline:
                status = client.get(process.base_url + "/readyz").status_code
            assert status == 503
            during = client.post(
                process.base_url + VALIDATE,
                content=json.dumps(capture("ky-pod-create.json")),
                headers=APISERVER_HEADERS,
            )
            assert during.status_code == 200
            assert during.headers["connection"] == "close"
        # Past the delay uvicorn stops accepting; this request is in flight and must finish.
        time.sleep(max(0.0, terminated + delay + 0.5 - time.monotonic()))
        refused = False
        deadline = time.monotonic() + 5
        while not refused and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", process.port), timeout=1).close()
                time.sleep(0.1)
            except ConnectionRefusedError:
                refused = True
        assert refused, "the listener should be closed once the delay is over"
        sock.sendall(body[len(body) // 2 :])
        head_text, answer = _read_response(sock)
        sock.close()
        assert head_text.startswith("HTTP/1.1 200")
        assert json.loads(answer)["response"]["uid"] == review["request"]["uid"]
        assert process.process.wait(timeout=20) == 0
    finally:
        process.stop()


def _counter(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


def test_dry_run_leaves_no_trace_in_metrics(server: WebhookProcess, client: httpx.Client) -> None:
    sample = 'podlint_admission_requests_total{decision="deny",operation="CREATE"}'
    before = _counter(client.get(server.base_url + "/metrics").text, sample)
    review = capture("kw-pod-create-privileged-init-container.json")
    review["request"]["dryRun"] = True
    response = client.post(
        server.base_url + VALIDATE, content=json.dumps(review), headers=APISERVER_HEADERS
    )
    assert response.json()["response"]["allowed"] is False  # the same verdict
    assert _counter(client.get(server.base_url + "/metrics").text, sample) == before
    review["request"]["dryRun"] = False
    client.post(server.base_url + VALIDATE, content=json.dumps(review), headers=APISERVER_HEADERS)
    assert _counter(client.get(server.base_url + "/metrics").text, sample) == before + 1


def test_two_workers_share_the_port_and_stop_on_sigterm(tmp_path: Path) -> None:
    process = WebhookProcess(tmp_path, CONFIG, "--workers", "2")
    try:
        body = json.dumps(capture("ky-pod-create.json"))
        for _ in range(3):
            with process.client() as client:
                for _ in range(5):
                    response = client.post(
                        process.base_url + VALIDATE, content=body, headers=APISERVER_HEADERS
                    )
                    assert response.json()["response"]["allowed"] is True
        process.terminate()
        assert process.process.wait(timeout=20) == 0
    finally:
        process.stop()


def test_a_client_that_hangs_up_mid_body_does_not_hurt_the_server(
    server: WebhookProcess, client: httpx.Client
) -> None:
    for _ in range(3):
        sock = _raw_tls(server)
        sock.sendall(
            f"POST {VALIDATE} HTTP/1.1\r\nHost: {HOSTNAME}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            '{"apiVersion": "admission.k8s.io/v1",'.encode()
        )
        sock.close()
    review = capture("ky-pod-create.json")
    response = client.post(
        server.base_url + VALIDATE, content=json.dumps(review), headers=APISERVER_HEADERS
    )
    assert response.json()["response"]["uid"] == review["request"]["uid"]
