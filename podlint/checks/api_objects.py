"""What the apiserver refuses in the metadata of the kinds beside workloads: names (each kind
has its own name rule), the namespace of namespaced kinds, labels and annotations; and the
subjects of RBAC bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from podlint.checks._api import is_live, items, listed, mapping, text
from podlint.checks._objects import invalid, required, selector, unsupported
from podlint.checks.api_meta import finalizer_problems, labels_and_annotations
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

RBAC_GROUP = "rbac.authorization.k8s.io"
ADMISSION_GROUP = "admissionregistration.k8s.io"


# (group, kind) -> the rule its name follows; the group is "" for the core API.
NAME_RULES: dict[tuple[str, str], Callable[[str], list[str]]] = {
    ("", "Namespace"): formats.dns1123_label,
    ("", "Service"): formats.dns1035_label,
    ("", "ConfigMap"): formats.dns1123_subdomain,
    ("", "Secret"): formats.dns1123_subdomain,
    ("", "ServiceAccount"): formats.dns1123_subdomain,
    ("", "PersistentVolume"): formats.dns1123_subdomain,
    ("", "PersistentVolumeClaim"): formats.dns1123_subdomain,
    ("networking.k8s.io", "Ingress"): formats.dns1123_subdomain,
    (RBAC_GROUP, "Role"): formats.path_segment,
    (RBAC_GROUP, "ClusterRole"): formats.path_segment,
    (RBAC_GROUP, "RoleBinding"): formats.path_segment,
    (RBAC_GROUP, "ClusterRoleBinding"): formats.path_segment,
    ("", "ResourceQuota"): formats.dns1123_subdomain,
    ("", "LimitRange"): formats.dns1123_subdomain,
    ("networking.k8s.io", "NetworkPolicy"): formats.dns1123_subdomain,
    ("networking.k8s.io", "IngressClass"): formats.dns1123_subdomain,
    ("storage.k8s.io", "StorageClass"): formats.dns1123_subdomain,
    ("autoscaling", "HorizontalPodAutoscaler"): formats.dns1123_subdomain,
    # Only the path-segment rule every object's name follows.
    ("policy", "PodDisruptionBudget"): formats.path_segment,
    ("scheduling.k8s.io", "PriorityClass"): formats.dns1123_subdomain,
    (ADMISSION_GROUP, "ValidatingWebhookConfiguration"): formats.dns1123_subdomain,
    (ADMISSION_GROUP, "MutatingWebhookConfiguration"): formats.dns1123_subdomain,
}
# Kinds whose name the apiserver makes up when it is missing.
NAME_OPTIONAL = {("", "LimitRange")}
# The namespace of a cluster-scoped object is dropped, never judged.
NAMESPACED = {
    ("", "Service"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "ServiceAccount"),
    ("", "PersistentVolumeClaim"),
    ("networking.k8s.io", "Ingress"),
    (RBAC_GROUP, "Role"),
    (RBAC_GROUP, "RoleBinding"),
    ("", "ResourceQuota"),
    ("", "LimitRange"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
}


def _group(api_version: str | None) -> str | None:
    if not api_version:
        return None
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def object_metadata(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Name (by the kind's rule), namespace, labels and annotations."""
    group = _group(obj.api_version)
    key = (group or "", obj.kind or "")
    name_rule = NAME_RULES.get(key)
    if group is None or name_rule is None:
        return
    meta = obj.data.get("metadata")
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        return
    at = obj.at("metadata")
    name, generate = meta.get("name"), meta.get("generateName")
    if name in (None, "") and generate in (None, "") and key not in NAME_OPTIONAL:
        yield Finding(at, "metadata.name or metadata.generateName is required")
    if isinstance(name, str) and name and not is_live(obj.data):
        for problem in name_rule(name):
            yield Finding(join(at, "name"), f'{obj.kind} name "{name}" {problem}')
    namespace = meta.get("namespace")
    if key in NAMESPACED and isinstance(namespace, str) and namespace:
        for problem in formats.dns1123_label(namespace):
            yield Finding(join(at, "namespace"), f'namespace "{namespace}" {problem}')
    yield from labels_and_annotations(meta, at, "metadata")


