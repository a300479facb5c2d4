"""Workload updates (k8s-validation.md §5): selectors, StatefulSet spec, Job spec and template.

CronJob, ReplicationController and PodTemplate have no immutable spec field, so nothing here
applies to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping, sequence, what_changed, where
from podlint.update.compare import Change, changes, normalize
from podlint.update.defaults import job_specs, pod_specs, statefulset_specs

_APPS_SELECTOR_KINDS = ("Deployment", "ReplicaSet", "DaemonSet")
STATEFULSET_ORDINALS = KubeVersion(1, 27)
STATEFULSET_HISTORY_LIMIT = KubeVersion(1, 33)
ELASTIC_INDEXED_JOB = KubeVersion(1, 27)
SUSPENDED_JOB_RESOURCES = KubeVersion(1, 36)
# Job spec fields that never change, and the first version whose apiserver keeps them (a
# field of a feature gate that is off by default is dropped on update, not refused).
JOB_IMMUTABLE_SINCE: dict[str, KubeVersion] = {
    "completionMode": KubeVersion(1, 25),
    "podFailurePolicy": KubeVersion(1, 26),
    "backoffLimitPerIndex": KubeVersion(1, 29),
    "successPolicy": KubeVersion(1, 31),
    "managedBy": KubeVersion(1, 32),
}


def _spec_pair(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return normalize(mapping(old.get("spec"))), normalize(mapping(new.get("spec")))


def _same_kind(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str] | None:
    kind = kind_of(new)
    return kind if kind == kind_of(old) else None


def statefulset_mutable(version: KubeVersion) -> tuple[str, ...]:
    """The StatefulSet spec fields an update may change, in the apiserver's message order."""
    fields = ["replicas"]
    if version >= STATEFULSET_ORDINALS:
        fields.append("ordinals")
    fields += ["template", "updateStrategy"]
    if version >= STATEFULSET_HISTORY_LIMIT:
        fields.append("revisionHistoryLimit")
    if version >= STATEFULSET_ORDINALS:
        fields.append("persistentVolumeClaimRetentionPolicy")
    fields.append("minReadySeconds")
    return tuple(fields)


def statefulset_forbidden(version: KubeVersion) -> str:
    fields = [f"'{name}'" for name in statefulset_mutable(version)]
    listed = ", ".join(fields[:-1]) + f" and {fields[-1]}"
    return f"updates to statefulset spec for fields other than {listed} are forbidden"


_ORPHAN = (
    "delete the {kind} with kubectl delete {resource} {name} --cascade=orphan (its Pods keep "
    "running{volumes}) and apply it again"
)


def _orphan(kind: str, name: str) -> str:
    volumes = " and its volumes stay" if kind == "StatefulSet" else ""
    return _ORPHAN.format(kind=kind, resource=kind.lower(), name=name or "NAME", volumes=volumes)


def _name(obj: dict[str, Any]) -> str:
    value = mapping(obj.get("metadata")).get("name")
    return value if isinstance(value, str) else ""


