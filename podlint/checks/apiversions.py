"""API versions the target Kubernetes version no longer serves, or warns about."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from podlint.model.finding import Finding
from podlint.model.version import KubeVersion
from podlint.model.views import ObjectView
from podlint.rule import RuleContext


@dataclass(frozen=True, slots=True)
class ApiChange:
    """When an API version was deprecated and removed, and what replaces it."""

    deprecated: KubeVersion
    removed: KubeVersion | None
    replacement: str


def _v(minor: int) -> KubeVersion:
    return KubeVersion(1, minor)


def _table() -> dict[tuple[str, str], ApiChange]:
    """(apiVersion, kind) -> when it was deprecated and removed, from the Kubernetes
    deprecated API migration guide."""
    table: dict[tuple[str, str], ApiChange] = {}

    def add(
        versions: list[str],
        kinds: list[str],
        deprecated: int,
        removed: int | None,
        replacement: str,
    ) -> None:
        for version in versions:
            for kind in kinds:
                table[(version, kind)] = ApiChange(
                    _v(deprecated), _v(removed) if removed else None, replacement
                )

    workloads = ["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "ControllerRevision"]
    add(["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"], workloads, 9, 16, "apps/v1")
    add(["extensions/v1beta1"], ["NetworkPolicy"], 9, 16, "networking.k8s.io/v1")
    add(
        ["extensions/v1beta1"],
        ["PodSecurityPolicy"],
        11,
        16,
        "Pod Security Admission (namespace labels)",
    )
    add(
        ["extensions/v1beta1", "networking.k8s.io/v1beta1"],
        ["Ingress"],
        14,
        22,
        "networking.k8s.io/v1",
    )
    add(["networking.k8s.io/v1beta1"], ["IngressClass"], 19, 22, "networking.k8s.io/v1")
    add(
        ["admissionregistration.k8s.io/v1beta1"],
        ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
        16,
        22,
        "admissionregistration.k8s.io/v1",
    )
    add(
        ["apiextensions.k8s.io/v1beta1"],
        ["CustomResourceDefinition"],
        16,
        22,
        "apiextensions.k8s.io/v1",
    )
    add(["apiregistration.k8s.io/v1beta1"], ["APIService"], 19, 22, "apiregistration.k8s.io/v1")
    add(["authentication.k8s.io/v1beta1"], ["TokenReview"], 19, 22, "authentication.k8s.io/v1")
    add(
        ["authorization.k8s.io/v1beta1"],
        ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"],
        19,
        22,
        "authorization.k8s.io/v1",
    )
    add(
        ["certificates.k8s.io/v1beta1"],
        ["CertificateSigningRequest"],
        19,
        22,
        "certificates.k8s.io/v1",
    )
    add(["coordination.k8s.io/v1beta1"], ["Lease"], 19, 22, "coordination.k8s.io/v1")
    add(
        ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"],
        ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        17,
        22,
        "rbac.authorization.k8s.io/v1",
    )
    add(
        ["scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1alpha1"],
        ["PriorityClass"],
        14,
        22,
        "scheduling.k8s.io/v1",
    )
    add(
        ["storage.k8s.io/v1beta1"],
        ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        19,
        22,
        "storage.k8s.io/v1",
    )
    add(
        ["settings.k8s.io/v1alpha1"],
        ["PodPreset"],
        19,
        20,
        "nothing (PodPreset was removed; use a mutating admission webhook)",
    )
    add(["batch/v1beta1", "batch/v2alpha1"], ["CronJob"], 21, 25, "batch/v1")
    add(["discovery.k8s.io/v1beta1"], ["EndpointSlice"], 21, 25, "discovery.k8s.io/v1")
    add(["events.k8s.io/v1beta1"], ["Event"], 19, 25, "events.k8s.io/v1")
    add(["autoscaling/v2beta1"], ["HorizontalPodAutoscaler"], 22, 25, "autoscaling/v2")
    add(["policy/v1beta1"], ["PodDisruptionBudget"], 21, 25, "policy/v1")
    add(
        ["policy/v1beta1"],
        ["PodSecurityPolicy"],
        21,
        25,
        "Pod Security Admission (namespace labels)",
    )
    add(["node.k8s.io/v1beta1"], ["RuntimeClass"], 20, 25, "node.k8s.io/v1")
    add(["autoscaling/v2beta2"], ["HorizontalPodAutoscaler"], 23, 26, "autoscaling/v2")
    add(
        ["flowcontrol.apiserver.k8s.io/v1beta1"],
        ["FlowSchema", "PriorityLevelConfiguration"],
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1 (v1beta3 before 1.29)",
    )
    add(["storage.k8s.io/v1beta1"], ["CSIStorageCapacity"], 24, 27, "storage.k8s.io/v1")
    add(
        ["flowcontrol.apiserver.k8s.io/v1beta2"],
        ["FlowSchema", "PriorityLevelConfiguration"],
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1 (v1beta3 before 1.29)",
    )
    add(
        ["flowcontrol.apiserver.k8s.io/v1beta3"],
        ["FlowSchema", "PriorityLevelConfiguration"],
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1",
    )
    add(["v1"], ["Endpoints"], 33, None, "discovery.k8s.io/v1 EndpointSlice")
    add(["v1"], ["ComponentStatus"], 19, None, "the apiserver's /livez and /readyz endpoints")
    return table


API_CHANGES = _table()


def _change(obj: ObjectView) -> ApiChange | None:
    return API_CHANGES.get((obj.api_version.strip(), obj.kind))


def is_removed(obj: ObjectView, version: KubeVersion) -> bool:
    """Whether ``version`` no longer serves the object's apiVersion and kind (a removal)."""
    change = _change(obj)
    return change is not None and change.removed is not None and version >= change.removed


def removed_api_version(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    change = _change(obj)
    if change is None or change.removed is None or ctx.kubernetes_version < change.removed:
        return
    yield Finding(
        obj.at("apiVersion"),
        f"{obj.api_version} {obj.kind} is no longer served since Kubernetes {change.removed} "
        f"(target {ctx.kubernetes_version}), so applying it fails; use {change.replacement}",
    )


def deprecated_api_version(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    change = _change(obj)
    version = ctx.kubernetes_version
    if change is None or version < change.deprecated:
        return
    if change.removed is not None and version >= change.removed:
        return
    until = f", and is removed in {change.removed}" if change.removed else ""
    yield Finding(
        obj.at("apiVersion"),
        f"{obj.api_version} {obj.kind} is deprecated since Kubernetes {change.deprecated}"
        f"{until}; use {change.replacement}",
    )
