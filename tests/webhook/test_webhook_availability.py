"""Availability of the real server process: certificate rotation written one file at a time,
a large object under review while the probes are asked, bounded denial messages."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from webhook_cases import capture
from webhook_server import APISERVER_HEADERS, HOSTNAME, NAMESPACE, SERVICE, VALIDATE, WebhookProcess

from podlint.model.finding import Finding, Severity
from podlint.webhook import certs
from podlint.webhook.messages import denial_message


def _served_serial(process: WebhookProcess) -> int:
    context = ssl.create_default_context(cafile=str(process.cert_dir / certs.CA_FILE))
    with (
        socket.create_connection(("127.0.0.1", process.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOSTNAME) as sock,
    ):
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def _same_ca_pair(process: WebhookProcess) -> certs.Issued:
    ca_cert = x509.load_pem_x509_certificate((process.cert_dir / certs.CA_FILE).read_bytes())
    ca_key = serialization.load_pem_private_key(
        (process.cert_dir / ".ca.key").read_bytes(), password=None
    )
    return certs.issue(SERVICE, NAMESPACE, ca=(ca_key, ca_cert))  # type: ignore[arg-type]


def test_a_certificate_written_before_its_key_never_breaks_a_handshake(tmp_path: Path) -> None:
    process = WebhookProcess(tmp_path, {}, keep_ca_key=True)
    try:
        before = _served_serial(process)
        issued = _same_ca_pair(process)
        (process.cert_dir / certs.CERT_FILE).write_bytes(issued.cert_pem)  # the key comes later
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # several reload checks see the mismatched pair
            assert _served_serial(process) == before
            time.sleep(0.1)
        assert process.log().count("certificate not reloaded") == 1, process.log()
        (process.cert_dir / certs.KEY_FILE).write_bytes(issued.key_pem)
        new = x509.load_pem_x509_certificate(issued.cert_pem).serial_number
        deadline = time.monotonic() + 10
        while _served_serial(process) != new and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _served_serial(process) == new
    finally:
        process.stop()


def _large_pod_review(size: int) -> dict[str, Any]:
    review = capture("ky-pod-create.json")
    pod = review["request"]["object"]
    template = pod["spec"]["containers"][0]
    containers = []
    while len(json.dumps(containers)) < size:
        number = len(containers)
        containers.append(
            {
                **template,
                "name": f"c{number}",
                "env": [{"name": f"VAR_{i}", "value": "x" * 40} for i in range(40)],
            }
        )
    pod["spec"]["containers"] = containers
    return review


def test_probes_answer_while_a_2mb_object_is_reviewed(tmp_path: Path) -> None:
    process = WebhookProcess(tmp_path, {})
    try:
        body = json.dumps(_large_pod_review(2_000_000))
        assert 2_000_000 < len(body) < 3 * 1024 * 1024
        outcome: dict[str, Any] = {}

        def review() -> None:
            with process.client() as client:
                started = time.monotonic()
                outcome["response"] = client.post(
                    process.base_url + VALIDATE, content=body, headers=APISERVER_HEADERS
                )
                outcome["took"] = time.monotonic() - started

        worker = threading.Thread(target=review)
        latencies = []
        with process.client() as client:
            client.get(process.base_url + "/healthz")  # the connection is made beforehand
            worker.start()
            while worker.is_alive():
                started = time.monotonic()
                assert client.get(process.base_url + "/healthz").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)
        worker.join()
        assert outcome["response"].status_code == 200
        assert len(latencies) >= 3, f"the review took {outcome['took']:.2f}s"
        assert max(latencies) < 0.5, latencies
    finally:
        process.stop()


def test_denial_messages_are_bounded() -> None:
    findings = [
        Finding(f"/spec/containers/{i}", "y" * 2000, rule="r", severity=Severity.ERROR)
        for i in range(200)
    ]
    message = denial_message(findings)
    lines = message.splitlines()
    assert len(message) <= 8192
    assert all(len(line) <= 1024 for line in lines)
    assert lines[-1] == f"and {200 - len(lines) + 1} more"
    few = denial_message(findings[:2])
    assert few.count("\n") == 1 and "more" not in few
