"""The apiserver calls `podlint webhook serve` over TLS, through the ValidatingWebhookConfiguration
that `podlint webhook manifests --url` prints: every admission behaviour, shown by the
apiserver's own answers and Warning headers.

One webhook process and one configuration serve the module; tests that stop or pause a webhook
start one of their own.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from podlint.webhook import certs
from podlint.webhook.manifests import OPT_OUT_LABEL
from tests.cluster.conftest import Cluster
from tests.webhook.apiserver import (
    DENIED,
    PRIVILEGED,
    PRIVILEGED_FINDING,
    SCOPE_LABEL,
    create,
    decided,
    denied_by_podlint,
    deployment,
    ensure_namespace,
    install,
    message,
    pod,
    remove,
    until,
    warnings,
    webhook_configuration,
    write_config,
)
from tests.webhook.webhook_server import NAMESPACE, SERVICE, WebhookProcess, slow_plugin

OWN = "e2e-podlint"  # the webhook's own namespace
SCOPED = {SCOPE_LABEL: "true", **PRIVILEGED}
NAMESPACES = {
    "e2e-enforce": SCOPED,
    "e2e-warn": SCOPED,
    "e2e-audit": SCOPED,
    "e2e-slow": SCOPED,
    "e2e-reload": SCOPED,
    "e2e-exempt": SCOPED,
    "e2e-optout": {**SCOPED, OPT_OUT_LABEL: "true"},
    OWN: SCOPED,
}
BREAK_GLASS = "break-glass"


def _config(slow_policy: Path, reload_mode: str = "enforce") -> dict[str, Any]:
    return {
        "failure-mode": "deny",
        "default": {"policy": "default", "mode": "enforce"},
        "namespaces": [
            {"match": ["e2e-warn"], "policy": "default", "mode": "warn"},
            {"match": ["e2e-audit"], "policy": "default", "mode": "audit"},
            {"match": ["e2e-slow"], "policy": str(slow_policy), "mode": "enforce"},
            {"match": ["e2e-reload"], "policy": "default", "mode": reload_mode},
        ],
        "exemptions": {"usernames": [BREAK_GLASS], "namespaces": ["e2e-exempt"]},
    }


@pytest.fixture(scope="module")
def slow_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "slow.yaml"
    path.write_text("name: slow\nextends: default\nrules:\n  slow/sleep: warning\n")
    return path


@pytest.fixture(scope="module")
def webhook(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory, slow_policy: Path
) -> Iterator[WebhookProcess]:
    directory = tmp_path_factory.mktemp("webhook")
    process = WebhookProcess(
        directory,
        _config(slow_policy),
        extra_names=("127.0.0.1",),
        python_path=slow_plugin(directory / "plugins"),
        keep_ca_key=True,
    )
    for name, labels in NAMESPACES.items():
        ensure_namespace(cluster, name, labels)
    install(cluster, webhook_configuration(process, OWN))
    until(
        lambda: create(cluster, "e2e-enforce", pod("probe", privileged=True), dry_run=True),
        denied_by_podlint,
        what="the apiserver calling the webhook",
    )
    try:
        yield process
    finally:
        remove(cluster)
        process.stop()


def test_enforce_denies_a_pod_with_podlints_message(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    answer = create(cluster, "e2e-enforce", pod("privileged", privileged=True))
    assert answer.status_code == 403
    assert answer.json()["reason"] == "Forbidden"
    assert message(answer).startswith(DENIED + PRIVILEGED_FINDING), message(answer)
    assert 'container "app" must not set securityContext.privileged=true' in message(answer)
    assert cluster.request("GET", "/api/v1/namespaces/e2e-enforce/pods/privileged").status_code == (
        404
    )
    good = create(cluster, "e2e-enforce", pod("plain"))
    assert good.status_code == 201, good.text


def test_warn_mode_admits_with_warnings_and_audit_mode_silently(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    warned = create(cluster, "e2e-warn", pod("privileged", privileged=True))
    assert warned.status_code == 201, warned.text
    assert any(text.startswith(PRIVILEGED_FINDING) for text in warnings(warned)), warned.headers
    audited = create(cluster, "e2e-audit", pod("privileged", privileged=True))
    assert audited.status_code == 201, audited.text
    assert warnings(audited) == []
    # What audit mode records instead: the decision, with the rule, in the webhook's log.
    (line,) = [
        entry
        for entry in decided(webhook, ["privileged"])
        if entry["namespace"] == "e2e-audit" and entry["operation"] == "CREATE"
    ]
    assert line["decision"] == "audit" and "pss-privileged" in line["rules"]


def test_workloads_get_warnings_and_pods_are_enforced(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    workload = create(cluster, "e2e-enforce", deployment("privileged", privileged=True))
    assert workload.status_code == 201, workload.text
    texts = warnings(workload)
    assert any(
        text.startswith("pss-privileged: /spec/template/spec/containers/0/securityContext")
        for text in texts
    ), texts
    its_pod = create(cluster, "e2e-enforce", pod("from-template", privileged=True))
    assert denied_by_podlint(its_pod)


def test_a_dry_run_is_judged_and_changes_nothing(cluster: Cluster, webhook: WebhookProcess) -> None:
    with webhook.client() as client:
        before = client.get(webhook.base_url + "/metrics").text
    refused = create(cluster, "e2e-enforce", pod("dry-bad", privileged=True), dry_run=True)
    assert denied_by_podlint(refused)
    admitted = create(cluster, "e2e-warn", pod("dry-good", privileged=True), dry_run=True)
    assert admitted.status_code == 201
    assert any(text.startswith(PRIVILEGED_FINDING) for text in warnings(admitted))
    assert cluster.request("GET", "/api/v1/namespaces/e2e-warn/pods/dry-good").status_code == 404
    lines = decided(webhook, ["dry-bad", "dry-good"])
    assert {line["decision"] for line in lines} == {"deny", "warn"}
    assert all(line["dryRun"] for line in lines)
    with webhook.client() as client:
        after = client.get(webhook.base_url + "/metrics").text

    def requests_counted(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.startswith("podlint_admission_req")]

    assert requests_counted(after) == requests_counted(before)


def test_updates_are_judged_as_pod_security_admission_judges_them(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    # An exempt user may create what others may not: a Pod that already runs.
    as_break_glass = {"Impersonate-User": BREAK_GLASS, "Impersonate-Group": "system:masters"}
    created = create(
        cluster, "e2e-enforce", pod("running", privileged=True), headers=as_break_glass
    )
    assert created.status_code == 201, created.text
    path = "/api/v1/namespaces/e2e-enforce/pods/running"
    merge = {"Content-Type": "application/merge-patch+json"}
    relabelled = cluster.request(
        "PATCH", path, json={"metadata": {"labels": {"team": "a"}}}, headers=merge
    )
    assert relabelled.status_code == 200, relabelled.text  # insignificant: allowed
    reimaged = cluster.request(
        "PATCH",
        path,
        json={"spec": {"containers": [{"name": "app", "image": "registry.example/app:2.0"}]}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert denied_by_podlint(reimaged), reimaged.text  # a new image is judged again
    assert PRIVILEGED_FINDING in message(reimaged)
    operations = [line["decision"] for line in decided(webhook, ["running"])]
    assert operations == ["exempt", "skip", "deny"]
    deleted = cluster.request("DELETE", path)
    assert deleted.status_code == 200, deleted.text  # DELETE passes


def test_exempt_and_excluded_requests_pass(cluster: Cluster, webhook: WebhookProcess) -> None:
    bad = pod("exempted", privileged=True)
    assert create(cluster, "e2e-exempt", bad, dry_run=True).status_code == 201
    as_user = {"Impersonate-User": BREAK_GLASS, "Impersonate-Group": "system:masters"}
    assert create(cluster, "e2e-enforce", bad, dry_run=True, headers=as_user).status_code == 201
    assert [line["decision"] for line in decided(webhook, ["exempted"])] == ["exempt", "exempt"]
    # These never reach the webhook: the opt-out label, its own namespace, kube-system, and
    # the kubelet's requests (matchConditions).
    unseen = pod("never-seen", privileged=True)
    assert create(cluster, "e2e-optout", unseen, dry_run=True).status_code == 201
    assert create(cluster, OWN, unseen, dry_run=True).status_code == 201
    ensure_namespace(cluster, "kube-system", {SCOPE_LABEL: "true"})
    assert create(cluster, "kube-system", unseen, dry_run=True).status_code == 201
    as_node = [
        ("Impersonate-User", "system:node:node-1"),
        ("Impersonate-Group", "system:nodes"),
        ("Impersonate-Group", "system:masters"),
    ]
    with cluster.client() as client:
        answer = client.post(
            "/api/v1/namespaces/e2e-enforce/pods",
            json=unseen,
            params={"dryRun": "All"},
            headers=httpx.Headers(as_node),
        )
    assert answer.status_code == 201, answer.text
    assert decided(webhook, ["never-seen"]) == []
    # The same Pod from anyone else is judged.
    assert denied_by_podlint(create(cluster, "e2e-enforce", unseen, dry_run=True))


def test_a_review_past_the_timeout_is_answered_by_failure_mode_before_the_apiserver_gives_up(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    slow = pod("slow", annotations={"podlint.test/sleep": "7"})
    started = time.monotonic()
    answer = create(cluster, "e2e-slow", slow, dry_run=True)
    took = time.monotonic() - started
    # timeoutSeconds is 5: podlint answers at 4 s, with its own message, not the apiserver's.
    assert answer.status_code == 403, answer.text
    assert message(answer).startswith(DENIED + "podlint could not review this object")
    assert "did not finish within 4.0s" in message(answer)
    assert took < 5, f"{took:.1f}s"
    quick = create(
        cluster, "e2e-slow", pod("quick", annotations={"podlint.test/sleep": "0.2"}), dry_run=True
    )
    assert quick.status_code == 201, quick.text


def _hammer(
    cluster: Cluster, namespace: str, stop: threading.Event, answers: list[httpx.Response]
) -> None:
    """Dry-run creates of a privileged Pod, one after another, as long as asked."""
    with cluster.client() as client:
        number = 0
        while not stop.is_set():
            number += 1
            answers.append(
                create(
                    cluster,
                    namespace,
                    pod(f"busy-{number}", privileged=True),
                    dry_run=True,
                    client=client,
                )
            )


def test_the_namespace_policy_is_reloaded_while_the_apiserver_keeps_calling(
    cluster: Cluster, webhook: WebhookProcess, slow_policy: Path
) -> None:
    stop = threading.Event()
    answers: list[httpx.Response] = []
    worker = threading.Thread(target=_hammer, args=(cluster, "e2e-reload", stop, answers))
    worker.start()
    try:
        until(lambda: len(answers), lambda count: count >= 3, what="first answers")
        write_config(webhook.config_path, _config(slow_policy, reload_mode="warn"))
        until(
            lambda: answers[-1],
            lambda last: last.status_code == 201,
            what="the warn mode after the reload",
        )
        count = len(answers)
        until(lambda: len(answers), lambda now: now >= count + 3, what="answers after it")
    finally:
        stop.set()
        worker.join(timeout=30)
        write_config(webhook.config_path, _config(slow_policy))
    denied = [a for a in answers if a.status_code == 403]
    warned = [a for a in answers if a.status_code == 201]
    assert denied and warned
    assert len(denied) + len(warned) == len(answers), [a.text for a in answers]
    assert all(denied_by_podlint(a) for a in denied)
    assert all(any(t.startswith(PRIVILEGED_FINDING) for t in warnings(a)) for a in warned)
    # Denied until the switch, warned after it: never back and forth.
    codes = [a.status_code for a in answers]
    assert codes == sorted(codes, key=lambda code: code == 201)
    until(
        lambda: create(cluster, "e2e-reload", pod("back", privileged=True), dry_run=True),
        denied_by_podlint,
        what="enforce again",
    )


def _served_serial(port: int, ca_file: Path) -> int:
    context = ssl.create_default_context(cafile=str(ca_file))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
    ):
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def test_certificate_rotation_while_the_apiserver_keeps_calling_loses_no_request(
    cluster: Cluster, webhook: WebhookProcess
) -> None:
    ca_file = webhook.cert_dir / certs.CA_FILE
    ca_cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
    ca_key = serialization.load_pem_private_key(
        (webhook.cert_dir / ".ca.key").read_bytes(), password=None
    )
    old = _served_serial(webhook.port, ca_file)
    issued = certs.issue(SERVICE, NAMESPACE, ["127.0.0.1"], ca=(ca_key, ca_cert))  # type: ignore[arg-type]
    new = x509.load_pem_x509_certificate(issued.cert_pem).serial_number
    stop = threading.Event()
    answers: list[httpx.Response] = []
    worker = threading.Thread(target=_hammer, args=(cluster, "e2e-enforce", stop, answers))
    worker.start()
    try:
        until(lambda: len(answers), lambda count: count >= 3, what="first answers")
        # As a script that writes one file, then the other: for a while they do not match.
        (webhook.cert_dir / certs.CERT_FILE).write_bytes(issued.cert_pem)
        time.sleep(1.5)
        assert _served_serial(webhook.port, ca_file) == old
        (webhook.cert_dir / certs.KEY_FILE).write_bytes(issued.key_pem)
        until(lambda: _served_serial(webhook.port, ca_file), lambda s: s == new, what="new pair")
        count = len(answers)
        until(lambda: len(answers), lambda now: now >= count + 3, what="answers after it")
    finally:
        stop.set()
        worker.join(timeout=30)
    assert old != new
    assert len(answers) >= 6
    assert all(denied_by_podlint(a) for a in answers), [
        a.text for a in answers if not denied_by_podlint(a)
    ]


def test_failure_policy_with_the_webhook_stopped_or_too_slow(
    cluster: Cluster, webhook: WebhookProcess, tmp_path: Path
) -> None:
    """A webhook of its own, paused (slower than timeoutSeconds) and then stopped."""
    remove(cluster)
    own = WebhookProcess(tmp_path, {}, extra_names=("127.0.0.1",))
    bad = pod("unreviewed", privileged=True)

    def answer() -> httpx.Response:
        return create(cluster, "e2e-enforce", bad, dry_run=True)

    def refused_by_the_apiserver(response: httpx.Response) -> bool:
        return response.status_code == 500 and 'failed calling webhook "pods.podlint.io"' in (
            message(response)
        )

    try:
        install(cluster, webhook_configuration(own, OWN, timeout_seconds=1))
        until(answer, denied_by_podlint, what="the new webhook")
        os.kill(own.process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
        try:
            started = time.monotonic()
            slow = until(answer, refused_by_the_apiserver, what="Fail on a timeout")
            assert time.monotonic() - started < 10
            assert "deadline exceeded" in message(slow) or "timeout" in message(slow).lower()
            # The workloads webhook never denies, so it ignores an outage.
            workload = create(cluster, "e2e-enforce", deployment("paused"), dry_run=True)
            assert workload.status_code == 201, workload.text
            install(
                cluster,
                webhook_configuration(own, OWN, failure_policy="Ignore", timeout_seconds=1),
            )
            admitted = until(answer, lambda r: r.status_code == 201, what="Ignore on a timeout")
            assert warnings(admitted) == []  # admitted unchecked
        finally:
            os.kill(own.process.pid, signal.SIGCONT)
        own.stop()
        assert own.process.returncode == 0
        until(answer, lambda r: r.status_code == 201, what="Ignore with the webhook stopped")
        install(cluster, webhook_configuration(own, OWN, timeout_seconds=1))
        stopped = until(answer, refused_by_the_apiserver, what="Fail with the webhook stopped")
        assert "connection refused" in message(stopped)
        # DELETE never goes to the webhook, so it passes even now.
        kept = create(cluster, "e2e-enforce", pod("deletable"))
        assert kept.status_code == 500  # CREATE is refused ...
        exempt = {"Impersonate-User": BREAK_GLASS, "Impersonate-Group": "system:masters"}
        remove(cluster)
        created = until(
            lambda: create(cluster, "e2e-enforce", pod("deletable"), headers=exempt),
            lambda r: r.status_code in (201, 409),
            what="a Pod to delete",
        )
        assert created.status_code in (201, 409)
        install(cluster, webhook_configuration(own, OWN, timeout_seconds=1))
        until(answer, refused_by_the_apiserver, what="Fail again")
        deleted = cluster.request("DELETE", "/api/v1/namespaces/e2e-enforce/pods/deletable")
        assert deleted.status_code == 200, deleted.text  # ... DELETE passes
    finally:
        own.stop()
        install(cluster, webhook_configuration(webhook, OWN))
        until(answer, denied_by_podlint, what="the module's webhook back")


def test_sigterm_with_the_apiservers_pooled_connections_exits_within_the_drain_delay(
    cluster: Cluster, webhook: WebhookProcess, tmp_path: Path
) -> None:
    """kube-apiserver keeps its connections to the webhook open between calls: they neither
    hold up the exit nor lose a call during the drain."""
    delay = 2.0
    own = WebhookProcess(tmp_path, {}, "--shutdown-delay", str(delay), extra_names=("127.0.0.1",))
    bad = pod("draining", privileged=True)

    def answer() -> httpx.Response:
        return create(cluster, "e2e-enforce", bad, dry_run=True)

    try:
        install(cluster, webhook_configuration(own, OWN, timeout_seconds=5))
        until(answer, denied_by_podlint, what="the new webhook")
        for _ in range(3):  # connections in the apiserver's pool
            assert denied_by_podlint(answer())
        own.terminate()
        terminated = time.monotonic()
        # While it drains, the apiserver's calls are still answered.
        assert denied_by_podlint(answer())
        assert own.process.wait(timeout=delay + 30) == 0, own.log()
        took = time.monotonic() - terminated
        assert took <= delay + 5, f"exit took {took:.1f}s after SIGTERM"
    finally:
        own.stop()
        install(cluster, webhook_configuration(webhook, OWN))
        until(answer, denied_by_podlint, what="the module's webhook back")