def selector(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    kind = _same_kind(old, new)
    if kind is None:
        return
    group, name = kind
    if not (
        (group == "apps" and name in (*_APPS_SELECTOR_KINDS, "StatefulSet"))
        or (group == "batch" and name == "Job")
    ):
        return
    old_spec, new_spec = _spec_pair(old, new)
    pointer = join(base, "spec", "selector")
    for change in changes(old_spec.get("selector"), new_spec.get("selector"), pointer):
        if change.pointer == pointer and change.new is None:
            change = Change(pointer, change.old, None, join(base, "spec"))
        if name == "StatefulSet":
            said = f"{statefulset_forbidden(version)} (Forbidden on spec)"
            advice = _orphan(name, _name(new))
        elif name == "Job":
            said = "field is immutable (Invalid on spec.selector)"
            advice = "delete the Job and create it again, or give it a new name"
        else:
            said = "field is immutable (Invalid on spec.selector)"
            advice = f"create the {name} under a new name, or {_orphan(name, _name(new))}"
        yield Finding(where(change), f"{what_changed(change, base)}: {said}; {advice}")


def statefulset_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if _same_kind(old, new) != ("apps", "StatefulSet"):
        return
    old_spec, new_spec = _spec_pair(old, new)
    statefulset_specs(old_spec, new_spec)
    # Reported by immutable-selector; ordinals and the retention policy are dropped by older
    # apiservers (their gates are off), so they are never refused.
    ignored = {*statefulset_mutable(version), "selector", "ordinals"}
    ignored.add("persistentVolumeClaimRetentionPolicy")
    for key in ignored:
        old_spec.pop(key, None)
        new_spec.pop(key, None)
    said = f"{statefulset_forbidden(version)} (Forbidden on spec)"
    for change in changes(old_spec, new_spec, join(base, "spec")):
        advice = _orphan("StatefulSet", _name(new))
        if "/volumeClaimTemplates/" in change.pointer and change.pointer.endswith("/storage"):
            advice = (
                "to grow the volumes, resize each PersistentVolumeClaim (kubectl patch pvc), then "
                + advice
            )
        yield Finding(where(change), f"{what_changed(change, base)}: {said}; {advice}")


def job_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if _same_kind(old, new) != ("batch", "Job"):
        return
    old_spec, new_spec = _spec_pair(old, new)
    job_specs(old_spec, new_spec)
    spec = join(base, "spec")
    advice = "delete the Job and create it again (kubectl replace --force), or give it a new name"
    for key, since in JOB_IMMUTABLE_SINCE.items():
        if version < since:
            continue
        for change in changes(old_spec.get(key), new_spec.get(key), join(spec, key)):
            if change.pointer == join(spec, key) and change.new is None:
                change = Change(change.pointer, change.old, None, spec)
            yield Finding(
                where(change),
                f"{what_changed(change, base)}: field is immutable (Invalid on spec.{key}); "
                f"{advice}",
            )
    before, after = old_spec.get("completions"), new_spec.get("completions")
    if before == after:
        return
    change = Change(
        join(spec, "completions"),
        before,
        after,
        spec if after is None else join(spec, "completions"),
    )
    indexed = new_spec.get("completionMode") == "Indexed"
    if indexed and version >= ELASTIC_INDEXED_JOB:
        if after is not None and after == new_spec.get("parallelism"):
            return
        yield Finding(
            where(change),
            f"{what_changed(change, base)}: can only be modified in tandem with "
            "spec.parallelism (Invalid); set spec.completions and spec.parallelism to the same "
            "value to scale an Indexed Job",
        )
        return
    yield Finding(
        where(change),
        f"{what_changed(change, base)}: field is immutable (Invalid on spec.completions); {advice}",
    )


def job_template(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if _same_kind(old, new) != ("batch", "Job"):
        return
    old_template = normalize(mapping(mapping(old.get("spec")).get("template")))
    new_template = normalize(mapping(mapping(new.get("spec")).get("template")))
    for template in (old_template, new_template):
        template["spec"] = mapping(template.get("spec"))
        template["metadata"] = mapping(template.get("metadata"))
    pod_specs(old_template["spec"], new_template["spec"], is_pod=False)

    suspended = mapping(old.get("spec")).get("suspend") is True
    status = mapping(old.get("status"))
    never_started = not status.get("startTime")
    safely_suspended = _condition_true(status, "Suspended") and not status.get("active")
    scheduling = suspended and never_started
    resources = False
    if version >= SUSPENDED_JOB_RESOURCES and suspended and (never_started or safely_suspended):
        scheduling = resources = True
    if scheduling:
        _allow_scheduling_changes(old_template, new_template)
    if resources:
        _allow_resource_changes(old_template["spec"], new_template["spec"])

    pointer = join(base, "spec", "template")
    for change in changes(normalize(old_template), normalize(new_template), pointer):
        yield Finding(where(change), _job_template_message(change, base, version, suspended))


_SCHEDULING = ("nodeSelector", "tolerations", "schedulingGates")


def _allow_scheduling_changes(old: dict[str, Any], new: dict[str, Any]) -> None:
    for key in ("labels", "annotations"):
        _copy(new["metadata"], old["metadata"], key)
    for key in _SCHEDULING:
        _copy(new["spec"], old["spec"], key)
    node_affinity = mapping(new["spec"].get("affinity")).get("nodeAffinity")
    affinity = old["spec"].setdefault("affinity", {})
    if isinstance(affinity, dict):
        if node_affinity is None:
            affinity.pop("nodeAffinity", None)
        else:
            affinity["nodeAffinity"] = node_affinity


def _allow_resource_changes(old: dict[str, Any], new: dict[str, Any]) -> None:
    for list_name in ("containers", "initContainers"):
        for a, b in zip(sequence(old.get(list_name)), sequence(new.get(list_name)), strict=False):
            if not isinstance(a, dict) or not isinstance(b, dict):
                continue
            resources = mapping(b.get("resources"))
            target = a.setdefault("resources", {})
            if isinstance(target, dict):
                for key in ("requests", "limits", "claims"):
                    _copy(resources, target, key)


def _copy(source: dict[str, Any], target: dict[str, Any], key: str) -> None:
    if key in source:
        target[key] = source[key]
    else:
        target.pop(key, None)


def _condition_true(status: dict[str, Any], kind: str) -> bool:
    conditions = status.get("conditions")
    if not isinstance(conditions, list):
        return False
    return any(
        isinstance(c, dict) and c.get("type") == kind and c.get("status") == "True"
        for c in conditions
    )


def _job_template_message(change: Change, base: str, version: KubeVersion, suspended: bool) -> str:
    relative = change.pointer[len(join(base, "spec", "template")) :]
    said = "field is immutable (Invalid on spec.template)"
    advice = "delete the Job and create it again (kubectl replace --force), or give it a new name"
    scheduling = relative.startswith(("/metadata/", "/spec/affinity/nodeAffinity")) or any(
        relative.startswith(f"/spec/{key}") for key in _SCHEDULING
    )
    resource = "/resources" in relative and relative.startswith(
        ("/spec/containers/", "/spec/initContainers/")
    )
    if scheduling and not suspended:
        advice = (
            "labels, annotations, nodeSelector, node affinity, tolerations and scheduling "
            "gates may change only while the Job is suspended and has not started; " + advice
        )
    elif resource and version >= SUSPENDED_JOB_RESOURCES and not suspended:
        advice = "container resources may change only while the Job is suspended; " + advice
    return f"{what_changed(change, base)}: {said}; {advice}"
