"""Any value of any type anywhere: the schema and api-* rules report, never crash."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from podlint.model.document import Document
from podlint.model.version import SUPPORTED
from podlint.runtime import Options, build_engine

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"a": "b"}, "annotations": {"x": "y"}},
    "spec": {
        "hostNetwork": True,
        "os": {"name": "linux"},
        "securityContext": {"sysctls": [{"name": "a.b", "value": "1"}], "seccompProfile": {}},
        "initContainers": [
            {"name": "i", "image": "i", "restartPolicy": "Always", "startupProbe": {"exec": {}}}
        ],
        "containers": [
            {
                "name": "c",
                "image": "i",
                "ports": [{"containerPort": 80, "hostPort": 80, "name": "http"}],
                "resources": {"limits": {"cpu": "1"}, "requests": {"example.com/x": 1}},
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
                "livenessProbe": {"httpGet": {"port": "http", "httpHeaders": [{"name": "X"}]}},
                "env": [
                    {"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}
                ],
                "envFrom": [{"configMapRef": {"name": "c"}}],
                "volumeMounts": [{"name": "v", "mountPath": "/a", "subPath": "x"}],
            }
        ],
        "volumes": [
            {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
            {
                "name": "d",
                "downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "x"}}]},
            },
            {"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["X"]}}}},
        ],
        "hostAliases": [{"ip": "1.2.3.4", "hostnames": ["h"]}],
        "dnsConfig": {"nameservers": ["1.1.1.1"], "options": [{"name": "n"}]},
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "k", "operator": "In", "values": ["a"]}]}
                    ]
                }
            },
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 1, "podAffinityTerm": {"topologyKey": "z", "namespaces": ["n"]}}
                ]
            },
        },
        "tolerations": [{"key": "k", "operator": "Exists", "tolerationSeconds": 1}],
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "z", "whenUnsatisfiable": "DoNotSchedule"}
        ],
    },
}
CRONJOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "c"},
    "spec": {
        "schedule": "* * * * *",
        "timeZone": "UTC",
        "jobTemplate": {
            "spec": {
                "completionMode": "Indexed",
                "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}},
            }
        },
    },
}
STATEFULSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "s"},
    "spec": {
        "serviceName": "s",
        "selector": {
            "matchLabels": {"a": "b"},
            "matchExpressions": [{"key": "a", "operator": "In"}],
        },
        "updateStrategy": {"rollingUpdate": {"partition": 0}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}},
        "volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {"resources": {}}}],
    },
}
WRONG: list[Any] = [None, True, -1, 1.5, "", "x", [], {}, [None], {"k": [1]}]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


@pytest.mark.parametrize("manifest", [POD, CRONJOB, STATEFULSET], ids=["pod", "cronjob", "sts"])
def test_no_internal_errors(manifest: dict[str, Any]) -> None:
    engine = build_engine(
        Options(select=("schema", "unknown-kind", "api-*"), kubernetes_version=SUPPORTED[-1])
    )
    for path in _paths(manifest):
        for value in WRONG:
            data = copy.deepcopy(manifest)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = copy.deepcopy(value)
            for finding in engine.lint_document(Document("x.yaml", 0, data)):
                assert finding.rule != "internal-error", (path, value, finding.message)