def rbac(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Roles and ClusterRoles: their rules and aggregation; bindings: roleRef and subjects."""
    if _group(obj.api_version) != RBAC_GROUP:
        return
    if obj.kind in ("Role", "ClusterRole"):
        yield from _policy_rules(obj)
    else:
        yield from _role_ref(obj)
        yield from binding_subjects(obj)


def _policy_rules(obj: ObjectView) -> Iterator[Finding]:
    namespaced = obj.kind == "Role"
    for index, rule in items(obj.data.get("rules")):
        at, where = obj.at("rules", str(index)), f"rules[{index}]"
        if not listed(rule.get("verbs")):
            yield required(
                join(at, "verbs"), f"{where}.verbs", "verbs must contain at least one value"
            )
        urls = listed(rule.get("nonResourceURLs"))
        if urls:
            shown_urls = "[" + ",".join(f'"{u}"' for u in urls) + "]"
            u_at, u_where = join(at, "nonResourceURLs"), f"{where}.nonResourceURLs"
            if namespaced:
                yield Finding(
                    u_at,
                    f"{u_where}: Invalid value: {shown_urls}: namespaced rules "
                    "cannot apply to non-resource URLs",
                )
            if listed(rule.get("apiGroups")) or listed(rule.get("resources")):
                yield Finding(
                    u_at,
                    f"{u_where}: Invalid value: {shown_urls}: rules cannot "
                    "apply to both regular resources and non-resource URLs",
                )
            continue
        if not listed(rule.get("apiGroups")):
            yield required(
                join(at, "apiGroups"),
                f"{where}.apiGroups",
                "resource rules must supply at least one api group",
            )
        if not listed(rule.get("resources")):
            yield required(
                join(at, "resources"),
                f"{where}.resources",
                "resource rules must supply at least one resource",
            )
    aggregation = obj.data.get("aggregationRule")
    if obj.kind == "ClusterRole" and isinstance(aggregation, dict):
        at = obj.at("aggregationRule", "clusterRoleSelectors")
        where = "aggregationRule.clusterRoleSelectors"
        if not listed(aggregation.get("clusterRoleSelectors")):
            yield required(
                at, where, "at least one clusterRoleSelector required if aggregationRule is non-nil"
            )
        for index, chosen in items(aggregation.get("clusterRoleSelectors")):
            yield from selector(chosen, join(at, index), f"{where}[{index}]")


def _role_ref(obj: ObjectView) -> Iterator[Finding]:
    ref = obj.data.get("roleRef")
    ref = {} if ref is None else ref
    if not isinstance(ref, dict):
        return
    at = obj.at("roleRef")
    group = ref.get("apiGroup")
    if isinstance(group, str) and group not in ("", RBAC_GROUP):  # "" is defaulted
        yield unsupported(join(at, "apiGroup"), "roleRef.apiGroup", group, (RBAC_GROUP,))
    kinds = ("Role", "ClusterRole") if obj.kind == "RoleBinding" else ("ClusterRole",)
    kind = ref.get("kind")
    if (kind is None or isinstance(kind, str)) and kind not in kinds:
        yield unsupported(join(at, "kind"), "roleRef.kind", kind or "", kinds)
    name = ref.get("name")
    if name in (None, ""):
        yield required(join(at, "name"), "roleRef.name")
    elif isinstance(name, str):
        for problem in formats.path_segment(name):
            yield invalid(join(at, "name"), "roleRef.name", name, problem)


def binding_subjects(obj: ObjectView) -> Iterator[Finding]:
    """Subjects of RoleBindings and ClusterRoleBindings: kind, apiGroup, name, namespace."""
    cluster_wide = obj.kind == "ClusterRoleBinding"
    for index, subject in items(obj.data.get("subjects")):
        where = f"subjects[{index}]"
        at = obj.at("subjects", str(index))
        # A missing kind or name is decoded as "", as the apiserver reads it.
        kind = "" if subject.get("kind") is None else text(subject.get("kind"))
        name = text(subject.get("name"))
        api_group = subject.get("apiGroup") or ""
        if subject.get("name") in (None, ""):
            yield Finding(join(at, "name"), f"{where}.name: Required value")
        if kind == "ServiceAccount":
            if name:
                for problem in formats.dns1123_subdomain(name):
                    yield Finding(
                        join(at, "name"),
                        f'{where}.name: Invalid value: "{name}": ServiceAccount name {problem}',
                    )
            if api_group != "":
                yield Finding(
                    join(at, "apiGroup"),
                    f'{where}.apiGroup: Unsupported value: "{api_group}": supported values: ""',
                )
            if cluster_wide and not mapping(subject).get("namespace"):
                yield Finding(
                    at,
                    f"{where}.namespace: Required value: a ServiceAccount subject of a "
                    "ClusterRoleBinding needs its namespace",
                )
        elif kind in ("User", "Group"):
            if api_group not in ("", RBAC_GROUP):  # "" is defaulted to the RBAC group
                yield Finding(
                    join(at, "apiGroup"),
                    f'{where}.apiGroup: Unsupported value: "{api_group}": supported values: '
                    f'"{RBAC_GROUP}"',
                )
        elif kind is not None:
            yield Finding(
                join(at, "kind"),
                f'{where}.kind: Unsupported value: "{kind}": supported values: '
                '"ServiceAccount", "User", "Group"',
            )


def namespace(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """A Namespace's spec.finalizers: each a qualified name, with a domain prefix unless it
    is a standard finalizer (the apiserver names the list, not the item)."""
    if obj.api_version != "v1":
        return
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    for index, name in enumerate(listed(spec.get("finalizers"))):
        if isinstance(name, str) or name is None:
            name = name or ""
            for problem in finalizer_problems(name):
                yield Finding(
                    obj.at("spec", "finalizers", str(index)),
                    f'spec.finalizers: Invalid value: "{name}": {problem}',
                )
