"""Seeded single changes to valid objects, for the update half of the differential tier.

Each base object here is created for real by kube-apiserver v1.35 as written; a change is one
edit an author makes between two versions of a manifest: a value replaced by another valid
one of its kind (another name, a larger or smaller number or quantity, a flipped boolean), a
field removed, or one field from ``ADDITIONS`` set (the fields whose update rules are subtle:
addresses, classes, strategies, immutability). The same seed gives the same changes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from tests.cluster.mutation_harness import Mutation, apply, leaves

_LABELS = {"app": "web"}
_CONTAINERS = [{"name": "app", "image": "nginx:1.27"}]
_TEMPLATE = {"metadata": {"labels": _LABELS}, "spec": {"containers": _CONTAINERS}}
_RBAC = "rbac.authorization.k8s.io"


def _object(api_version: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "base"}, **fields}


def _claim(access: list[str], storage: str, **fields: Any) -> dict[str, Any]:
    spec = {"accessModes": access, **fields, "resources": {"requests": {"storage": storage}}}
    return _object("v1", "PersistentVolumeClaim", spec=spec)


def _volume(storage: str, access: str, **fields: Any) -> dict[str, Any]:
    spec = {"capacity": {"storage": storage}, "accessModes": [access], **fields}
    return _object("v1", "PersistentVolume", spec=spec)


def _binding(kind: str, role_kind: str, role: str, subject: dict[str, str]) -> dict[str, Any]:
    role_ref = {"apiGroup": _RBAC, "kind": role_kind, "name": role}
    return _object(f"{_RBAC}/v1", kind, roleRef=role_ref, subjects=[subject])


def _service(**spec: Any) -> dict[str, Any]:
    return _object("v1", "Service", spec=spec)


def bases() -> dict[str, dict[str, Any]]:
    """Valid objects by a short name; ``metadata.name`` is replaced for each case."""
    job = {
        "parallelism": 2,
        "completions": 4,
        "backoffLimit": 3,
        "activeDeadlineSeconds": 600,
        "template": {"spec": {"containers": _CONTAINERS, "restartPolicy": "Never"}},
    }
    return {
        "configmap-immutable": _object(
            "v1",
            "ConfigMap",
            immutable=True,
            data={"mode": "fast", "level": "info"},
            binaryData={"blob": "AAEC"},
        ),
        "configmap": _object("v1", "ConfigMap", data={"mode": "fast"}),
        "secret-immutable": _object(
            "v1", "Secret", immutable=True, data={"user": "YWRtaW4=", "password": "aHVudGVy"}
        ),
        "secret-basic-auth": _object(
            "v1",
            "Secret",
            type="kubernetes.io/basic-auth",
            stringData={"username": "admin", "password": "hunter2"},
        ),
        "pvc": _claim(["ReadWriteOnce"], "10Gi", storageClassName="standard"),
        "pvc-clone": _claim(
            ["ReadWriteOnce"], "1Gi", dataSource={"kind": "PersistentVolumeClaim", "name": "source"}
        ),
        "pvc-no-class": _claim(["ReadWriteMany"], "1Gi"),
        "pv-local": _volume(
            "50Gi",
            "ReadWriteOnce",
            persistentVolumeReclaimPolicy="Retain",
            storageClassName="local",
            local={"path": "/mnt/disk1"},
            nodeAffinity={
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/hostname",
                                    "operator": "In",
                                    "values": ["node-a"],
                                }
                            ]
                        }
                    ]
                }
            },
        ),
        "pv-nfs": _volume(
            "100Gi",
            "ReadWriteMany",
            nfs={"server": "nfs.example.com", "path": "/exports/a", "readOnly": False},
            mountOptions=["nfsvers=4.1"],
        ),
        "pv-csi": _volume(
            "20Gi",
            "ReadWriteOnce",
            csi={"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0a1b2c", "fsType": "ext4"},
        ),
        "rolebinding": _binding(
            "RoleBinding",
            "Role",
            "deployer",
            {"kind": "ServiceAccount", "name": "ci", "namespace": "updates"},
        ),
        "clusterrolebinding": _binding(
            "ClusterRoleBinding",
            "ClusterRole",
            "view",
            {"kind": "Group", "name": "devs", "apiGroup": _RBAC},
        ),
        "service": _service(selector=_LABELS, ports=[{"name": "http", "port": 80}]),
        "service-headless": _service(clusterIP="None", selector=_LABELS, ports=[{"port": 80}]),
        "service-load-balancer": _service(
            type="LoadBalancer",
            loadBalancerClass="example.com/internal",
            ipFamilies=["IPv4"],
            selector=_LABELS,
            ports=[{"port": 443, "targetPort": 8443}],
        ),
        "service-external-name": _service(type="ExternalName", externalName="db.example.com"),
        "deployment": _object(
            "apps/v1",
            "Deployment",
            spec={"replicas": 2, "selector": {"matchLabels": _LABELS}, "template": _TEMPLATE},
        ),
        "statefulset": _object(
            "apps/v1",
            "StatefulSet",
            spec={
                "serviceName": "db",
                "replicas": 1,
                "selector": {"matchLabels": _LABELS},
                "template": _TEMPLATE,
            },
        ),
        "job": _object("batch/v1", "Job", spec=job),
        "cronjob": _object(
            "batch/v1",
            "CronJob",
            spec={"schedule": "*/5 * * * *", "jobTemplate": {"spec": job}},
        ),
    }


# (base, pointer, value): one field set, with a value people write when they change it.
ADDITIONS: tuple[tuple[str, str, Any], ...] = (
    ("configmap-immutable", "/immutable", False),
    ("configmap-immutable", "/data/extra", "1"),
    ("configmap", "/immutable", True),
    ("secret-immutable", "/immutable", False),
    ("secret-immutable", "/stringData/password", "hunter"),
    ("secret-immutable", "/stringData/password", "other"),
    ("secret-immutable", "/type", "Opaque"),
    ("secret-immutable", "/stringData/user", "admin"),
    ("secret-immutable", "/type", "example.com/custom"),
    ("secret-basic-auth", "/type", "Opaque"),
    ("secret-basic-auth", "/immutable", True),
    ("pvc", "/spec/resources/requests/storage", "20Gi"),
    ("pvc", "/spec/resources/requests/storage", "10240Mi"),
    ("pvc", "/spec/resources/requests/storage", "5Gi"),
    ("pvc", "/spec/volumeMode", "Block"),
    ("pvc", "/spec/volumeMode", "Filesystem"),
    ("pvc", "/spec/volumeName", "pv-data"),
    ("pvc", "/spec/volumeAttributesClassName", "gold"),
    ("pvc", "/spec/selector", {"matchLabels": {"tier": "fast"}}),
    ("pvc", "/spec/resources/limits", {"storage": "20Gi"}),
    ("pvc-clone", "/spec/dataSourceRef", {"kind": "PersistentVolumeClaim", "name": "source"}),
    ("pvc-clone", "/spec/dataSourceRef", {"kind": "PersistentVolumeClaim", "name": "other"}),
    ("pvc-no-class", "/spec/storageClassName", "fast"),
    ("pvc-no-class", "/spec/storageClassName", ""),
    ("pv-local", "/spec/volumeMode", "Block"),
    ("pv-local", "/spec/claimRef", {"namespace": "updates", "name": "data"}),
    ("pv-nfs", "/spec/nodeAffinity", {"required": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}),
    ("pv-nfs", "/spec/nfs/readOnly", True),
    ("pv-nfs", "/spec/volumeMode", "Filesystem"),
    ("pv-csi", "/spec/csi/controllerExpandSecretRef", {"name": "expand", "namespace": "updates"}),
    ("pv-csi", "/spec/csi/volumeHandle", "vol-9z"),
    ("pv-csi", "/spec/volumeAttributesClassName", "gold"),
    ("rolebinding", "/roleRef/kind", "ClusterRole"),
    ("rolebinding", "/subjects/1", {"kind": "User", "name": "jane", "apiGroup": _RBAC}),
    ("service", "/spec/clusterIP", "None"),
    ("service", "/spec/clusterIP", ""),
    ("service", "/spec/type", "NodePort"),
    ("service", "/spec/clusterIP", "10.0.0.77"),
    ("service", "/spec/type", "LoadBalancer"),
    ("service", "/spec/ipFamilies", ["IPv4"]),
    ("service", "/spec/ipFamilyPolicy", "SingleStack"),
    ("service-headless", "/spec/clusterIPs", ["None"]),
    ("service-headless", "/spec/type", "NodePort"),
    ("service-headless", "/spec/type", "LoadBalancer"),
    ("service-headless", "/spec/clusterIP", "None"),
    ("service-load-balancer", "/spec/loadBalancerClass", "example.com/external"),
    ("service-load-balancer", "/spec/type", "ClusterIP"),
    ("service-load-balancer", "/spec/ipFamilies", ["IPv6"]),
    ("service-external-name", "/spec/externalName", "cache.example.com"),
    ("deployment", "/spec/strategy", {"type": "Recreate"}),
    ("deployment", "/spec/strategy", {"type": "Recreate", "rollingUpdate": None}),
    ("deployment", "/spec/strategy", {"type": "RollingUpdate",
                                      "rollingUpdate": {"maxSurge": 1}}),
    ("deployment", "/spec/selector/matchLabels/tier", "front"),
    ("deployment", "/spec/template/metadata/labels/tier", "front"),
    ("statefulset", "/spec/updateStrategy", {"type": "OnDelete"}),
    ("statefulset", "/spec/updateStrategy", {"type": "OnDelete", "rollingUpdate": None}),
    ("statefulset", "/spec/serviceName", "db-v2"),
    ("statefulset", "/spec/podManagementPolicy", "Parallel"),
    ("statefulset", "/spec/minReadySeconds", 5),
    ("job", "/spec/suspend", True),
    ("job", "/spec/completionMode", "Indexed"),
    ("job", "/spec/ttlSecondsAfterFinished", 60),
    ("job", "/spec/template/spec/nodeSelector", {"disk": "ssd"}),
    ("cronjob", "/spec/suspend", True),
    ("cronjob", "/spec/concurrencyPolicy", "Forbid"),
    ("cronjob", "/spec/jobTemplate/spec/completionMode", "Indexed"),
)  # fmt: skip

_NAMES = ("deployer", "view", "edit", "db", "web", "cache", "app")
_QUANTITIES = ("1Gi", "5Gi", "20Gi", "10240Mi", "100Gi", "200Gi")


@dataclass(frozen=True)
class Change:
    """One edit of a base object: which base, and the mutation applied to it."""

    base: str
    mutation: Mutation

    @property
    def signature(self) -> str:
        """``base pointer operation value``: what known gaps are matched against."""
        mutation = self.mutation
        value = json.dumps(mutation.value) if mutation.operation in ("replace", "add") else ""
        return f"{self.base} {mutation.pointer} {mutation.operation} {value}".rstrip()


def _replacement(generator: random.Random, pointer: str, value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return max(0, value + generator.choice((-1, 1, 5)))
    if not isinstance(value, str):
        return None
    if pointer.endswith("/storage"):
        return generator.choice([q for q in _QUANTITIES if q != value])
    if pointer.endswith("/image"):
        return "nginx:1.28"
    if pointer.endswith("/name") or pointer.endswith("Name"):
        return generator.choice([n for n in _NAMES if n != value])
    if pointer.endswith("/path"):
        return value + "-b"
    return value + "x"


_FIXED = ("/apiVersion", "/kind", "/metadata", "/metadata/name")


def generate(seed: int, count: int) -> list[tuple[Change, dict[str, Any], dict[str, Any]]]:
    """``count`` distinct (change, old, new) triples."""
    generator = random.Random(seed)
    objects = bases()
    sites = {
        name: [(p, v) for p, v in leaves(obj) if p not in _FIXED] for name, obj in objects.items()
    }
    seen: set[str] = set()
    cases: list[tuple[Change, dict[str, Any], dict[str, Any]]] = []
    attempts = 0
    while len(cases) < count and attempts < count * 50:
        attempts += 1
        if generator.random() < 0.45:
            base, pointer, value = generator.choice(ADDITIONS)
            mutation = Mutation(objects[base]["kind"], "add", pointer, value)
        else:
            base = generator.choice(sorted(objects))
            pointer, value = generator.choice(sites[base])
            if generator.random() < 0.75 and not isinstance(value, (dict, list)):
                replaced = _replacement(generator, pointer, value)
                if replaced is None:
                    continue
                mutation = Mutation(objects[base]["kind"], "replace", pointer, replaced)
            else:
                mutation = Mutation(objects[base]["kind"], "remove", pointer)
        new = apply(objects[base], mutation)
        if new is None:
            continue
        key = json.dumps([base, new], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        cases.append((Change(base, mutation), objects[base], new))
    return cases
