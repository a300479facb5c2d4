"""The Pod Security screen: ``evaluate`` skips a check only where running it would allow the pod.

Every pss fixture's pods, and each securityContext field set to every malformed value, are
evaluated with the screen and with every check run, at each level, policy version and
hostPort default; the verdicts must be equal. (The shared tier does the same on the 4,537
upstream fixtures.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
from podlint.model.pointer import resolve
from podlint.pss import CHECKS, NEWEST_MINOR, evaluate, pod_from
from podlint.pss.evaluation import SCREENED, Evaluation
from podlint.pss.pod import Pod
from podlint.pss.result import CheckResult
from podlint.source.manifest import parse_text
from tests.pss_reference import unscreened

FIXTURES = Path(__file__).parent / "rules"
MINORS = range(NEWEST_MINOR + 2)


def _fixture_pods() -> list[tuple[str, Any, Any]]:
    pods = []
    for path in sorted(FIXTURES.glob("pss-*/*.yaml")):
        for item in parse_text(path.read_text(encoding="utf-8"), str(path)):
            data = getattr(item, "data", None)
            if not isinstance(data, dict):
                continue
            pointer = BUILTIN_POD_SPEC_POINTERS.get(data.get("kind"))
            if pointer is None:
                continue
            spec = resolve(data, pointer)
            template = resolve(data, pointer.rsplit("/", 1)[0])
            metadata = template.get("metadata") if isinstance(template, dict) else None
            pods.append((f"{path.parent.name}/{path.name}", spec, metadata))
    return pods


PODS = _fixture_pods()
MALFORMED: list[Any] = [None, "x", 0, 1, True, False, [], {}, [1, "a", None], {"type": 5}]
SECURITY_FIELDS = (
    "privileged",
    "capabilities",
    "procMount",
    "seccompProfile",
    "seLinuxOptions",
    "appArmorProfile",
    "windowsOptions",
    "runAsNonRoot",
    "runAsUser",
    "allowPrivilegeEscalation",
    "sysctls",
)


def _malformed_pods() -> list[tuple[str, Any, Any]]:
    pods = []
    for value in MALFORMED:
        for field in SECURITY_FIELDS:
            container = {"name": "c", "securityContext": {field: value}}
            pods.append((f"container {field}={value!r}", {"containers": [container]}, None))
            spec = {"securityContext": {field: value}, "containers": [{"name": "c"}]}
            pods.append((f"pod {field}={value!r}", spec, None))
        for field in ("hostNetwork", "hostPID", "hostIPC", "volumes", "containers"):
            pods.append((f"{field}={value!r}", {field: value, "containers": [{"name": "c"}]}, None))
        for field in ("livenessProbe", "startupProbe", "lifecycle", "ports"):
            container = {"name": "c", field: value}
            pods.append((f"{field}={value!r}", {"containers": [container]}, None))
            handler = {"httpGet": {"host": value}, "postStart": {"tcpSocket": {"host": value}}}
            container = {"name": "c", field: handler, "ports": [{"hostPort": value}]}
            pods.append((f"{field} host={value!r}", {"containers": [container]}, None))
        volume = {"name": "v", "hostPath": value, "nfs": value}
        pods.append((f"volume={value!r}", {"volumes": [volume, value]}, None))
        annotations = {
            "container.apparmor.security.beta.kubernetes.io/c": value,
            "seccomp.security.alpha.kubernetes.io/pod": value,
            "container.seccomp.security.alpha.kubernetes.io/c": value,
        }
        pods.append((f"annotations={value!r}", {"containers": []}, {"annotations": annotations}))
    return pods


@pytest.mark.parametrize(("name", "spec", "metadata"), PODS + _malformed_pods())
def test_the_screen_never_changes_a_verdict(name: str, spec: Any, metadata: Any) -> None:
    for default_host_ports in (False, True):
        pod = pod_from(spec, metadata, default_host_ports=default_host_ports)
        for level in ("baseline", "restricted"):
            for minor in MINORS:
                assert evaluate(pod, level, minor) == unscreened(pod, level, minor), (
                    level,
                    minor,
                    default_host_ports,
                )


def test_the_fixtures_fail_every_screened_check() -> None:
    """Otherwise the comparison above would not exercise the screen of that check."""
    failed = set()
    for _, spec, metadata in PODS:
        pod = pod_from(spec, metadata, default_host_ports=True)
        for minor in (18, NEWEST_MINOR):
            failed |= {result.check for result in unscreened(pod, "restricted", minor)}
            failed |= {result.check for result in unscreened(pod, "baseline", minor)}
    assert failed >= SCREENED


def test_a_plain_pod_runs_only_the_checks_that_object_to_unset_fields() -> None:
    spec = {
        "securityContext": {"runAsNonRoot": True},
        "containers": [
            {
                "name": "app",
                "image": "registry.example/app:1.0",
                "ports": [{"containerPort": 8080}],
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
            }
        ],
        "volumes": [{"name": "cache", "emptyDir": {}}],
    }
    evaluation = Evaluation(pod_from(spec, {"labels": {"app": "x"}}))
    assert evaluation.allowed == SCREENED
    always_run = {spec.id for spec in CHECKS} - SCREENED
    assert always_run == {
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "seccompProfile_restricted",
    }


def test_each_check_runs_once_per_version() -> None:
    calls: list[int] = []
    spec = {"containers": [{"name": "c", "securityContext": {"privileged": True}}]}
    evaluation = Evaluation(pod_from(spec, None))

    def counted(pod: Pod, minor: int) -> CheckResult | None:
        calls.append(minor)
        return None

    for minor in (30, 30, 31, 30):
        evaluation.result("privileged", counted, minor)
    assert calls == [30, 31]
    assert evaluation.result("hostNamespaces", counted, 30) is None and calls == [30, 31]
