"""A finding on a kustomize patch must be a finding of the object the patch is merged into.

Every pod-carrying object of ../shared/corpus is cut into the patches kustomize users write:
one field of every container (image, resources, env, probes, ...), one field of a single
container, one pod field (securityContext, volumes, tolerations, ...), the template's
metadata, a workload field (replicas, selector, strategy, ...). Each patch is a subset of the
object, so merged into a base it gives the object back: with every rule enabled, each finding
that stands on the patch (``podlint.fragment``) must be a finding of the whole object, and the
patches must still get findings (the value rules run).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any

from podlint.fragment import fragment_findings
from podlint.model.document import Document
from podlint.runtime import Options, build_engine
from podlint.source.manifest import parse_text
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
POD_SPEC = {"Pod": ("spec",), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}
WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"}
CONTAINER_FIELDS = (
    "image",
    "resources",
    "env",
    "securityContext",
    "ports",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "volumeMounts",
    "command",
    "args",
    "lifecycle",
)
POD_FIELDS = (
    "securityContext",
    "serviceAccountName",
    "volumes",
    "nodeSelector",
    "tolerations",
    "affinity",
    "terminationGracePeriodSeconds",
    "hostNetwork",
    "automountServiceAccountToken",
)
WORKLOAD_FIELDS = ("replicas", "selector", "strategy", "updateStrategy", "serviceName", "schedule")


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _with(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    patched = copy.deepcopy(data)
    node = patched
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = copy.deepcopy(value)
    return patched


def patches(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Subsets of ``obj`` shaped as kustomize patches (they keep apiVersion, kind, name)."""
    at = POD_SPEC.get(obj["kind"], ("spec", "template", "spec"))
    pod = _get(obj, at)
    if not isinstance(pod, dict):
        return
    name = _get(obj, ("metadata", "name")) or "x"
    base = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": {"name": name}}
    lists = {
        key: [c for c in pod.get(key) or [] if isinstance(c, dict)]
        for key in ("initContainers", "containers")
        if isinstance(pod.get(key), list)
    }
    for field in CONTAINER_FIELDS:
        cut = {
            key: [{"name": c.get("name"), **({field: c[field]} if field in c else {})} for c in cs]
            for key, cs in lists.items()
        }
        yield _with(base, at, cut)
        for key, containers in lists.items():
            for container in containers if len(containers) > 1 else []:
                if field in container:
                    one = {key: [{"name": container.get("name"), field: container[field]}]}
                    yield _with(base, at, one)
    for field in POD_FIELDS:
        if field in pod:
            yield _with(base, at, {field: pod[field]})
    template_metadata = (*at[:-1], "metadata")
    if at != ("spec",) and isinstance(_get(obj, template_metadata), dict):
        yield _with(base, template_metadata, _get(obj, template_metadata))
    for field in WORKLOAD_FIELDS:
        if isinstance(obj.get("spec"), dict) and field in obj["spec"]:
            yield _with(base, ("spec", field), obj["spec"][field])


def test_fragment_findings_are_findings_of_the_whole_object() -> None:
    engine = build_engine(Options(select=("*",)))
    rules = engine.registry.rules
    objects = wrong = 0
    kept: Counter[str] = Counter()
    examples: list[str] = []
    for path in sorted(CORPUS.rglob("*.y*ml")):
        for item in parse_text(path.read_text(encoding="utf-8"), str(path)):
            if not isinstance(item, Document) or item.kind not in WORKLOADS or item.pointer:
                continue
            objects += 1
            whole = {(f.rule, f.message) for f in engine.lint_document(item)}
            for data in patches(item.data):
                patch = Document(str(path), 0, data)
                findings = list(engine.lint_document(patch))
                for finding in fragment_findings(findings, [patch], rules):
                    kept[finding.rule] += 1
                    if (finding.rule, finding.message) not in whole:
                        wrong += 1
                        examples.append(f"{path}: {finding.rule}: {finding.message}")
    assert objects > 600
    assert wrong == 0, "\n".join(examples[:20])
    # The value rules still speak on fragments.
    assert {"latest-image-tag", "schema", "pss-privileged", "secret-in-env"} <= set(kept), kept
