"""Seeded single-mistake mutations of valid manifests of the built-in kinds beside workloads.

The operators of ``tests/cluster/mutation_harness.py`` (a value replaced by one people get
wrong, a field removed, an unknown field added, a list or mapping emptied, a list item
duplicated, one optional field with subtle validation set to an odd value), applied to one
valid manifest of every kind of issue #17 item 1 that carries no pod spec. Every base here is
accepted by kube-apiserver v1.35 as written; the same seed gives the same cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from tests.cluster import mutation_harness as harness
from tests.cluster.mutation_harness import Mutation

_LABELS = {"app": "web", "tier": "frontend"}
_SELECTOR = {
    "matchLabels": {"app": "web"},
    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}],
}


def _meta(name: str, namespaced: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "labels": dict(_LABELS),
        "annotations": {"example.com/owner": "team-a"},
    }
    if namespaced:
        meta["namespace"] = "default"
    return meta


def _webhook(mutating: bool) -> dict[str, Any]:
    webhook: dict[str, Any] = {
        "name": "check.example.com",
        "clientConfig": {"url": "https://hooks.example.com/check"},
        "rules": [
            {
                "apiGroups": [""],
                "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"],
                "resources": ["pods"],
                "scope": "Namespaced",
            }
        ],
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "failurePolicy": "Fail",
        "matchPolicy": "Equivalent",
        "timeoutSeconds": 5,
        "namespaceSelector": {"matchLabels": {"team": "a"}},
        "objectSelector": {
            "matchExpressions": [{"key": "skip", "operator": "DoesNotExist"}],
        },
        "matchConditions": [{"name": "not-kube-system", "expression": "true"}],
    }
    second: dict[str, Any] = {
        "name": "audit.example.com",
        "clientConfig": {
            "service": {"namespace": "hooks", "name": "audit", "path": "/audit", "port": 8443}
        },
        "rules": [
            {
                "apiGroups": ["apps"],
                "apiVersions": ["*"],
                "operations": ["*"],
                "resources": ["deployments", "deployments/scale"],
            }
        ],
        "admissionReviewVersions": ["v1", "v1beta1"],
        "sideEffects": "NoneOnDryRun",
    }
    if mutating:
        webhook["reinvocationPolicy"] = "IfNeeded"
    return {"webhooks": [webhook, second]}


def bases() -> dict[str, dict[str, Any]]:
    """Valid manifests, one per kind."""
    return {
        "Service": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("web"),
            "spec": {
                "type": "NodePort",
                "selector": {"app": "web"},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                    {"name": "metrics", "port": 9090, "targetPort": 9090},
                ],
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 600}},
                "externalTrafficPolicy": "Local",
                "internalTrafficPolicy": "Cluster",
                "publishNotReadyAddresses": True,
            },
        },
        "Ingress": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": _meta("web"),
            "spec": {
                "ingressClassName": "nginx",
                "tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}],
                "rules": [
                    {
                        "host": "web.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                },
                                {
                                    "path": "/api",
                                    "pathType": "Exact",
                                    "backend": {
                                        "service": {"name": "api", "port": {"name": "http"}}
                                    },
                                },
                            ]
                        },
                    }
                ],
            },
        },
        "IngressClass": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": _meta("nginx", namespaced=False),
            "spec": {
                "controller": "example.com/ingress-nginx",
                "parameters": {
                    "apiGroup": "k8s.example.com",
                    "kind": "IngressParameters",
                    "name": "external",
                    "scope": "Namespace",
                    "namespace": "ingress",
                },
            },
        },
        "ConfigMap": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta("web-config"),
            "data": {"app.properties": "mode=production\n", "LOG_LEVEL": "info"},
            "binaryData": {"logo.png": "iVBORw0KGgo="},
        },
        "Secret": {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": _meta("web-secret"),
            "type": "Opaque",
            "data": {"password": "czNjcjN0"},
            "stringData": {"token": "abc"},
        },
        "PersistentVolume": {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": _meta("share", namespaced=False),
            "spec": {
                "capacity": {"storage": "10Gi"},
                "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "standard",
                "volumeMode": "Filesystem",
                "mountOptions": ["hard"],
                "nfs": {"server": "nfs.example.com", "path": "/exports/share"},
            },
        },
        "PersistentVolumeClaim": {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": _meta("data"),
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "standard",
                "volumeMode": "Filesystem",
                "resources": {"requests": {"storage": "1Gi"}, "limits": {"storage": "2Gi"}},
                "selector": {"matchLabels": {"tier": "fast"}},
            },
        },
        "StorageClass": {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": _meta("fast", namespaced=False),
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3"},
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True,
            "mountOptions": ["debug"],
            "allowedTopologies": [
                {
                    "matchLabelExpressions": [
                        {"key": "topology.kubernetes.io/zone", "values": ["eu-west-1a"]}
                    ]
                }
            ],
        },
        "Namespace": {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": _meta("team-a", namespaced=False),
            "spec": {"finalizers": ["kubernetes"]},
        },
        "ServiceAccount": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta("web"),
            "automountServiceAccountToken": False,
            "secrets": [{"name": "web-token"}],
            "imagePullSecrets": [{"name": "registry"}],
        },
        "Role": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta("reader"),
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
                {
                    "apiGroups": ["apps"],
                    "resources": ["deployments"],
                    "resourceNames": ["web"],
                    "verbs": ["get"],
                },
            ],
        },
        "ClusterRole": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": _meta("reader", namespaced=False),
            "rules": [
                {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
                {"nonResourceURLs": ["/healthz", "/metrics/*"], "verbs": ["get"]},
            ],
            "aggregationRule": {
                "clusterRoleSelectors": [{"matchLabels": {"example.com/aggregate": "true"}}]
            },
        },
        "RoleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta("reader"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "web", "namespace": "default"},
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
                {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
            ],
        },
        "ClusterRoleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": _meta("reader", namespaced=False),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "reader",
            },
            "subjects": [
                {"kind": "ServiceAccount", "name": "web", "namespace": "default"},
                {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
            ],
        },
        "NetworkPolicy": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("web"),
            "spec": {
                "podSelector": {"matchLabels": {"app": "web"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {
                        "from": [
                            {"podSelector": {"matchLabels": {"app": "client"}}},
                            {"namespaceSelector": {"matchLabels": {"team": "a"}}},
                            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                        ],
                        "ports": [
                            {"protocol": "TCP", "port": 8080},
                            {"protocol": "UDP", "port": "dns"},
                            {"port": 32000, "endPort": 32768},
                        ],
                    }
                ],
                "egress": [
                    {
                        "to": [{"ipBlock": {"cidr": "fd00::/64"}}],
                        "ports": [{"protocol": "SCTP", "port": 9000}],
                    }
                ],
            },
        },
        "HorizontalPodAutoscaler": {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": _meta("web"),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2,
                "maxReplicas": 10,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    },
                    {
                        "type": "Pods",
                        "pods": {
                            "metric": {"name": "requests_per_second"},
                            "target": {"type": "AverageValue", "averageValue": "100"},
                        },
                    },
                    {
                        "type": "Object",
                        "object": {
                            "describedObject": {
                                "apiVersion": "networking.k8s.io/v1",
                                "kind": "Ingress",
                                "name": "web",
                            },
                            "metric": {"name": "hits"},
                            "target": {"type": "Value", "value": "10k"},
                        },
                    },
                    {
                        "type": "External",
                        "external": {
                            "metric": {
                                "name": "queue_depth",
                                "selector": {"matchLabels": {"queue": "jobs"}},
                            },
                            "target": {"type": "AverageValue", "averageValue": "30"},
                        },
                    },
                    {
                        "type": "ContainerResource",
                        "containerResource": {
                            "name": "memory",
                            "container": "app",
                            "target": {"type": "AverageValue", "averageValue": "500Mi"},
                        },
                    },
                ],
                "behavior": {
                    "scaleUp": {
                        "stabilizationWindowSeconds": 0,
                        "selectPolicy": "Max",
                        "policies": [
                            {"type": "Percent", "value": 100, "periodSeconds": 15},
                            {"type": "Pods", "value": 4, "periodSeconds": 15},
                        ],
                    },
                    "scaleDown": {
                        "stabilizationWindowSeconds": 300,
                        "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}],
                    },
                },
            },
        },
        "PodDisruptionBudget": {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta("web"),
            "spec": {
                "minAvailable": "50%",
                "selector": _SELECTOR,
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            },
        },
        "PriorityClass": {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": _meta("high", namespaced=False),
            "value": 100000,
            "globalDefault": False,
            "preemptionPolicy": "PreemptLowerPriority",
            "description": "Serving workloads",
        },
        "ResourceQuota": {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": _meta("compute"),
            "spec": {
                "hard": {
                    "requests.cpu": "10",
                    "limits.memory": "20Gi",
                    "pods": "50",
                    "count/deployments.apps": "20",
                    "requests.nvidia.com/gpu": "2",
                },
                "scopeSelector": {
                    "matchExpressions": [
                        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}
                    ]
                },
            },
        },
        "LimitRange": {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": _meta("limits"),
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": "500m", "memory": "512Mi"},
                        "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                        "max": {"cpu": "2", "memory": "2Gi"},
                        "min": {"cpu": "50m", "memory": "64Mi"},
                        "maxLimitRequestRatio": {"cpu": "10"},
                    },
                    {"type": "Pod", "max": {"cpu": "4", "memory": "4Gi"}},
                    {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}},
                ]
            },
        },
        "ValidatingWebhookConfiguration": {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": _meta("checks", namespaced=False),
            **_webhook(mutating=False),
        },
        "MutatingWebhookConfiguration": {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": _meta("defaults", namespaced=False),
            **_webhook(mutating=True),
        },
    }


_BAD_VALUE_TERM = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a b"]}]}
_TWO_NODES_TERM = {
    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]
}
_SNAPSHOT = {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "x"}

# Optional fields whose validation is subtle, with odd values: (kind, pointer, value).
# "$w" is the first webhook of either webhook configuration kind.
ADDITIONS: tuple[tuple[str, str, Any], ...] = (
    ("Service", "/spec/type", "LoadBalancer"),
    ("Service", "/spec/type", "ExternalName"),
    ("Service", "/spec/clusterIP", "None"),
    ("Service", "/spec/externalName", "db.example.com"),
    ("Service", "/spec/loadBalancerSourceRanges", ["10.0.0.0/8"]),
    ("Service", "/spec/loadBalancerSourceRanges", ["10.0.0.1/8/"]),
    ("Service", "/spec/externalIPs", ["203.0.113.9"]),
    ("Service", "/spec/externalIPs", ["not-an-ip"]),
    ("Service", "/spec/sessionAffinityConfig/clientIP/timeoutSeconds", 86401),
    ("Service", "/spec/healthCheckNodePort", 30000),
    ("Service", "/spec/ports/0/appProtocol", "Bad Proto"),
    ("Service", "/spec/ports/0/appProtocol", "kubernetes.io/h2c"),
    ("Service", "/spec/trafficDistribution", "PreferClose"),
    ("Service", "/spec/trafficDistribution", "Nearest"),
    ("Ingress", "/spec/defaultBackend", {"service": {"name": "web", "port": {"number": 80}}}),
    ("Ingress", "/spec/defaultBackend", {}),
    ("Ingress", "/spec/rules/0/http/paths/0/backend/resource", {"kind": "Bucket", "name": "b"}),
    ("Ingress", "/spec/rules/0/http/paths/0/backend/service/port", {"number": 80, "name": "x"}),
    ("Ingress", "/spec/rules/0/http/paths/0/backend/service/port", {"name": "Bad_Name"}),
    ("Ingress", "/spec/rules/0/http/paths/0/backend", {"resource": {"apiGroup": "", "name": "b"}}),
    ("Ingress", "/spec/defaultBackend", {"resource": {"kind": "Bucket", "name": "a/b"}}),
    ("Ingress", "/spec/ingressClassName", ""),
    ("Ingress", "/spec/rules/0/host", "*.example.com"),
    ("Ingress", "/spec/rules/0/host", "*"),
    ("Ingress", "/spec/tls/0/hosts/0", "*.example.com"),
    ("IngressClass", "/spec/parameters/scope", "Cluster"),
    ("IngressClass", "/spec/parameters/scope", "Global"),
    ("IngressClass", "/spec/parameters/apiGroup", "Bad Group"),
    ("IngressClass", "/spec/controller", "nginx"),
    ("IngressClass", "/spec/controller", "example.com/" + "c" * 250),
    ("ConfigMap", "/data/a.b", "x"),
    ("ConfigMap", "/data/..a", "x"),
    ("ConfigMap", "/binaryData/LOG_LEVEL", "aW5mbw=="),
    ("ConfigMap", "/immutable", True),
    ("Secret", "/type", "kubernetes.io/tls"),
    ("Secret", "/type", "kubernetes.io/dockerconfigjson"),
    ("Secret", "/type", "kubernetes.io/basic-auth"),
    ("Secret", "/type", "kubernetes.io/service-account-token"),
    ("Secret", "/type", "example.com/custom"),
    ("Secret", "/stringData/bad key", "x"),
    ("Secret", "/stringData/..x", "x"),
    ("Secret", "/stringData/password", "override"),
    ("Secret", "/type", "kubernetes.io/ssh-auth"),
    ("Secret", "/type", "kubernetes.io/dockercfg"),
    ("Secret", "/type", "bootstrap.kubernetes.io/token"),
    ("Secret", "/data/list", [104, 105]),
    ("Secret", "/data/list", [1, None, 256]),
    ("ConfigMap", "/binaryData/list", [137, 80]),
    ("ConfigMap", "/binaryData/list", ["a"]),
    ("PersistentVolume", "/spec/claimRef", {"namespace": "default", "name": "data"}),
    ("PersistentVolume", "/spec/nfs/path", "relative"),
    ("PersistentVolume", "/spec/persistentVolumeReclaimPolicy", "Recycle"),
    ("PersistentVolume", "/spec/hostPath", {"path": "/data"}),
    ("PersistentVolume", "/spec/nodeAffinity", {"required": {"nodeSelectorTerms": []}}),
    ("PersistentVolume", "/spec/volumeMode", "Block"),
    ("PersistentVolume", "/spec/csi", {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"}),
    ("PersistentVolume", "/spec/nodeAffinity", {"required": {"nodeSelectorTerms": [{}]}}),
    ("PersistentVolume", "/spec/nodeAffinity/required/nodeSelectorTerms", [_BAD_VALUE_TERM]),
    ("PersistentVolume", "/spec/nodeAffinity/required/nodeSelectorTerms", [_TWO_NODES_TERM]),
    ("PersistentVolumeClaim", "/spec/volumeName", "Share"),
    ("PersistentVolumeClaim", "/spec/dataSource", {"kind": "PersistentVolumeClaim", "name": "x"}),
    ("PersistentVolumeClaim", "/spec/dataSource", {"kind": "VolumeSnapshot", "name": "x"}),
    ("PersistentVolumeClaim", "/spec/volumeAttributesClassName", "Gold"),
    ("PersistentVolumeClaim", "/spec/dataSourceRef", {"kind": "Bucket", "name": "x"}),
    ("PersistentVolumeClaim", "/spec/dataSourceRef", {**_SNAPSHOT, "namespace": "other"}),
    ("PersistentVolumeClaim", "/spec/dataSourceRef", {**_SNAPSHOT, "apiGroup": "example.com"}),
    ("PersistentVolumeClaim", "/spec/accessModes", ["ReadWriteOncePod", "ReadWriteOnce"]),
    ("StorageClass", "/reclaimPolicy", "Recycle"),
    ("StorageClass", "/reclaimPolicy", "Keep"),
    ("StorageClass", "/volumeBindingMode", "Later"),
    ("StorageClass", "/provisioner", "Bad Provisioner"),
    ("StorageClass", "/provisioner", "kubernetes.io/no-provisioner"),
    ("StorageClass", "/parameters/" + "k" * 300, "v"),
    ("StorageClass", "/allowedTopologies/0/matchLabelExpressions/0/values", []),
    ("StorageClass", "/allowedTopologies/0/matchLabelExpressions/0/key", "Bad Key"),
    ("StorageClass", "/allowedTopologies", [{"matchLabelExpressions": []}]),
    ("Namespace", "/spec/finalizers", ["example.com/cleanup"]),
    ("Namespace", "/spec/finalizers", ["Bad Finalizer"]),
    ("Namespace", "/metadata/name", "kube-x"),
    ("ServiceAccount", "/secrets/0/namespace", "other"),
    ("ServiceAccount", "/imagePullSecrets/0/name", "Registry"),
    ("Role", "/rules/0/verbs", ["*"]),
    ("Role", "/rules/0/nonResourceURLs", ["/healthz"]),
    ("Role", "/rules/0/apiGroups", ["Bad Group"]),
    ("ClusterRole", "/rules/1/resources", ["pods"]),
    ("ClusterRole", "/rules/1/nonResourceURLs", ["healthz"]),
    ("RoleBinding", "/roleRef/kind", "ClusterRole"),
    ("RoleBinding", "/roleRef/apiGroup", ""),
    ("RoleBinding", "/subjects/0/namespace", "Bad_NS"),
    ("ClusterRoleBinding", "/roleRef/kind", "Role"),
    ("NetworkPolicy", "/spec/ingress/0/from/0/namespaceSelector", {"matchLabels": {"x": "y"}}),
    ("NetworkPolicy", "/spec/ingress/0/from/0/ipBlock", {"cidr": "10.0.0.0/8"}),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/cidr", "10.0.0.1/8"),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/cidr", "10.0.0.0"),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/cidr", "010.0.0.0/8"),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/except", ["192.168.0.0/16"]),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/except", ["10.0.0.0/8"]),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/except", ["10.0.0.0/7"]),
    ("NetworkPolicy", "/spec/ingress/0/from/2/ipBlock/except", ["fd00::/72"]),
    ("NetworkPolicy", "/spec/ingress/0/ports/2/endPort", 31000),
    ("NetworkPolicy", "/spec/ingress/0/ports/1/endPort", 60),
    ("NetworkPolicy", "/spec/ingress/0/ports/0/endPort", 8080),
    ("NetworkPolicy", "/spec/ingress/0/ports/0/port", "Bad_Name"),
    ("NetworkPolicy", "/spec/ingress/0/ports/0/port", 0),
    ("NetworkPolicy", "/spec/ingress/0/ports/0/port", "8080"),
    ("NetworkPolicy", "/spec/ingress/0/from/0", {}),
    ("NetworkPolicy", "/spec/policyTypes", ["Ingress", "Ingress"]),
    ("NetworkPolicy", "/spec/policyTypes", ["Egress", "Ingress", "Egress"]),
    ("NetworkPolicy", "/spec/policyTypes", ["ingress"]),
    ("HorizontalPodAutoscaler", "/spec/minReplicas", 0),
    ("HorizontalPodAutoscaler", "/spec/minReplicas", 11),
    ("HorizontalPodAutoscaler", "/spec/maxReplicas", 0),
    ("HorizontalPodAutoscaler", "/spec/scaleTargetRef/kind", "deployment"),
    ("HorizontalPodAutoscaler", "/spec/scaleTargetRef/name", "web/x"),
    ("HorizontalPodAutoscaler", "/spec/scaleTargetRef/apiVersion", "apps/v1/x"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/resource/target/type", "Value"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/resource/target/averageUtilization", 0),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/resource/target/averageValue", "1"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/resource/name", "Bad Name"),
    ("HorizontalPodAutoscaler", "/spec/metrics/1/pods/target/averageValue", "-1"),
    ("HorizontalPodAutoscaler", "/spec/metrics/1/pods/target/averageValue", "0"),
    ("HorizontalPodAutoscaler", "/spec/metrics/1/pods/target/type", "Value"),
    ("HorizontalPodAutoscaler", "/spec/metrics/1/pods/metric/name", "bad name"),
    ("HorizontalPodAutoscaler", "/spec/metrics/2/object/target/value", "-1"),
    ("HorizontalPodAutoscaler", "/spec/metrics/2/object/target/type", "Utilization"),
    ("HorizontalPodAutoscaler", "/spec/metrics/2/object/describedObject/kind", ""),
    ("HorizontalPodAutoscaler", "/spec/metrics/3/external/target/value", "5"),
    ("HorizontalPodAutoscaler", "/spec/metrics/4/containerResource/container", "Bad_C"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/type", "Pods"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/type", "Custom"),
    ("HorizontalPodAutoscaler", "/spec/metrics/0/pods", {"metric": {"name": "x"}}),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/stabilizationWindowSeconds", 3601),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/selectPolicy", "Min"),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/selectPolicy", "Disabled"),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/selectPolicy", "Average"),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/policies/0/periodSeconds", 1801),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/policies/0/value", 0),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleUp/policies/0/type", "Percentage"),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleDown/policies", []),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleDown/tolerance", "0.05"),
    ("HorizontalPodAutoscaler", "/spec/behavior/scaleDown/tolerance", "-1"),
    ("PodDisruptionBudget", "/spec/maxUnavailable", 1),
    ("PodDisruptionBudget", "/spec/minAvailable", "150%"),
    ("PodDisruptionBudget", "/spec/minAvailable", "50"),
    ("PodDisruptionBudget", "/spec/minAvailable", -1),
    ("PodDisruptionBudget", "/spec/minAvailable", "x%"),
    ("PodDisruptionBudget", "/spec/unhealthyPodEvictionPolicy", "IfHealthyBudget"),
    ("PodDisruptionBudget", "/spec/unhealthyPodEvictionPolicy", "Never"),
    ("PodDisruptionBudget", "/spec/selector/matchExpressions/0/operator", "Exists"),
    ("PodDisruptionBudget", "/spec/selector/matchExpressions/0/values", []),
    ("PodDisruptionBudget", "/spec/selector/matchLabels/Bad Key", "x"),
    ("PriorityClass", "/value", 1000000001),
    ("PriorityClass", "/value", -2147483648),
    ("PriorityClass", "/value", 1000000000),
    ("PriorityClass", "/preemptionPolicy", "Never"),
    ("PriorityClass", "/preemptionPolicy", "Always"),
    ("PriorityClass", "/metadata/name", "system-high"),
    ("PriorityClass", "/metadata/name", "system-cluster-critical"),
    ("ResourceQuota", "/spec/hard/requests.cpu", "-1"),
    ("ResourceQuota", "/spec/hard/pods", "1.5"),
    ("ResourceQuota", "/spec/hard/cpu", "1.5"),
    ("ResourceQuota", "/spec/hard/example.com~1widgets", "1"),
    ("ResourceQuota", "/spec/hard/Bad Resource", "1"),
    ("ResourceQuota", "/spec/hard/requests.example.com~1gpu", "1"),
    ("ResourceQuota", "/spec/scopes", ["BestEffort"]),
    ("ResourceQuota", "/spec/scopes", ["NotBestEffort", "Terminating"]),
    ("ResourceQuota", "/spec/scopes", ["Sometimes"]),
    ("ResourceQuota", "/spec/scopes", ["PriorityClass"]),
    ("ResourceQuota", "/spec/scopeSelector/matchExpressions/0/operator", "Exists"),
    ("ResourceQuota", "/spec/scopeSelector/matchExpressions/0/scopeName", "Terminating"),
    ("ResourceQuota", "/spec/scopeSelector/matchExpressions/0/scopeName", "Bad"),
    ("ResourceQuota", "/spec/scopeSelector/matchExpressions/0/values", []),
    ("LimitRange", "/spec/limits/0/min/cpu", "1"),
    ("LimitRange", "/spec/limits/0/max/cpu", "10m"),
    ("LimitRange", "/spec/limits/0/default/cpu", "3"),
    ("LimitRange", "/spec/limits/0/defaultRequest/cpu", "1"),
    ("LimitRange", "/spec/limits/0/defaultRequest/memory", "32Mi"),
    ("LimitRange", "/spec/limits/0/maxLimitRequestRatio/cpu", "0.5"),
    ("LimitRange", "/spec/limits/0/min/storage", "1Gi"),
    ("LimitRange", "/spec/limits/1/default", {"cpu": "1"}),
    ("LimitRange", "/spec/limits/1/defaultRequest", {"cpu": "1"}),
    ("LimitRange", "/spec/limits/2/max", {"storage": "500Mi"}),
    ("LimitRange", "/spec/limits/2/type", "Volume"),
    ("LimitRange", "/spec/limits/0/max/example.com~1widget", "1"),
    ("LimitRange", "/spec/limits/0/max/Bad Res", "1"),
    ("$w", "/clientConfig/url", "http://hooks.example.com/check"),
    ("$w", "/clientConfig/url", "https://hooks.example.com/check?x=1"),
    ("$w", "/clientConfig/url", "https://hooks.example.com/check#f"),
    ("$w", "/clientConfig/url", "https://user@hooks.example.com/check"),
    ("$w", "/clientConfig/url", "hooks.example.com/check"),
    ("$w", "/clientConfig/service", {"namespace": "hooks", "name": "check"}),
    ("$w", "/clientConfig/caBundle", "Y2E="),
    ("$w", "/clientConfig/caBundle", [45, 45]),
    ("$w", "/clientConfig/caBundle", [-1]),
    ("$w", "/name", "check"),
    ("$w", "/name", "Check.example.com"),
    ("$w", "/timeoutSeconds", 31),
    ("$w", "/timeoutSeconds", 0),
    ("$w", "/sideEffects", "Some"),
    ("$w", "/sideEffects", "Unknown"),
    ("$w", "/failurePolicy", "Retry"),
    ("$w", "/matchPolicy", "Loose"),
    ("$w", "/reinvocationPolicy", "Always"),
    ("$w", "/admissionReviewVersions", ["v2"]),
    ("$w", "/admissionReviewVersions", ["v1", "v1"]),
    ("$w", "/admissionReviewVersions", ["v1beta1", "v2"]),
    ("$w", "/rules/0/operations", ["CONNECT"]),
    ("$w", "/rules/0/operations", ["*", "CREATE"]),
    ("$w", "/rules/0/operations", ["READ"]),
    ("$w", "/rules/0/resources", ["*/*"]),
    ("$w", "/rules/0/resources", ["pods/*"]),
    ("$w", "/rules/0/resources", ["*", "pods"]),
    ("$w", "/rules/0/resources", ["*/status", "pods/status"]),
    ("$w", "/rules/0/resources", ["pods/"]),
    ("$w", "/rules/0/apiGroups", ["*", "apps"]),
    ("$w", "/rules/0/apiVersions", ["*", "v1"]),
    ("$w", "/rules/0/apiVersions", ["v1/x"]),
    ("$w", "/rules/0/scope", "Cluster"),
    ("$w", "/rules/0/scope", "Global"),
    ("$w", "/matchConditions/0/expression", "1 +"),
    ("$w", "/matchConditions/0/expression", "'x'"),
    ("$w", "/matchConditions/0/name", "Bad Name"),
    ("$w", "/matchConditions", [{"name": "a", "expression": "true"}] * 2),
    ("$w", "/namespaceSelector/matchExpressions", [{"key": "x", "operator": "In"}]),
)


@dataclass(frozen=True)
class ObjectMutation(Mutation):
    """A mutation of a kind without a pod spec: its signature starts with the kind."""

    @property
    def signature(self) -> str:
        return f"{self.kind} {super().signature}"


WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


def generate(seed: int, count: int) -> list[tuple[Mutation, dict[str, Any]]]:
    """``count`` distinct mutated objects, each with the mutation that made it."""
    return harness.generate(seed, count, bases(), _addition, ObjectMutation)


def _addition(generator: random.Random, kind: str) -> ObjectMutation | None:
    own = [(k, p, v) for k, p, v in ADDITIONS if k == kind or (k == "$w" and kind in
           WEBHOOK_KINDS)]  # fmt: skip
    if not own:
        return None
    target, pointer, value = generator.choice(own)
    if target == "$w":
        pointer = "/webhooks/0" + pointer
    return ObjectMutation(kind, "add", pointer, value)
