"""Kubernetes PolicyReports (``wgpolicyk8s.io/v1alpha2``), as Kyverno and Polaris write them.

One PolicyReport named ``podlint`` per namespace that was audited, and one
ClusterPolicyReport for cluster-scoped objects; a result per finding, naming the policy, the
rule, the object (``resources``) and the field (``properties.pointer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from podlint.audit.run import Audited
from podlint.model.finding import Finding, Severity
from podlint.rule import Rule

API_VERSION = "wgpolicyk8s.io/v1alpha2"
REPORT_NAME = "podlint"
SOURCE = "podlint"
MANAGED_BY = {"app.kubernetes.io/managed-by": "podlint"}
RESULTS = {Severity.ERROR: "fail", Severity.WARNING: "warn", Severity.INFO: "warn"}
SEVERITIES = {Severity.ERROR: "high", Severity.WARNING: "medium", Severity.INFO: "info"}


def policy_reports(
    audited: Iterable[Audited],
    *,
    policy: str,
    rules: Mapping[str, Rule],
    timestamp: int,
    scopes: Iterable[str | None] = (),
    annotations: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A report for each namespace of the audited objects and each of ``scopes`` (None: the
    cluster), empty ones too, so that applying them clears results that no longer hold; the
    ClusterPolicyReport comes last."""
    results: dict[str | None, list[dict[str, Any]]] = {scope: [] for scope in scopes}
    for item in audited:
        entries = results.setdefault(item.identity.namespace, [])
        for finding in item.result.findings:
            entries.append(_result(item, finding, policy, rules.get(finding.rule), timestamp))
    reports = []
    for namespace in sorted(ns for ns in results if ns is not None):
        reports.append(_report(namespace, results[namespace], annotations))
    if None in results:
        reports.append(_report(None, results[None], annotations))
    return reports


def _result(
    item: Audited, finding: Finding, policy: str, rule: Rule | None, timestamp: int
) -> dict[str, Any]:
    category = rule.category if rule is not None else "correctness"
    severity = SEVERITIES[finding.severity]
    if category == "security" and finding.severity is Severity.ERROR:
        severity = "critical"
    properties = {"pointer": finding.pointer or "/"}
    if rule is not None:
        properties["docs"] = rule.docs_url
    return {
        "source": SOURCE,
        "policy": policy,
        "rule": finding.rule,
        "category": category,
        "severity": severity,
        "result": RESULTS[finding.severity],
        "scored": finding.severity is Severity.ERROR,
        "message": finding.message,
        "resources": [item.identity.reference()],
        "properties": properties,
        "timestamp": {"seconds": timestamp, "nanos": 0},
    }


def _report(
    namespace: str | None,
    results: list[dict[str, Any]],
    annotations: Mapping[str, str] | None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": REPORT_NAME}
    if namespace is not None:
        metadata["namespace"] = namespace
    metadata["labels"] = dict(MANAGED_BY)
    if annotations:
        metadata["annotations"] = dict(annotations)
    summary = {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0}
    for result in results:
        summary[result["result"]] += 1
    return {
        "apiVersion": API_VERSION,
        "kind": "PolicyReport" if namespace is not None else "ClusterPolicyReport",
        "metadata": metadata,
        "summary": summary,
        "results": results,
    }
