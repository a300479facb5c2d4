"""The pod sanity rules' helpers: quantities, shell reading, effective requests and QoS."""

from __future__ import annotations

from decimal import Decimal

import pytest

from podlint.checks._quantity import describe_bytes, format_cpu, format_memory, parse_quantity
from podlint.checks._resources import pod_requests, qos_class
from podlint.checks._shell import Word, loops_without_exit, parse, shell_script
from podlint.model.document import Document
from podlint.model.views import ObjectView, PodSpecView
from podlint.source.manifest import parse_text


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("500m", Decimal("0.5")),
        ("1Gi", Decimal(2**30)),
        ("1G", Decimal(10**9)),
        ("1.5e3", Decimal(1500)),
        ("1E3", Decimal(1000)),
        ("+2", Decimal(2)),
        (".5", Decimal("0.5")),
        (4, Decimal(4)),
        (0.25, Decimal("0.25")),
        ("10u", Decimal("0.00001")),
    ],
)
def test_quantities_parse_to_exact_values(raw: object, value: Decimal) -> None:
    quantity = parse_quantity(raw)
    assert quantity is not None and quantity.value == value


@pytest.mark.parametrize(
    "raw", ["lots", "1GB", "1.2.3", "", True, None, "Mi", float("nan"), float("inf"), "1e400"]
)
def test_non_quantities_are_refused(raw: object) -> None:
    assert parse_quantity(raw) is None


def test_quantities_print_as_kubernetes_writes_them() -> None:
    assert format_cpu(Decimal("0.25")) == "250m"
    assert format_cpu(Decimal("1.5")) == "1.5"
    assert format_memory(Decimal(3 * 2**20)) == "3Mi"
    assert describe_bytes(Decimal("0.512")) == "0.512 bytes"
    assert describe_bytes(Decimal(5 * 2**30)) == "5 GiB"


def _words(*texts: str) -> list[Word]:
    return [Word(text, ("command", index)) for index, text in enumerate(texts)]


def test_shell_script_finds_the_script_word_and_errexit() -> None:
    found = shell_script(_words("/bin/bash", "-o", "pipefail", "-ec", "echo hi"))
    assert found is not None and found[0].text == "echo hi" and found[1] is True
    assert shell_script(_words("sh", "script.sh")) is None
    assert shell_script(_words("python", "-c", "print(1)")) is None
    found = shell_script(_words("busybox", "sh", "-c", "true"))
    assert found is not None and found[0].place == ("command", 3)


@pytest.mark.parametrize(
    ("script", "unbounded"),
    [
        ("until nc -z db 5432; do sleep 2; done", True),
        ("while ! test -f /x; do sleep 1; done", True),
        ("while [ ! -f /x ]; do sleep 1; done", True),
        ("while :; do sleep 1; done", True),
        ("while true\ndo\n  sleep 1\ndone", True),
        ("while true; do nc -z db 1 && break; sleep 1; done", False),
        ("until nc -z db 1; do n=$((n+1)); sleep 1; done", False),
        ("while [ $n -lt 5 ]; do sleep 1; done", False),
        ("until [ $(date +%s) -gt $end ] || nc -z db 1; do sleep 1; done", False),
        ("while read line; do echo $line; done < /etc/hosts", False),
        ("for i in 1 2 3; do sleep 1; done", False),
        ("echo 'until x; do y; done'", False),
        ("until nc -z db 'unterminated; do sleep 1; done", False),
    ],
)
def test_wait_loops_without_a_way_out(script: str, unbounded: bool) -> None:
    parsed = parse(script)
    found = list(loops_without_exit(parsed)) if parsed else []
    assert bool(found) is unbounded


def test_commands_know_their_operators_and_nesting() -> None:
    parsed = parse("set -e\n[ -d /a ] || mkdir /a\nif true; then mkdir /b; fi\nmkdir /c && echo")
    assert parsed is not None and parsed.errexit
    mkdirs = [c for c in parsed.commands if c.words[0] == "mkdir"]
    assert [(c.words[1], c.before, c.after, c.in_if) for c in mkdirs] == [
        ("/a", "||", ";", False),
        ("/b", ";", ";", True),
        ("/c", ";", "&&", False),
    ]


def _pod(text: str) -> PodSpecView:
    document = next(iter(parse_text(text, "pod.yaml")))
    assert isinstance(document, Document), document
    pod = ObjectView(document).pod_spec("/spec")
    assert pod is not None
    return pod


SIDECAR_POD = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: big-init
    image: i
    resources: {requests: {cpu: "2", memory: 64Mi}}
  - name: sidecar
    image: s
    restartPolicy: Always
    resources: {requests: {cpu: 100m, memory: 64Mi}}
  - name: late-init
    image: i
    resources: {limits: {cpu: "1", memory: 1Gi}}
  containers:
  - name: app
    image: a
    resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {memory: 256Mi}}
"""


def test_effective_requests_follow_the_scheduler() -> None:
    requests = pod_requests(_pod(SIDECAR_POD))
    # cpu: the first init container alone (2) beats app + sidecar (0.6) and late init + sidecar
    assert requests["cpu"] == Decimal(2)
    # memory: the late init container (limit copied into its request) plus the sidecar
    assert requests["memory"] == Decimal(2**30 + 64 * 2**20)


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        ("{}", "BestEffort"),
        ("{requests: {cpu: '0'}}", "BestEffort"),
        ("{requests: {memory: 1Gi}}", "Burstable"),
        ("{limits: {cpu: '1', memory: 1Gi}}", "Guaranteed"),
        ("{requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: '1', memory: 1Gi}}", "Burstable"),
    ],
)
def test_qos_class_as_the_kubelet_computes_it(resources: str, qos: str) -> None:
    text = f"""
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
  - name: app
    image: a
    resources: {resources}
"""
    assert qos_class(_pod(text)) == qos


def test_init_containers_count_for_guaranteed() -> None:
    guaranteed_app = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: a
    resources: {limits: {cpu: "1", memory: 1Gi}}
"""
    assert qos_class(_pod(guaranteed_app)) == "Guaranteed"
    with_init = guaranteed_app.replace(
        "  containers:", "  initContainers:\n  - {name: i, image: i}\n  containers:"
    )
    # the kubelet requires cpu and memory limits on every container, init ones included
    assert qos_class(_pod(with_init)) == "Burstable"
    with_limits = guaranteed_app.replace(
        "  containers:",
        "  initContainers:\n  - {name: i, image: i, resources: {limits: {cpu: 100m, memory: 1Mi}}}\n"
        "  containers:",
    )
    assert qos_class(_pod(with_limits)) == "Guaranteed"
