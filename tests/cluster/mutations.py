"""Seeded single-mistake mutations of valid pod-carrying manifests.

Every base manifest here is accepted by kube-apiserver v1.35 as written. A mutation changes
one thing (the operators of ``tests/cluster/mutation_harness.py``): it replaces one value with
another of a kind people get wrong (a negative number, a name with capitals, a wrong type, an
unsupported enum value), removes one field, adds an unknown field, empties a list or mapping,
duplicates a list item, or sets one optional field from ``ADDITIONS`` (the fields whose
validation is subtle) to an odd value. The same seed gives the same cases.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any

from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
from tests.cluster import mutation_harness as harness
from tests.cluster.mutation_harness import Mutation, indexes_as_n

_CONTAINER: dict[str, Any] = {
    "name": "app",
    "image": "nginx:1.27",
    "imagePullPolicy": "IfNotPresent",
    "command": ["nginx"],
    "args": ["-g", "daemon off;"],
    "workingDir": "/srv",
    "ports": [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9090},
    ],
    "env": [
        {"name": "MODE", "value": "production"},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {
            "name": "CPU_LIMIT",
            "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}},
        },
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app", "key": "token"}}},
    ],
    "envFrom": [{"configMapRef": {"name": "app-config"}, "prefix": "CFG_"}],
    "resources": {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    },
    "volumeMounts": [
        {"name": "config", "mountPath": "/etc/app", "readOnly": True},
        {"name": "cache", "mountPath": "/var/cache/nginx"},
        {"name": "info", "mountPath": "/etc/podinfo"},
    ],
    "livenessProbe": {
        "httpGet": {"path": "/healthz", "port": "http"},
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    },
    "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
    "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 30},
    "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "terminationMessagePolicy": "FallbackToLogsOnError",
}

_SIDECAR: dict[str, Any] = {
    "name": "proxy",
    "image": "envoyproxy/envoy:v1.31.0",
    "restartPolicy": "Always",
    "ports": [{"containerPort": 15001}],
    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
}

_INIT: dict[str, Any] = {
    "name": "migrate",
    "image": "migrate:1.0",
    "command": ["migrate", "up"],
    "resources": {"limits": {"cpu": "200m", "memory": "64Mi"}},
}

_POD_SPEC: dict[str, Any] = {
    "initContainers": [_INIT, _SIDECAR],
    "containers": [_CONTAINER],
    "volumes": [
        {"name": "config", "configMap": {"name": "app-config", "defaultMode": 0o644}},
        {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
        {
            "name": "info",
            "downwardAPI": {
                "items": [
                    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    {
                        "path": "cpu",
                        "resourceFieldRef": {"containerName": "app", "resource": "requests.cpu"},
                    },
                ]
            },
        },
        {
            "name": "token",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
                    {"secret": {"name": "app", "items": [{"key": "ca", "path": "ca.crt"}]}},
                ]
            },
        },
    ],
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst",
    "dnsConfig": {"nameservers": ["10.0.0.10"], "options": [{"name": "ndots", "value": "2"}]},
    "hostAliases": [{"ip": "127.0.0.1", "hostnames": ["local.test"]}],
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "securityContext": {"fsGroup": 2000, "runAsGroup": 3000, "supplementalGroups": [4000]},
    "tolerations": [
        {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"},
        {
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "topology.kubernetes.io/zone",
                                "operator": "In",
                                "values": ["a", "b"],
                            }
                        ]
                    }
                ]
            }
        },
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 50,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        },
    },
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app": "web"}},
        }
    ],
    "priority": 0,
    "enableServiceLinks": False,
    "automountServiceAccountToken": False,
}

_LABELS = {"app": "web", "tier": "frontend"}


def _template(restart: str | None = None) -> dict[str, Any]:
    spec = copy.deepcopy(_POD_SPEC)
    if restart:
        spec["restartPolicy"] = restart
    return {"metadata": {"labels": dict(_LABELS)}, "spec": spec}


def _meta(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "labels": dict(_LABELS),
        "annotations": {"example.com/owner": "team-a"},
    }


def _job_spec() -> dict[str, Any]:
    return {
        "completionMode": "Indexed",
        "completions": 4,
        "parallelism": 2,
        "backoffLimitPerIndex": 1,
        "maxFailedIndexes": 2,
        "activeDeadlineSeconds": 600,
        "ttlSecondsAfterFinished": 3600,
        "podFailurePolicy": {
            "rules": [
                {
                    "action": "FailJob",
                    "onExitCodes": {"containerName": "app", "operator": "In", "values": [42]},
                },
                {
                    "action": "Ignore",
                    "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                },
            ]
        },
        "successPolicy": {"rules": [{"succeededIndexes": "0-2", "succeededCount": 2}]},
        "podReplacementPolicy": "Failed",
        "template": _template("Never"),
    }


def bases() -> dict[str, dict[str, Any]]:
    """Valid manifests, one per pod-carrying kind."""
    selector = {"matchLabels": dict(_LABELS)}
    return {
        "Pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("web"),
            "spec": copy.deepcopy(_POD_SPEC),
        },
        "PodTemplate": {
            "apiVersion": "v1",
            "kind": "PodTemplate",
            "metadata": _meta("web"),
            "template": _template(),
        },
        "ReplicationController": {
            "apiVersion": "v1",
            "kind": "ReplicationController",
            "metadata": _meta("web"),
            "spec": {"replicas": 2, "selector": dict(_LABELS), "template": _template()},
        },
        "ReplicaSet": {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": _meta("web"),
            "spec": {
                "replicas": 2,
                "minReadySeconds": 5,
                "selector": selector,
                "template": _template(),
            },
        },
        "Deployment": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta("web"),
            "spec": {
                "replicas": 3,
                "revisionHistoryLimit": 5,
                "progressDeadlineSeconds": 600,
                "minReadySeconds": 5,
                "selector": selector,
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
                },
                "template": _template(),
            },
        },
        "DaemonSet": {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": _meta("web"),
            "spec": {
                "selector": selector,
                "updateStrategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": "10%"},
                },
                "template": _template(),
            },
        },
        "StatefulSet": {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": _meta("web"),
            "spec": {
                "serviceName": "web",
                "replicas": 3,
                "podManagementPolicy": "Parallel",
                "ordinals": {"start": 1},
                "selector": selector,
                "updateStrategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
                },
                "persistentVolumeClaimRetentionPolicy": {
                    "whenDeleted": "Retain",
                    "whenScaled": "Delete",
                },
                "template": _template(),
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "volumeMode": "Filesystem",
                            "resources": {"requests": {"storage": "1Gi"}},
                        },
                    }
                ],
            },
        },
        "Job": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta("web"),
            "spec": _job_spec(),
        },
        "CronJob": {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": _meta("web"),
            "spec": {
                "schedule": "*/5 * * * *",
                "timeZone": "Europe/Berlin",
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 100,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {"metadata": {"labels": dict(_LABELS)}, "spec": _job_spec()},
            },
        },
    }


# Optional fields whose validation is subtle, with odd values: (pointer under the pod spec
# or the object, value). "$pod" is the pod spec, "$c" the first container, "$obj" the object.
ADDITIONS: tuple[tuple[str, Any], ...] = (
    ("$c/env/1/valueFrom/fieldRef/apiVersion", "v2"),
    ("$c/env/1/valueFrom/fieldRef/apiVersion", "v1"),
    ("$c/env/1/valueFrom/fieldRef/fieldPath", "status.hostIPs"),
    ("$c/env/1/valueFrom/fieldRef/fieldPath", "spec.nodeName"),
    ("$c/env/1/valueFrom/fieldRef/fieldPath", "metadata.labels['app']"),
    ("$c/env/2/valueFrom/resourceFieldRef/divisor", "1Ki"),
    ("$c/env/2/valueFrom/resourceFieldRef/divisor", "3m"),
    ("$c/env/2/valueFrom/resourceFieldRef/containerName", "nope"),
    ("$pod/volumes/1/emptyDir/sizeLimit", "-1Gi"),
    ("$pod/volumes/1/emptyDir/sizeLimit", "1Gb"),
    ("$pod/volumes/1/emptyDir/medium", "Memory"),
    ("$pod/volumes/1/emptyDir/medium", "Disk"),
    ("$pod/overhead", {"cpu": "-1"}),
    ("$pod/overhead", {"cpu": "1x"}),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "../a"}]),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "/abs"}]),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "a", "mode": 512}]),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "a", "mode": -1}]),
    ("$pod/volumes/0/configMap/items", [{"key": "", "path": "a"}]),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "a..b"}]),
    ("$pod/volumes/0/configMap/items", [{"key": "a", "path": "a/..b"}]),
    ("$pod/volumes/0/configMap/defaultMode", 0o1000),
    ("$pod/volumes/2/downwardAPI/items/0/path", "../x"),
    ("$pod/volumes/2/downwardAPI/items/0/mode", 0o777 + 1),
    ("$pod/volumes/2/downwardAPI/items/0/fieldRef/fieldPath", "spec.nodeName"),
    ("$pod/volumes/2/downwardAPI/items/1/resourceFieldRef/containerName", "nope"),
    ("$pod/volumes/3/projected/sources/0/serviceAccountToken/expirationSeconds", 100),
    ("$pod/volumes/3/projected/sources/0/serviceAccountToken/expirationSeconds", 2**32 + 1),
    ("$pod/volumes/3/projected/sources/0/serviceAccountToken/path", "../t"),
    ("$pod/volumes/3/projected/sources/1/secret/items/0/path", "token"),
    ("$pod/volumes/3/projected/defaultMode", -1),
    ("$pod/preemptionPolicy", "Never"),
    ("$pod/preemptionPolicy", "Sometimes"),
    ("$pod/priorityClassName", "system-node-critical"),
    ("$pod/priority", 10),
    ("$pod/resources", {"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}}),
    ("$pod/resources", {"limits": {"memory": "1Gi"}}),
    ("$pod/resources", {"requests": {"nvidia.com/gpu": "1"}}),
    # The aggregate container requests are 150m cpu and 192Mi memory, 200m cpu on a Pod (whose
    # init container's limit becomes its request).
    ("$pod/resources", {"requests": {"cpu": "160m", "memory": "192Mi"}}),
    ("$pod/resources", {"requests": {"memory": "191Mi"}}),
    ("$pod/resources", {"requests": {"cpu": "150m"}, "limits": {"cpu": "1", "memory": "256Mi"}}),
    ("$pod/resources", {"limits": {"cpu": "1", "memory": "255Mi"}}),
    ("$pod/resourceClaims", [{"name": "gpu", "resourceClaimName": "gpu-claim"}]),
    ("$pod/resourceClaims", [{"name": "gpu"}]),
    ("$pod/resourceClaims", [{"name": "Gpu", "resourceClaimName": "gpu-claim"}]),
    ("$c/resources/claims", [{"name": "gpu"}]),
    (
        "$pod/initContainers/1/restartPolicyRules",
        [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}],
    ),
    (
        "$pod/initContainers/0/restartPolicyRules",
        [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}],
    ),
    ("$c/restartPolicy", "Never"),
    (
        "$c/restartPolicyRules",
        [{"action": "Restart", "exitCodes": {"operator": "NotIn", "values": [0]}}],
    ),
    ("$pod/os", {"name": "windows"}),
    ("$pod/securityContext/windowsOptions", {"hostProcess": True}),
    ("$pod/securityContext/windowsOptions", {"runAsUserName": "a" * 300}),
    ("$pod/securityContext/windowsOptions", {"runAsUserName": "DOMAIN\\user\\x"}),
    ("$pod/securityContext/sysctls", [{"name": "kernel.shm_rmid_forced", "value": "1"}]),
    ("$pod/securityContext/sysctls", [{"name": "net.ipv4.ip_forward/x", "value": "1"}]),
    ("$pod/hostUsers", False),
    ("$pod/hostNetwork", True),
    ("$pod/schedulingGates", [{"name": "example.com/gate"}]),
    ("$pod/schedulingGates", [{"name": "Gate!"}]),
    ("$pod/readinessGates", [{"conditionType": "example.com/ready"}]),
    ("$pod/readinessGates", [{"conditionType": "bad type"}]),
    (
        "$pod/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/matchLabelKeys",
        ["pod-template-hash"],
    ),
    (
        "$pod/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/matchLabelKeys",
        ["app"],
    ),
    (
        "$pod/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/mismatchLabelKeys",
        ["Bad Key"],
    ),
    ("$pod/topologySpreadConstraints/0/matchLabelKeys", ["app"]),
    ("$pod/topologySpreadConstraints/0/matchLabelKeys", ["pod-template-hash", "pod-template-hash"]),
    ("$pod/topologySpreadConstraints/0/minDomains", 2),
    ("$pod/topologySpreadConstraints/0/nodeAffinityPolicy", "Sometimes"),
    ("$pod/dnsConfig/searches", ["a" * 254]),
    ("$pod/dnsConfig/searches", [".example.com"]),
    ("$pod/hostname", "Web"),
    ("$pod/subdomain", "web_1"),
    ("$pod/setHostnameAsFQDN", True),
    ("$pod/hostnameOverride", "web-1"),
    ("$obj/metadata/finalizers", ["example.com/cleanup"]),
    ("$obj/metadata/finalizers", ["cleanup"]),
    ("$obj/metadata/finalizers", ["kubernetes"]),
    ("$obj/metadata/finalizers", ["Example.com/Cleanup"]),
    ("$obj/metadata/ownerReferences", [{"apiVersion": "v1", "kind": "X", "name": "x"}]),
    ("$obj/metadata/generateName", "web-"),
    ("$obj/metadata/generateName", "Web-"),
    ("$obj/metadata/namespace", "Bad_NS"),
    ("$obj/metadata", None),
    ("$obj/metadata/labels/app", "x" * 64),
    ("$obj/metadata/annotations/a", "x" * 300_000),
    ("$obj/spec/ordinals", {"start": -1}),
    ("$obj/spec/updateStrategy/rollingUpdate/maxUnavailable", 0),
    ("$obj/spec/updateStrategy/rollingUpdate/maxUnavailable", "0%"),
    ("$obj/spec/updateStrategy/rollingUpdate/maxUnavailable", "150%"),
    ("$obj/spec/updateStrategy/rollingUpdate/partition", -1),
    ("$obj/spec/volumeClaimTemplates/0/spec/volumeMode", "Raw"),
    ("$obj/spec/volumeClaimTemplates/0/spec/accessModes", ["ReadWriteAlways"]),
    ("$obj/spec/volumeClaimTemplates/0/spec/accessModes", ["ReadWriteOncePod", "ReadWriteOnce"]),
    ("$obj/spec/volumeClaimTemplates/0/spec/resources/requests/storage", "-1Gi"),
    ("$obj/spec/volumeClaimTemplates/0/spec/resources/requests/storage", "1GB"),
    ("$obj/spec/volumeClaimTemplates/0/metadata/name", "Data"),
    ("$obj/spec/podReplacementPolicy", "TerminatingOrFailed"),
    ("$obj/spec/podReplacementPolicy", "Never"),
    ("$obj/spec/maxFailedIndexes", 5),
    ("$obj/spec/maxFailedIndexes", 100001),
    ("$obj/spec/successPolicy/rules/0/succeededIndexes", "2-0"),
    ("$obj/spec/successPolicy/rules/0/succeededIndexes", "0,0"),
    ("$obj/spec/successPolicy/rules/0/succeededIndexes", "0-9"),
    ("$obj/spec/successPolicy/rules/0/succeededCount", 5),
    ("$obj/spec/successPolicy/rules/0/succeededCount", -1),
    ("$obj/spec/successPolicy/rules", []),
    ("$obj/spec/podFailurePolicy/rules/0/action", "FailIndex"),
    ("$obj/spec/podFailurePolicy/rules/0/action", "Count"),
    ("$obj/spec/podFailurePolicy/rules/0/action", "Restart"),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/values", [0]),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/values", [1, 1]),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/values", [2, 1]),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/values", []),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/operator", "NotIn"),
    ("$obj/spec/podFailurePolicy/rules/0/onExitCodes/containerName", "nope"),
    ("$obj/spec/podFailurePolicy/rules/1/onPodConditions/0/type", "Bad Type"),
    ("$obj/spec/podFailurePolicy/rules/1/onPodConditions/0/status", "Maybe"),
    ("$obj/spec/podFailurePolicy/rules/1/onPodConditions", []),
    ("$obj/spec/managedBy", "example.com/controller"),
    ("$obj/spec/managedBy", "controller"),
    ("$obj/spec/completions", 100001),
    ("$obj/spec/parallelism", 100001),
    ("$obj/spec/backoffLimit", 2**31),
    ("$obj/spec/suspend", "no"),
)


@dataclass(frozen=True)
class PodMutation(Mutation):
    """A mutation of a pod-carrying kind."""

    @property
    def site(self) -> str:
        """The pointer with the pod spec written ``$pod``, a CronJob's job spec as a Job's,
        and list indexes as ``N``: the same field in every kind reads the same."""
        pod = BUILTIN_POD_SPEC_POINTERS[self.kind]
        pointer = self.pointer
        if pointer == pod or pointer.startswith(pod + "/"):
            pointer = "$pod" + pointer[len(pod) :]
        elif pointer.startswith("/spec/jobTemplate/spec"):
            pointer = "/spec" + pointer[len("/spec/jobTemplate/spec") :]
        return indexes_as_n(pointer)


def generate(seed: int, count: int) -> list[tuple[Mutation, dict[str, Any]]]:
    """``count`` distinct mutated objects, each with the mutation that made it."""
    return harness.generate(seed, count, bases(), _addition, PodMutation)


def _addition(generator: random.Random, kind: str) -> Mutation:
    template, value = generator.choice(ADDITIONS)
    pod = BUILTIN_POD_SPEC_POINTERS[kind]
    first = f"{pod}/containers/0"
    pointer = template.replace("$pod", pod).replace("$c", first).replace("$obj", "")
    return PodMutation(kind, "add", pointer, value)
