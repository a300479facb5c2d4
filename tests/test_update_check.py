"""check_update(): the library function the admission webhook calls with plain dicts."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.model.finding import Severity
from podlint.model.version import SUPPORTED, KubeVersion
from podlint.update import check_update
from podlint.update.compare import field_path, parse_quantity

ADMISSION = Path(__file__).resolve().parent / "data" / "admission"


def _captures() -> list[dict[str, Any]]:
    requests = []
    for path in sorted(ADMISSION.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        request = data.get("request") or data
        if request.get("operation") == "UPDATE" and request.get("oldObject"):
            requests.append(request)
    return requests


def test_real_update_captures_are_allowed() -> None:
    requests = [r for r in _captures() if not r.get("subResource")]
    assert len(requests) >= 3
    for request in requests:
        assert check_update(request["oldObject"], request["object"]) == []


def test_changed_port_in_a_live_pod_is_reported_with_old_value() -> None:
    request = next(
        r for r in _captures() if r["object"]["kind"] == "Pod" and not r.get("subResource")
    )
    new = copy.deepcopy(request["object"])
    container = new["spec"]["containers"][0]
    container["workingDir"] = "/elsewhere"
    new["spec"]["containers"][0]["image"] = "registry.example/other:2"
    findings = check_update(request["oldObject"], new, KubeVersion(1, 35))
    assert [(f.rule, f.pointer, f.severity) for f in findings] == [
        ("immutable-pod-spec", "/spec/containers/0/workingDir", Severity.ERROR)
    ]
    assert "spec.containers[0].workingDir added" in findings[0].message
    assert "delete the Pod" in findings[0].message


def _deployment(labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", "resourceVersion": "7", "generation": 3},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels, "creationTimestamp": None},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
        "status": {"replicas": 1},
    }


def test_selector_change_points_at_the_label_and_quotes_the_old_value() -> None:
    old = _deployment({"app": "web"})
    new = _deployment({"app": "website"})
    new["metadata"]["generation"] = 4
    new["status"] = {"replicas": 0}
    findings = check_update(old, new)
    assert [(f.rule, f.pointer) for f in findings] == [
        ("immutable-selector", "/spec/selector/matchLabels/app")
    ]
    assert '(was "web")' in findings[0].message
    assert "field is immutable" in findings[0].message


def test_rules_argument_limits_the_run() -> None:
    old = _deployment({"app": "web"})
    new = _deployment({"app": "website"})
    assert check_update(old, new, rules={"immutable-pod-spec"}) == []


def test_metadata_name_change_and_generation_reset() -> None:
    old = _deployment({"app": "web"})
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "web-2"
    new["metadata"]["generation"] = 1  # reset silently by the apiserver, never refused
    findings = check_update(old, new)
    assert [(f.rule, f.pointer) for f in findings] == [("immutable-metadata", "/metadata/name")]


def _statefulset(limit: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "revisionHistoryLimit": limit},
    }


@pytest.mark.parametrize(
    ("version", "reported"), [(KubeVersion(1, 32), True), (KubeVersion(1, 33), False)]
)
def test_statefulset_revision_history_limit_depends_on_version(
    version: KubeVersion, reported: bool
) -> None:
    findings = check_update(_statefulset(10), _statefulset(3), version)
    assert bool(findings) is reported
    if reported:
        assert "'revisionHistoryLimit'" not in findings[0].message
        assert "'ordinals'" in findings[0].message


def _job(suspend: bool, cpu: str, started: bool) -> dict[str, Any]:
    job: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train"},
        "spec": {
            "suspend": suspend,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "t", "image": "t:1", "resources": {"requests": {"cpu": cpu}}}
                    ],
                }
            },
        },
    }
    if started:
        job["status"] = {"startTime": "2026-01-01T00:00:00Z", "active": 1}
    return job


@pytest.mark.parametrize(
    ("version", "started", "reported"),
    [
        (KubeVersion(1, 35), False, True),
        (KubeVersion(1, 36), False, False),
        (KubeVersion(1, 36), True, True),
    ],
)
def test_suspended_job_resources(version: KubeVersion, started: bool, reported: bool) -> None:
    old = _job(True, "500m", started)
    new = _job(True, "2", started)
    findings = check_update(old, new, version)
    assert [f.rule for f in findings] == (["immutable-job-template"] if reported else [])
    if reported:
        assert findings[0].pointer == "/spec/template/spec/containers/0/resources/requests/cpu"


def test_pod_resize_advice_depends_on_version() -> None:
    def pod(memory: str) -> dict[str, Any]:
        container = {"name": "a", "image": "a:1", "resources": {"limits": {"memory": memory}}}
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [container]},
        }

    new_style = check_update(pod("1Gi"), pod("2Gi"), KubeVersion(1, 33))
    old_style = check_update(pod("1Gi"), pod("2Gi"), KubeVersion(1, 32))
    assert "resize subresource" in new_style[0].message
    assert "only from Kubernetes 1.33" in old_style[0].message
    assert check_update(pod("1Gi"), pod("1024Mi")) == []


def test_cronjob_and_replication_controller_never_report() -> None:
    for kind, api in (("CronJob", "batch/v1"), ("ReplicationController", "v1")):
        old = {"apiVersion": api, "kind": kind, "metadata": {"name": "x"}, "spec": {"a": 1}}
        new = {"apiVersion": api, "kind": kind, "metadata": {"name": "x"}, "spec": {"a": 2}}
        assert check_update(old, new) == []


def test_helpers() -> None:
    assert field_path("/spec/containers/0/resources/limits/memory") == (
        "spec.containers[0].resources.limits.memory"
    )
    assert field_path("/metadata/labels/app.kubernetes.io~1name") == (
        "metadata.labels[app.kubernetes.io/name]"
    )
    one, other = parse_quantity("1Gi"), parse_quantity("1024Mi")
    assert one is not None and one == other
    assert parse_quantity("500m") == parse_quantity("0.5")
    assert parse_quantity("1e3") == parse_quantity("1k")
    assert parse_quantity("lots") is None


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def test_malformed_objects_never_raise() -> None:
    """The webhook hands check_update whatever it decoded: wrong types must not raise."""
    rng = random.Random(7)
    values: list[Any] = [None, 1, -1, "x", True, [], {}, [1, "a", None], {"a": 1}, {2: "b"}]
    values += [[{"name": "a"}], "1Gi", {"limits": {"cpu": "x"}}, [{"key": "k"}]]
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "a",
                "image": "i",
                "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}},
                "ports": [{"containerPort": 1}],
                "livenessProbe": {"httpGet": {"port": 1}},
            }
        ],
        "tolerations": [{"key": "a"}],
        "schedulingGates": [{"name": "g"}],
        "nodeSelector": {"a": "b"},
        "activeDeadlineSeconds": 5,
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "a"}]}]
                }
            }
        },
        "volumes": [{"name": "v", "secret": {}}],
    }
    metadata = {
        "name": "p",
        "deletionTimestamp": "t",
        "finalizers": ["a"],
        "annotations": {"kubernetes.io/config.mirror": "x"},
    }
    kinds = [("v1", "Pod"), ("apps/v1", "StatefulSet"), ("batch/v1", "Job")]
    for _ in range(400):
        api_version, kind = rng.choice(kinds)
        if kind == "Pod":
            body: dict[str, Any] = {"spec": spec}
        else:
            body = {
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}}, "spec": spec},
                    "volumeClaimTemplates": [{"spec": {}}],
                    "completions": 2,
                    "suspend": True,
                }
            }
        pair = []
        for _side in range(2):
            obj = copy.deepcopy(
                {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}
            )
            for _edit in range(3):
                *parents, last = rng.choice(list(_paths(obj)))
                target = obj
                for part in parents:
                    target = target[part]
                if isinstance(target, (dict, list)):
                    target[last] = copy.deepcopy(rng.choice(values))
            pair.append(obj)
        check_update(pair[0], pair[1], rng.choice(SUPPORTED))


def test_empty_strings_equal_unset_except_pointer_fields() -> None:
    def pod(host_path: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {
                "volumes": [{"name": "h", "hostPath": host_path}],
                "containers": [{"name": "a", "image": "a:1"}],
            },
        }

    assert check_update(pod({"path": "/x"}), pod({"path": "/x", "type": ""})) == []

    def statefulset(claim_spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {"volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": claim_spec}]},
        }

    modes = {"accessModes": ["ReadWriteOnce"]}
    found = check_update(statefulset(modes), statefulset({**modes, "storageClassName": ""}))
    assert [(f.rule, f.pointer) for f in found] == [
        ("immutable-statefulset-spec", "/spec/volumeClaimTemplates/0/spec/storageClassName")
    ]


def test_secret_bytes_compare_whether_written_in_data_or_string_data() -> None:
    old = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "immutable": True,
           "data": {"user": "YWRtaW4="}}  # fmt: skip
    same = {**old, "data": {}, "stringData": {"user": "admin"}}
    assert check_update(old, same) == []
    other = {**old, "data": {}, "stringData": {"user": "root"}}
    assert [(f.rule, f.pointer) for f in check_update(old, other)] == [
        ("immutable-config-data", "/stringData/user")
    ]


def test_a_claim_grows_freely_unless_its_old_version_says_it_is_not_bound() -> None:
    def claim(size: str, **extra: Any) -> dict[str, Any]:
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"}, "spec": spec, **extra}  # fmt: skip

    assert check_update(claim("1Gi"), claim("2Gi")) == []
    assert check_update(claim("1Gi", status={"phase": "Bound"}), claim("2Gi")) == []
    pending = check_update(claim("1Gi", status={"phase": "Pending"}), claim("2Gi"))
    assert [f.pointer for f in pending] == ["/spec/resources/requests/storage"]
    shrunk = check_update(claim("2Gi", status={"phase": "Bound"}), claim("1Gi"))
    assert [f.rule for f in shrunk] == ["immutable-pvc-spec"]


def test_service_address_left_out_is_kept_and_external_name_is_free() -> None:
    def service(**spec: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                "spec": {"ports": [{"port": 80}], **spec}}  # fmt: skip

    assert check_update(service(clusterIP="10.0.0.5"), service()) == []
    assert check_update(service(clusterIP="10.0.0.5"), service(type="ExternalName")) == []
    # An allocated address is unknown: only None is judged against it.
    assert check_update(service(), service(clusterIP="10.0.0.9")) == []
    [finding] = check_update(service(), service(clusterIP="None"))
    assert (finding.rule, finding.pointer) == ("immutable-service-spec", "/spec/clusterIP")


def test_the_rolling_update_warning_is_a_warning() -> None:
    def deployment(strategy: dict[str, Any] | None) -> dict[str, Any]:
        spec: dict[str, Any] = {"selector": {"matchLabels": {"app": "a"}}}
        if strategy is not None:
            spec["strategy"] = strategy
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"},
                "spec": spec}  # fmt: skip

    [finding] = check_update(deployment(None), deployment({"type": "Recreate"}))
    assert (finding.rule, finding.severity) == ("rolling-update-kept", Severity.WARNING)
    cleared = deployment({"type": "Recreate", "rollingUpdate": None})
    assert check_update(deployment(None), cleared) == []
    written = deployment({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})
    assert check_update(written, deployment({"type": "Recreate"})) == []
