"""Rules: the card (data) and the context a check runs in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from podlint.model.finding import Finding, Severity
from podlint.model.version import KubeVersion
from podlint.model.workloads import WorkloadIndex

Target = Literal["source", "object", "pod-spec", "container", "cross-object"]
TARGETS: tuple[str, ...] = ("source", "object", "pod-spec", "container", "cross-object")
CATEGORIES: tuple[str, ...] = (
    "syntax",
    "correctness",
    "security",
    "reliability",
    "efficiency",
    "best-practice",
    "status",
)
CONTAINER_ROLES: tuple[str, ...] = ("app", "init", "sidecar", "ephemeral")
DOC_SECTIONS: tuple[tuple[str, str], ...] = (
    ("what", "What it does"),
    ("why", "Why is this bad?"),
    ("example", "Example"),
    ("use-instead", "Use instead"),
    ("references", "References"),
)
RULE_ID = re.compile(r"^[a-z][a-z0-9-]*(/[a-z][a-z0-9-]*)?$")
FIX_APPLICABILITY: tuple[str, ...] = ("safe", "unsafe")


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a check may know besides its target: its options and the target version.

    Cross-object checks also get ``workloads``: the pod-carrying objects of the whole run.
    """

    rule: str
    params: Mapping[str, Any]
    kubernetes_version: KubeVersion
    workloads: WorkloadIndex | None = None


Check = Callable[[Any, RuleContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class RuleFix:
    """A card's ``fix:``: what the fix writes, and whether it keeps what the object does
    (``safe``: applied by ``--fix``) or may change it (``unsafe``: needs ``--unsafe-fixes``)."""

    applicability: str
    description: str

    @property
    def safe(self) -> bool:
        return self.applicability == "safe"


@dataclass(frozen=True)
class Rule:
    """A rule card: ``rules/<id>.yaml``."""

    id: str
    summary: str
    category: str
    severity: Severity
    target: Target
    check: str | None = None
    schema: Mapping[str, Any] | None = None
    message: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    kinds: tuple[str, ...] | None = None
    containers: tuple[str, ...] = CONTAINER_ROLES
    docs: Mapping[str, Any] = field(default_factory=dict)
    fix: RuleFix | None = None
    source: str = ""

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE_URL}/{self.id}.md"

    def applies_to_kind(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


DOCS_BASE_URL = "https://github.com/podlint/podlint/blob/main/docs/rules"


class CardError(ValueError):
    """A rule card that cannot be used; the message names the card and the field."""


def rule_from_card(card: Mapping[str, Any], source: str) -> Rule:
    """Build a Rule from a parsed card, refusing cards that are not complete."""

    def need(key: str, kind: type | tuple[type, ...] = str) -> Any:
        value = card.get(key)
        if not isinstance(value, kind):
            raise CardError(f"{source}: rule card field {key!r} is missing or not a {kind}")
        return value

    rule_id = need("id")
    if not RULE_ID.match(rule_id):
        raise CardError(f"{source}: rule id {rule_id!r} must match {RULE_ID.pattern}")
    category = need("category")
    if category not in CATEGORIES:
        raise CardError(f"{source}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    try:
        severity = Severity(need("severity"))
    except ValueError:
        raise CardError(f"{source}: severity must be error, warning or info") from None
    target = need("target")
    if target not in TARGETS:
        raise CardError(f"{source}: target {target!r} is not one of {', '.join(TARGETS)}")
    check = card.get("check")
    schema = card.get("schema")
    if target != "source" and (check is None) == (schema is None):
        raise CardError(f"{source}: a rule needs exactly one of 'check' or 'schema'")
    if schema is not None and not isinstance(card.get("message"), str):
        raise CardError(f"{source}: a schema rule needs a 'message'")
    kinds = card.get("kinds")
    containers = card.get("containers", list(CONTAINER_ROLES))
    if not set(containers) <= set(CONTAINER_ROLES):
        raise CardError(f"{source}: containers must be among {', '.join(CONTAINER_ROLES)}")
    return Rule(
        id=rule_id,
        summary=need("summary"),
        category=category,
        severity=severity,
        target=target,
        check=check,
        schema=schema,
        message=card.get("message"),
        params=dict(card.get("params") or {}),
        kinds=tuple(kinds) if kinds else None,
        containers=tuple(containers),
        docs=dict(card.get("docs") or {}),
        fix=_rule_fix(card.get("fix"), source),
        source=source,
    )


def _rule_fix(value: Any, source: str) -> RuleFix | None:
    if value is None:
        return None
    applicability = value.get("applicability") if isinstance(value, Mapping) else None
    description = value.get("description") if isinstance(value, Mapping) else None
    if applicability not in FIX_APPLICABILITY or not isinstance(description, str):
        raise CardError(
            f"{source}: 'fix' needs 'applicability' (safe or unsafe) and a 'description'"
        )
    return RuleFix(applicability, description.strip())


def load_card(path: Path) -> Rule:
    """Read one rule card file."""
    return rule_from_card(card_data(path), str(path))


def card_data(path: Path) -> Mapping[str, Any]:
    """The parsed data of one rule card file, not yet checked as a card."""
    from podlint.source.data import load_yaml_file

    try:
        card = load_yaml_file(path)
    except Exception as error:  # any YAML or I/O problem: the card cannot be used
        raise CardError(f"{path}: cannot read rule card: {error}") from None
    if not isinstance(card, Mapping):
        raise CardError(f"{path}: a rule card must be a mapping")
    return card
