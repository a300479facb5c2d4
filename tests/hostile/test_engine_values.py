"""Values no one would write, anywhere in an object: every rule reports, none raises."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from podlint.k8s.quantity import MAX_QUANTITY, parse_quantity
from podlint.model.document import Document
from podlint.runtime import Options, build_engine

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"a": "b"}},
    "spec": {
        "initContainers": [{"name": "i", "image": "i", "restartPolicy": "Always"}],
        "containers": [
            {
                "name": "c",
                "image": "nginx:1",
                "resources": {
                    "limits": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "2Mi"},
                    "requests": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"},
                },
                "livenessProbe": {"httpGet": {"port": 80}, "periodSeconds": 10},
                "readinessProbe": {"tcpSocket": {"port": "http"}},
                "env": [{"name": "A", "valueFrom": {"resourceFieldRef": {"divisor": "1m"}}}],
                "volumeMounts": [{"name": "v", "mountPath": "/a"}],
                "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}},
            }
        ],
        "volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}],
    },
}
# Quantities the apiserver accepts (it caps them) or refuses, and values of every type.
HOSTILE: list[Any] = [
    "1e1000000",
    "-1e1000000",
    "1e-1000000",
    "1E2147483648",
    "9" * 400,
    "0.0000000000001",
    None,
    True,
    -(2**70),
    1e308,
    float("inf"),
    float("nan"),
    "",
    "\x1b]0;title\x07",
    [],
    {},
    [None],
    {"k": [1]},
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def test_no_rule_raises_on_any_value() -> None:
    engine = build_engine(Options(select=("*",)))
    for path in _paths(POD):
        for value in HOSTILE:
            data = copy.deepcopy(POD)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = copy.deepcopy(value)
            for finding in engine.lint_document(Document("x.yaml", 0, data)):
                assert finding.rule != "internal-error", (path, value, finding.message)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # resource.ParseQuantity caps the magnitude at the largest int64 ...
        ("1e1000000", MAX_QUANTITY),
        ("-1E1000000", -MAX_QUANTITY),
        ("9" * 400, MAX_QUANTITY),
        ("16Ei", MAX_QUANTITY),
        # ... rounds a non-zero value up to a whole nano ...
        ("1e-1000000", Decimal("1e-9")),
        ("0.1n", Decimal("1e-9")),
        ("1.0000000001", Decimal("1.000000001")),
        # ... and keeps the exponent as an int32 (2**32 + 1 wraps to 1).
        ("1e4294967297", Decimal(10)),
        ("0e1000000", Decimal(0)),
    ],
)
def test_quantities_are_bounded_as_the_apiserver_bounds_them(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


def test_an_exponent_beyond_int64_is_not_a_quantity() -> None:
    assert parse_quantity("1e99999999999999999999") is None


def _admission_review(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "hostile",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "someone"},
            "object": obj,
        },
    }


DEFAULTED_POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default"},
    "spec": {
        "runtimeClassName": "runc",
        "serviceAccountName": "default",
        "containers": [
            {
                "name": "c",
                "image": "nginx:1",
                "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "volumeMounts": [
                    {
                        "name": "kube-api-access-abcde",
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    }
                ],
            }
        ],
        "volumes": [{"name": "kube-api-access-abcde", "projected": {"sources": []}}],
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "effect": "NoExecute",
                "operator": "Exists",
                "tolerationSeconds": 300,
            }
        ],
    },
}


def test_review_decides_on_any_value() -> None:
    from podlint.webhook.review import Reviewer

    reviewer = Reviewer()
    for path in _paths(DEFAULTED_POD):
        for value in HOSTILE:
            data = copy.deepcopy(DEFAULTED_POD)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = copy.deepcopy(value)
            decision = reviewer.decide(_admission_review(data))
            assert not decision.errors, (path, value, decision.errors)


def test_pod_wide_answers_are_remembered_per_pod_only() -> None:
    from podlint.checks._resources import qos_class
    from podlint.model.views import ObjectView

    def pod_view(resources: dict[str, Any]) -> Any:
        data = {**POD, "spec": {"containers": [{"name": "c", "resources": resources}]}}
        return ObjectView(Document("x.yaml", 0, data)).pod_spec("/spec")

    limits = {"limits": {"cpu": "1", "memory": "1Gi"}}
    guaranteed, best_effort = pod_view(limits), pod_view({})
    for _ in range(2):
        assert qos_class(guaranteed) == "Guaranteed"
        assert qos_class(best_effort) == "BestEffort"
