"""The manifests that deploy the webhook: the objects as data, printed as one YAML stream."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from typing import Any

from podlint import __version__
from podlint.model.version import LATEST, KubeVersion

NAME = "podlint-webhook"
LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "admission-webhook"}
PORT = 8443
SHUTDOWN_DELAY = 5
DEFAULT_CONFIG = """\
# podlint webhook configuration (reloaded when this ConfigMap changes).
failure-mode: deny
default: {policy: default, mode: enforce}
namespaces: []
exemptions:
  usernames: []
  namespaces: []
  runtimeClasses: []
"""
# A namespace with this label (any value) is never sent to the webhook, as Gatekeeper's
# admission.gatekeeper.sh/ignore.
OPT_OUT_LABEL = "admission.podlint.io/ignore"
FAILURE_POLICY_NOTE = (
    "failurePolicy: Fail refuses Pods while no replica answers (safe, but an outage of this "
    "webhook blocks Pod creation outside the excluded namespaces); Ignore admits them unchecked. "
    "Start with Ignore during rollout, switch to Fail once two replicas run. The workloads "
    f"webhook never denies and always ignores an outage. Opt a namespace out with the label "
    f"{OPT_OUT_LABEL}."
)
# The kubelet's mirror Pods of static Pods run whatever the answer; Kyverno excludes them too.
DEFAULT_EXCLUDED_GROUPS = ("system:nodes",)
# matchConditions: beta and on by default since 1.28, GA in 1.30.
MATCH_CONDITIONS_SINCE = KubeVersion(1, 28)


def objects(
    namespace: str,
    image: str,
    ca_pem: bytes | None,
    failure_policy: str = "Fail",
    service: str = NAME,
    *,
    url: str | None = None,
    kubernetes_version: KubeVersion = LATEST,
    excluded_groups: Sequence[str] = DEFAULT_EXCLUDED_GROUPS,
    excluded_users: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Everything a cluster needs; with url, the apiserver calls that address (a webhook
    outside the cluster) instead of the Service."""
    selector = {"app.kubernetes.io/name": NAME}
    # Pod Security Admission holds the webhook's own Pods to what the webhook asks of others.
    namespace_object = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace,
            "labels": {
                f"pod-security.kubernetes.io/{mode}": "restricted"
                for mode in ("enforce", "warn", "audit")
            },
        },
    }
    service_account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": NAME, "namespace": namespace, "labels": LABELS},
        "automountServiceAccountToken": False,
    }
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{NAME}-config", "namespace": namespace, "labels": LABELS},
        "data": {"config.yaml": DEFAULT_CONFIG},
    }
    probe_base = {"scheme": "HTTPS", "port": "https"}
    container = {
        "name": "webhook",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": [
            "webhook",
            "serve",
            "--tls-cert=/etc/podlint/tls/tls.crt",
            "--tls-key=/etc/podlint/tls/tls.key",
            "--config=/etc/podlint/config/config.yaml",
            f"--port={PORT}",
            f"--shutdown-delay={SHUTDOWN_DELAY}",
        ],
        "ports": [{"name": "https", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": {
            "httpGet": {"path": "/readyz", **probe_base},
            "periodSeconds": 2,
            "failureThreshold": 1,
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", **probe_base},
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "1", "memory": "256Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 65532,
            "runAsGroup": 65532,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "tls", "mountPath": "/etc/podlint/tls", "readOnly": True},
            {"name": "config", "mountPath": "/etc/podlint/config", "readOnly": True},
        ],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": namespace, "labels": LABELS},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": selector},
            # Never fewer ready replicas than wanted during a rollout.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {
                    "serviceAccountName": NAME,
                    "automountServiceAccountToken": False,
                    # Longer than --shutdown-delay plus the apiserver's webhook timeout.
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector},
                        }
                    ],
                    "containers": [container],
                    "volumes": [
                        {"name": "tls", "secret": {"secretName": f"{NAME}-tls"}},
                        {"name": "config", "configMap": {"name": f"{NAME}-config"}},
                    ],
                },
            },
        },
    }
    budget = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": NAME, "namespace": namespace, "labels": LABELS},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": selector}},
    }
    service_object = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": service, "namespace": namespace, "labels": LABELS},
        "spec": {
            "selector": selector,
            "ports": [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}],
        },
    }
    client_config: dict[str, Any] = (
        {"url": url}
        if url is not None
        else {
            "service": {"name": service, "namespace": namespace, "path": "/validate", "port": 443}
        }
    )
    metadata: dict[str, Any] = {"name": f"{NAME}.podlint.io", "labels": LABELS}
    if ca_pem is not None:
        client_config["caBundle"] = base64.b64encode(ca_pem).decode("ascii")
    else:
        metadata["annotations"] = {"cert-manager.io/inject-ca-from": f"{namespace}/{NAME}"}
    excluded = [
        {
            "key": "kubernetes.io/metadata.name",
            "operator": "NotIn",
            "values": sorted({"kube-system", namespace}),
        },
        {"key": OPT_OUT_LABEL, "operator": "DoesNotExist"},
    ]
    conditions = (
        match_conditions(excluded_groups, excluded_users)
        if kubernetes_version >= MATCH_CONDITIONS_SINCE
        else []
    )

    def webhook(name: str, rules: list[dict[str, Any]], failure: str) -> dict[str, Any]:
        hook = {
            "name": name,
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "timeoutSeconds": 5,
            "failurePolicy": failure,
            "matchPolicy": "Equivalent",
            "namespaceSelector": {"matchExpressions": excluded},
            "clientConfig": client_config,
            "rules": rules,
        }
        if conditions:
            hook["matchConditions"] = conditions
        return hook

    configuration = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": metadata,
        "webhooks": [
            webhook(
                "pods.podlint.io",
                [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["pods", "pods/ephemeralcontainers"],
                        "scope": "Namespaced",
                    }
                ],
                failure_policy,
            ),
            # Never denies (workloads are warned), so an outage must not block them either.
            webhook(
                "workloads.podlint.io",
                [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["replicationcontrollers", "podtemplates"],
                        "scope": "Namespaced",
                    },
                    {
                        "apiGroups": ["apps"],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"],
                        "scope": "Namespaced",
                    },
                    {
                        "apiGroups": ["batch"],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["jobs", "cronjobs"],
                        "scope": "Namespaced",
                    },
                ],
                "Ignore",
            ),
        ],
    }
    result: list[dict[str, Any]] = [
        namespace_object,
        service_account,
        config_map,
        deployment,
        budget,
        service_object,
    ]
    if ca_pem is None:
        result += _cert_manager(namespace, service)
    result.append(configuration)
    return result


