"""What the apiserver refuses in the metadata of Pods, workloads and their pod templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import is_live
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

TEMPLATE_METADATA = {
    "PodTemplate": "/template/metadata",
    "ReplicationController": "/spec/template/metadata",
    "ReplicaSet": "/spec/template/metadata",
    "Deployment": "/spec/template/metadata",
    "StatefulSet": "/spec/template/metadata",
    "DaemonSet": "/spec/template/metadata",
    "Job": "/spec/template/metadata",
    "CronJob": "/spec/jobTemplate/spec/template/metadata",
}
CRONJOB_NAME_MAX = 52


def metadata(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Object name, generateName, namespace, labels and annotation keys; template labels."""
    meta = obj.data.get("metadata")
    if meta is None:
        meta = {}  # absent or null: no name either
    if not isinstance(meta, dict):
        return
    at = obj.at("metadata")
    name, generate = meta.get("name"), meta.get("generateName")
    if name in (None, "") and generate in (None, ""):
        yield Finding(at, "metadata.name or metadata.generateName is required")
    if isinstance(name, str) and name and not is_live(obj.data):  # names are checked on create
        label_names = obj.kind == "StatefulSet" and ctx.kubernetes_version >= KubeVersion(1, 27)
        check = formats.dns1123_label if label_names else formats.dns1123_subdomain
        for problem in check(name):
            yield Finding(join(at, "name"), f'{obj.kind} name "{name}" {problem}')
        if obj.kind == "CronJob" and len(name) > CRONJOB_NAME_MAX:
            yield Finding(
                join(at, "name"),
                f'CronJob name "{name}" must be no more than {CRONJOB_NAME_MAX} characters',
            )
    # A ReplicationController's generateName is not validated (only the name made from it).
    if isinstance(generate, str) and generate and obj.kind != "ReplicationController":
        for problem in formats.name_prefix(generate):
            yield Finding(join(at, "generateName"), f'generateName "{generate}" {problem}')
    finalizers = meta.get("finalizers")
    if finalizers:
        yield from _finalizers(finalizers, join(at, "finalizers"))
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        for problem in formats.dns1123_label(namespace):
            yield Finding(join(at, "namespace"), f'namespace "{namespace}" {problem}')
    yield from labels_and_annotations(meta, at, "metadata")
    template = TEMPLATE_METADATA.get(obj.kind)
    if template is None:
        return
    template_meta = _resolve(obj.data, template)
    if isinstance(template_meta, dict):
        yield from labels_and_annotations(
            template_meta, obj.at(*template.strip("/").split("/")), "template metadata"
        )


def _resolve(data: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def finalizer_problems(name: str) -> list[str]:
    """A qualified name, with a domain prefix unless it is a standard finalizer."""
    problems = formats.qualified_name(name)
    if not problems and "/" not in name and name not in STANDARD_FINALIZERS:
        return [
            "is neither a standard finalizer name nor fully qualified "
            '(such as "example.com/cleanup")'
        ]
    return problems


def _finalizers(finalizers: Any, at: str) -> Iterator[Finding]:
    if not isinstance(finalizers, list):
        return
    for index, name in enumerate(finalizers):
        if isinstance(name, str):
            for problem in finalizer_problems(name):
                separator = " " if problem.startswith("is neither") else ": "
                yield Finding(join(at, index), f'finalizer "{name}"{separator}{problem}')


def labels_and_annotations(meta: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    labels = meta.get("labels")
    if isinstance(labels, dict):
        for key, value in labels.items():
            for problem in formats.qualified_name(str(key)):
                yield Finding(
                    join(at, "labels", key), f'{where} label key "{key}": {problem}', key=True
                )
            if isinstance(value, str):
                for problem in formats.label_value(value):
                    yield Finding(
                        join(at, "labels", key), f'{where} label "{key}" value "{value}": {problem}'
                    )
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        total = 0
        for key, value in annotations.items():
            for problem in formats.qualified_name(str(key).lower()):
                yield Finding(
                    join(at, "annotations", key),
                    f'{where} annotation key "{key}": {problem}',
                    key=True,
                )
            total += len(str(key)) + (len(value) if isinstance(value, str) else 0)
        if total > 256 * 1024:
            yield Finding(
                join(at, "annotations"),
                f"{where} annotations may not exceed 256 KiB in total (Too long)",
            )
