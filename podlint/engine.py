"""Runs the enabled rules over documents and yields stamped findings."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from podlint.catalog import rules_dir
from podlint.declarative import schema_check
from podlint.model.configrefs import (
    CLAIM_KINDS,
    INDEXED_KINDS,
    RUN_WIDE,
    ConfigIndex,
    claims_of,
    data_source_of,
    references_of,
)
from podlint.model.document import Document
from podlint.model.finding import Finding, Severity
from podlint.model.kinds import KindMap
from podlint.model.version import LATEST, KubeVersion
from podlint.model.views import ContainerView, ObjectView, PodSpecView
from podlint.model.workloads import WorkloadIndex
from podlint.model.workloads import summarize as summarize_workload
from podlint.policy import RuleSetting
from podlint.registry import Registry
from podlint.rule import CONTAINER_ROLES, Check, Rule, RuleContext
from podlint.source.manifest import SourceItem, SourceProblem

LOG = logging.getLogger(__name__)


class _Deferred:
    """The check of a built-in rule, imported when an object the rule applies to first
    needs it (a run imports the check modules of the kinds it meets). The catalog's tests
    resolve every built-in card's check, so deferring never hides a missing one."""

    __slots__ = ("name", "registry")

    def __init__(self, registry: Registry, name: str) -> None:
        self.registry = registry
        self.name = name

    def resolve(self) -> Check:
        return self.registry.check(self.name)

    def __call__(self, view: Any, context: RuleContext) -> Iterable[Finding]:
        return self.resolve()(view, context)


# Compared by identity only and never printed: no __eq__ or __repr__ to generate at start-up.
@dataclass(frozen=True, eq=False, repr=False)
class _Bound:
    """An enabled rule with its severity, check and options."""

    rule: Rule
    severity: Severity
    check: Check
    context: RuleContext


# Compared by identity only and never printed: no __eq__ or __repr__ to generate at start-up.
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _KindRules:
    """The enabled rules that apply to one kind, by where they run."""

    object_rules: list[_Bound]
    pod_rules: list[_Bound]
    container_rules: dict[str, list[_Bound]]  # by container role; empty when there are none
    deferred: bool  # a cross-object rule targets the kind


def _resolved(bound: _Bound) -> _Bound:
    """``bound`` with its check imported (the kind's rules call it directly)."""
    if isinstance(bound.check, _Deferred):
        return _Bound(bound.rule, bound.severity, bound.check.resolve(), bound.context)
    return bound


def _resolve_all(bounds: list[_Bound]) -> None:
    bounds[:] = [_resolved(bound) for bound in bounds]