def match_conditions(groups: Sequence[str], users: Sequence[str]) -> list[dict[str, str]]:
    """CEL conditions that keep requests from the named groups and users away."""
    conditions = []
    if groups:
        listed = ", ".join(json.dumps(group) for group in groups)
        conditions.append(
            {
                "name": "exclude-groups",
                "expression": "!(has(request.userInfo.groups) && "
                f"request.userInfo.groups.exists(g, g in [{listed}]))",
            }
        )
    if users:
        listed = ", ".join(json.dumps(user) for user in users)
        conditions.append(
            {"name": "exclude-users", "expression": f"!(request.userInfo.username in [{listed}])"}
        )
    return conditions


def _cert_manager(namespace: str, service: str) -> list[dict[str, Any]]:
    """A self-signed issuer and the serving certificate, rotated by cert-manager."""
    return [
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Issuer",
            "metadata": {"name": NAME, "namespace": namespace, "labels": LABELS},
            "spec": {"selfSigned": {}},
        },
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": {"name": NAME, "namespace": namespace, "labels": LABELS},
            "spec": {
                "secretName": f"{NAME}-tls",
                "dnsNames": [
                    f"{service}.{namespace}.svc",
                    f"{service}.{namespace}.svc.cluster.local",
                ],
                "issuerRef": {"kind": "Issuer", "name": NAME},
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            },
        },
    ]


def default_image() -> str:
    return f"ghcr.io/podlint/podlint:{__version__}"


def render(items: list[dict[str, Any]]) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import LiteralScalarString

    yaml = YAML(typ="rt")
    yaml.representer.ignore_aliases = lambda data: True  # shared label dicts, written out
    yaml.width = 4096  # CEL expressions on one line
    stream = io.StringIO()
    stream.write(f"# podlint webhook {__version__}\n# {FAILURE_POLICY_NOTE}\n")
    for item in items:
        if item["kind"] == "ConfigMap":
            item = {**item, "data": {k: LiteralScalarString(v) for k, v in item["data"].items()}}
        stream.write("---\n")
        yaml.dump(item, stream)
    return stream.getvalue()
