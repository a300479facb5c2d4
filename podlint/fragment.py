"""Judging a fragment: a kustomize patch sets some fields of an object that a base holds.

What a patch leaves out, the base may hold, so a fragment gets no finding about a field it
does not write ("missing required field", `missing-image`, a missing probe or request), nor
from rules that judge one field against another the base may hold (a volume mount against
the volumes, a probe port against the ports). What it writes is merged as written, so the
rules that judge a written value on its own still run: `privileged: true` or `image: x:latest`
in a patch are still worth a finding.

Measured on ../shared/corpus (tests/shared/test_fragments_corpus.py): every pod-carrying
object cut into patches of the shapes kustomize users write (one field of every container,
one container, one pod field, the template metadata, a workload field); a finding on such a
patch must be a finding of the whole object too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from podlint.lazyre import LazyPattern
from podlint.model.document import Document, document_of
from podlint.model.finding import Finding
from podlint.rule import Rule
from podlint.source.json6902 import OperationLocator

# The rules that judge what a fragment writes. Rules not named here (those about a field left
# out, those comparing fields the base may hold, cross-object and update rules, and rules of
# plugins) do not run on fragments:
#   missing-* / qos-best-effort / init-container-missing-resources: report what is left out;
#   api-volumes (a mount names a volume of the base), probe-port-*-declared (a port of the
#   base), privileged-port (capabilities of the base), init-container-long-running (an image
#   without the command of the base), prestop-exceeds-grace-period, probe-timeout-exceeds-period,
#   liveness-* and identical-liveness-readiness (probe fields merge one by one), duplicate-
#   container-name (a patch's containers merge into the base's by name).
FRAGMENT_RULES = frozenset(
    {
        "schema",
        "unknown-kind",
        "removed-api-version",
        "deprecated-api-version",
        "api-container",
        "api-env",
        "api-init-containers",
        "api-metadata",
        "api-pod-spec",
        "api-ports",
        "api-probes",
        "api-resources",
        "api-scheduling",
        "api-security-context",
        "api-workload",
        "latest-image-tag",
        "invalid-image-name",
        "image-never-pull",
        "command-empty",
        "working-dir-relative",
        "suspicious-quantity",
        "mixed-memory-units",
        "cpu-limit",
        "zero-grace-period",
        "node-name-set",
        "bare-pod",
        "host-port",
        "docker-socket-mount",
        "sensitive-host-path",
        "secret-in-env",
        "drop-net-raw",
        "read-only-root-filesystem",
        "automount-service-account-token",
        "default-service-account",
        "init-container-unbounded-wait",
        "non-idempotent-init",
        "init-container-ports",
        "sidecar-unsupported-version",
        "pss-allow-privilege-escalation",
        "pss-app-armor-profile",
        "pss-capabilities-baseline",
        "pss-capabilities-restricted",
        "pss-host-namespaces",
        "pss-host-path-volumes",
        "pss-host-ports",
        "pss-host-probes-and-host-lifecycle",
        "pss-privileged",
        "pss-proc-mount",
        "pss-proc-mount-restricted",
        "pss-restricted-volumes",
        "pss-run-as-non-root",
        "pss-run-as-user",
        "pss-se-linux-options",
        "pss-seccomp-profile-baseline",
        "pss-seccomp-profile-restricted",
        "pss-sysctls",
        "pss-windows-host-process",
    }
)

# Findings that a field is required, in the wording of the schema and api-* rules (the
# apiserver's "Required value"); some point at the object that lacks the field. And findings
# that a written name refers to nothing in the object (the apiserver's "Not found"): the base
# may hold what it names.
_ABOUT_WHAT_IS_LEFT_OUT = LazyPattern(
    r"missing required field|\bis required\b|Required value|must specify|must be specified"
    r"|\bnames no\b|\(Not found\)|must be one of the names in the pod\b"
)
_ABSENT = object()


def fragment_findings(
    findings: Iterable[Finding], documents: Sequence[Document], rules: Mapping[str, Rule]
) -> list[Finding]:
    """The findings that stand on a fragment: problems reading it, and findings of
    ``FRAGMENT_RULES`` about a value the fragment writes."""
    kept = []
    for finding in findings:
        rule = rules.get(finding.rule)
        if rule is None or rule.target == "source":
            kept.append(finding)  # reading problems, internal errors
        elif finding.rule in FRAGMENT_RULES and _about_written_value(finding, documents):
            kept.append(finding)
    return kept


def _about_written_value(finding: Finding, documents: Sequence[Document]) -> bool:
    if _ABOUT_WHAT_IS_LEFT_OUT.search(finding.message):
        return False
    document = document_of(documents, finding)
    if document is None:
        return False
    relative = finding.pointer[len(document.pointer) :]
    if "/$" in relative:
        return False  # a strategic-merge directive ($patch, $setElementOrder/...) or below one
    if isinstance(document.locator, OperationLocator) and not document.locator.writes(relative):
        return False  # JSON 6902: what no operation writes comes from the target
    return _resolve(document.data, relative) is not _ABSENT


def _resolve(data: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer, or ``_ABSENT``."""
    if not pointer:
        return data
    current = data
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            if part not in current:
                return _ABSENT
            current = current[part]
        elif isinstance(current, list):
            if not part.isdigit() or int(part) >= len(current):
                return _ABSENT
            current = current[int(part)]
        else:
            return _ABSENT
    return current