class Engine:
    """The enabled rules, bound to their checks and options, for one target version."""

    def __init__(
        self,
        registry: Registry,
        settings: Mapping[str, RuleSetting],
        kubernetes_version: KubeVersion = LATEST,
        kind_map: KindMap | None = None,
    ) -> None:
        self.registry = registry
        self.settings = dict(settings)
        self.kubernetes_version = kubernetes_version
        self.kind_map = kind_map or registry.kind_map()
        self.object_rules: list[_Bound] = []
        self.pod_rules: list[_Bound] = []
        self.container_rules: list[_Bound] = []
        self.cross_rules: list[_Bound] = []
        targets = {
            "object": self.object_rules,
            "pod-spec": self.pod_rules,
            "container": self.container_rules,
            "cross-object": self.cross_rules,
        }
        # Cross-object rules run at the end of a lint run (``finish``), which sets
        # ``collecting``; front doors that see one object at a time never collect.
        self.collecting = False
        self.workloads = WorkloadIndex()
        self.config = ConfigIndex()
        self.deferred: list[Document] = []
        builtin = str(rules_dir())
        for rule_id, setting in sorted(self.settings.items()):
            rule = registry.rules[rule_id]
            if rule.target == "source":
                continue
            params = {**rule.params, **setting.options}
            context = RuleContext(rule.id, params, kubernetes_version)
            check: Check
            if not rule.check:
                check = schema_check(rule)
            elif rule.target != "cross-object" and os.path.dirname(rule.source) == builtin:
                check = _Deferred(registry, rule.check)
            else:  # a plugin's or a project's card: a check it names must exist now
                check = registry.check(rule.check)
            targets[rule.target].append(_Bound(rule, setting.severity, check, context))
        # Cross-object rules that run once on the run's summaries, not on deferred objects.
        self.config_rules = [b for b in self.cross_rules if getattr(b.check, RUN_WIDE, False)]
        self.object_cross_rules = [b for b in self.cross_rules if b not in self.config_rules]
        self._by_kind: dict[str, _KindRules] = {}
        self._pod_checks_ready: set[str] = set()

    def enabled(self, rule_id: str) -> bool:
        return rule_id in self.settings

    def import_checks(self) -> None:
        """Import every enabled rule's check now, for a long-running front door, so that no
        request pays for a kind's first import."""
        for bounds in (self.object_rules, self.pod_rules, self.container_rules):
            _resolve_all(bounds)
        self._by_kind.clear()

    def warm(self) -> None:
        """Load now what the first object of each kind would load (every enabled check, the
        schema of every built-in kind), for a run about to fork worker processes: they then
        start with it instead of each loading it again."""
        self.import_checks()
        if "schema" in self.settings:
            from podlint.k8s.schemas import SchemaUnavailable, version_schemas

            # Without schemas, the schema rule reports it on the first object.
            with contextlib.suppress(SchemaUnavailable):
                version_schemas(self.kubernetes_version).compile_all()

    def lint(self, path: str, items: Iterable[SourceItem]) -> Iterator[Finding]:
        """Findings for the parsed items of one source: documents and problems reading them."""
        for item in items:
            if isinstance(item, SourceProblem):
                setting = self.settings.get(item.rule)
                if setting is not None:
                    yield dataclasses.replace(item.finding(path), severity=setting.severity)
            else:
                yield from self.lint_document(item)

    def lint_document(self, document: Document) -> Iterator[Finding]:
        obj = ObjectView(document)
        kind = obj.kind
        rules = self._rules_for(kind)
        if rules.object_rules:
            yield from self._run_all(rules.object_rules, obj, document)
        collect = self.collecting and bool(self.cross_rules)
        if collect and rules.deferred:
            self.deferred.append(document)
        if collect and self.config_rules and kind in INDEXED_KINDS:
            source = data_source_of(obj)
            if source is not None:
                self.config.add_source(source)
        if collect and self.config_rules and kind in CLAIM_KINDS:
            self.config.add_claims(claims_of(obj))
        pointer = self.kind_map.pod_spec_pointer(obj.api_version, kind)
        if pointer is None:
            return
        pod = obj.pod_spec(pointer)
        if pod is None:
            return
        if kind not in self._pod_checks_ready:
            # the pod-spec and container checks of a kind, imported when it first has a pod
            _resolve_all(rules.pod_rules)
            for role_rules in rules.container_rules.values():
                _resolve_all(role_rules)
            self._pod_checks_ready.add(kind)
        if collect:
            summary = summarize_workload(pod)
            if summary is not None:
                self.workloads.add(summary)
            references = references_of(pod) if self.config_rules else None
            if references is not None:
                self.config.add_pod(references)
        try:
            if rules.pod_rules:
                yield from self._run_all(rules.pod_rules, pod, document)
            for container in pod.containers() if rules.container_rules else ():
                bounds = rules.container_rules.get(container.role)
                if bounds:
                    yield from self._run_all(bounds, container, document)
        finally:
            # The pod's container views point back at it: without this the document's whole
            # node graph would wait for the cyclic collector instead of being freed now.
            pod.release()

    def _run_all(
        self,
        bounds: list[_Bound],
        view: ObjectView | PodSpecView | ContainerView,
        document: Document,
        evidence: str = "the manifest",
    ) -> Iterator[Finding]:
        """Run each of ``bounds`` on one view, in one generator (a document runs dozens of
        rules, most of which find nothing); a check that raises becomes an ``internal-error``
        finding, logged with its traceback."""
        for bound in bounds:
            # Most checks find nothing: a list is made only for one that finds something
            # (list() of an empty generator costs twice as much as a loop over it).
            findings: list[Finding] | None = None
            try:
                for finding in bound.check(view, bound.context):
                    if findings is None:
                        findings = []
                    findings.append(finding)
            except Exception:
                LOG.exception("rule %s failed on %s", bound.rule.id, document.path)
                findings = [
                    Finding(
                        view.pointer,
                        f"rule {bound.rule.id} failed on this object (a podlint bug; "
                        f"please report it with {evidence})",
                        rule="internal-error",
                    )
                ]
            if findings:
                for finding in findings:
                    yield self.stamp(finding, bound, document)

    def _rules_for(self, kind: str) -> _KindRules:
        """The rules that apply to objects of ``kind``, chosen once per kind."""
        rules = self._by_kind.get(kind)
        if rules is None:
            container_rules = [b for b in self.container_rules if b.rule.applies_to_kind(kind)]
            rules = self._by_kind[kind] = _KindRules(
                [_resolved(b) for b in self.object_rules if b.rule.applies_to_kind(kind)],
                [b for b in self.pod_rules if b.rule.applies_to_kind(kind)],
                {
                    role: [b for b in container_rules if role in b.rule.containers]
                    for role in CONTAINER_ROLES
                }
                if container_rules
                else {},
                any(b.rule.applies_to_kind(kind) for b in self.object_cross_rules),
            )
        return rules

    def finish(
        self, workloads: WorkloadIndex, config: ConfigIndex | None = None
    ) -> Iterator[Finding]:
        """Run the cross-object rules over the objects they target, against ``workloads``
        (the pod-carrying objects of the whole run), and forget those objects; then the
        rules that read ``config`` (the run's ConfigMap and Secret summaries)."""
        deferred, self.deferred = self.deferred, []
        for document in deferred:
            obj = ObjectView(document)
            for bound in self.object_cross_rules:
                if bound.rule.applies_to_kind(obj.kind):
                    context = dataclasses.replace(bound.context, workloads=workloads)
                    with_workloads = dataclasses.replace(bound, context=context)
                    yield from self.run_check(with_workloads, obj, document)
        # This engine's pods, against the ConfigMaps and Secrets of the whole run.
        index = (config or self.config).with_pods(self.config.pods, self.config.claims)
        for bound in self.config_rules:
            try:
                findings = list(bound.check(index, bound.context))
            except Exception:
                LOG.exception("rule %s failed at the end of the run", bound.rule.id)
                findings = [
                    Finding(
                        "",
                        f"rule {bound.rule.id} failed (a podlint bug; please report it with "
                        "the manifests of the run)",
                        rule="internal-error",
                        path="<run>",
                    )
                ]
            for finding in findings:
                yield dataclasses.replace(
                    finding, rule=finding.rule or bound.rule.id, severity=bound.severity
                )

    def run_check(
        self,
        bound: _Bound,
        view: ObjectView | PodSpecView | ContainerView,
        document: Document,
        evidence: str = "the manifest",
    ) -> Iterator[Finding]:
        """Run one check; a check that raises becomes an ``internal-error`` finding."""
        return self._run_all([bound], view, document, evidence)

    @staticmethod
    def stamp(finding: Finding, bound: _Bound, document: Document) -> Finding:
        return Finding(
            finding.pointer,
            finding.message,
            finding.key,
            finding.rule or bound.rule.id,
            bound.severity,
            document.path,
            document.locate(finding.pointer, finding.key),
            document.index,
            document.kind,
            document.namespace,
            document.name,
        )
