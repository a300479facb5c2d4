"""Fixes for findings, as text edits that keep the user's comments and formatting.

Fixers are keyed by rule id and work from the finding's pointer, so they apply to the pod-level
and container-level variants of a rule alike. Whether a rule's fix is safe (it keeps what the
object does) or unsafe (it may change it) is written in its card's ``fix:``; an unknown fix is
unsafe. Every fix is checked before it is written or offered: the fixed text must read as
well as before (no new reading problem, the same objects) and must change nothing outside the
value the fix is about; ``fix_text`` also requires that the finding goes away.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podlint.engine import Engine
from podlint.model.document import Document, document_of
from podlint.model.finding import Finding
from podlint.model.pointer import join, split
from podlint.model.span import Span
from podlint.rule import Rule
from podlint.source.manifest import SourceProblem, parse_text
from podlint.yamledit import Change, LineIndex, Scalar, SourceText, TextEdit, render_yaml

__all__ = [
    "FIXERS",
    "Fix",
    "FixOutcome",
    "Reading",
    "SourceText",
    "TextEdit",
    "apply_edits",
    "changed_lines",
    "disable_edit",
    "disable_next_line_edit",
    "document_of",
    "fix_for",
    "fix_text",
    "is_safe",
    "verified",
]


@dataclass(frozen=True, slots=True)
class Fix:
    """The edits that fix one finding; ``target`` is the pointer of the outermost value they
    change, ``safe`` whether the rule's card calls the fix safe."""

    title: str
    edits: tuple[TextEdit, ...]
    target: str = ""
    safe: bool = False


# --- fixers, keyed by rule id -------------------------------------------------------------

Fixer = Callable[[Finding, SourceText], tuple[str, Change] | None]

_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})


def _field_pointer(finding: Finding, source: SourceText, *fields: str) -> str | None:
    """Where ``securityContext.<fields>`` belongs for a finding that points at that field (or
    part of its path), its securityContext, a container or a pod spec."""
    parts = split(finding.pointer)
    for size in range(len(fields), 0, -1):
        if parts[-size:] == list(fields[:size]):
            return join(finding.pointer, *fields[size:])
    if parts and parts[-1] == "securityContext":
        return join(finding.pointer, *fields)
    target = source.value(finding.pointer)
    if not isinstance(target, dict):
        return None
    is_container = len(parts) >= 2 and parts[-2] in _CONTAINER_LISTS
    if is_container or "containers" in target:
        return join(finding.pointer, "securityContext", *fields)
    return None


def _set_security_field(field: str, value: Scalar) -> Fixer:
    fields = tuple(field.split("."))

    def fixer(finding: Finding, source: SourceText) -> tuple[str, Change] | None:
        pointer = _field_pointer(finding, source, *fields)
        change = source.set(pointer, value) if pointer is not None else None
        if change is None:
            return None
        return f"Set securityContext.{field}: {render_yaml(value)}", change

    return fixer


def _drop_all_capabilities(finding: Finding, source: SourceText) -> tuple[str, Change] | None:
    """``capabilities.drop`` must include ALL: add it to the list, or write the list."""
    pointer = _field_pointer(finding, source, "capabilities", "drop")
    if pointer is None:
        return None
    current = source.value(pointer)
    if isinstance(current, list):
        change = source.append(pointer, "ALL") if "ALL" not in current else None
    else:
        change = source.set(pointer, ("ALL",))
    if change is None:
        return None
    return 'Drop all capabilities (securityContext.capabilities.drop: ["ALL"])', change


def _pod_field_pointer(finding: Finding, source: SourceText, field: str) -> str | None:
    parts = split(finding.pointer)
    if parts and parts[-1] == field:
        return finding.pointer
    target = source.value(finding.pointer)
    if isinstance(target, dict) and "containers" in target:
        return join(finding.pointer, field)
    return None


def _set_pod_field(field: str, value: bool) -> Fixer:
    def fixer(finding: Finding, source: SourceText) -> tuple[str, Change] | None:
        pointer = _pod_field_pointer(finding, source, field)
        change = source.set(pointer, value) if pointer is not None else None
        if change is None:
            return None
        return f"Set {field}: {render_yaml(value)}", change

    return fixer


_MILLI_MEMORY = re.compile(r"^([0-9]+)m$")


def _memory_milli_to_mebi(finding: Finding, source: SourceText) -> tuple[str, Change] | None:
    """``512m`` memory is 0.512 bytes; ``512Mi`` is the likelier meaning (see the card)."""
    parts = split(finding.pointer)
    if not parts or parts[-1] != "memory":
        return None
    value = source.value(finding.pointer)
    match = _MILLI_MEMORY.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    replacement = f"{match.group(1)}Mi"
    change = source.set(finding.pointer, replacement)
    if change is None:
        return None
    return f'Replace memory "{value}" with "{replacement}"', change


# (apiVersion, kind) -> a version that reads every field the same and defaults the same, so the
# rename keeps what the object means. batch/v1beta1 CronJob defaults concurrencyPolicy, suspend
# and both history limits as batch/v1 does, and its Job template is batch/v1's JobSpec.
_SAME_OBJECT_VERSIONS = {("batch/v1beta1", "CronJob"): "batch/v1"}


def _rename_api_version(finding: Finding, source: SourceText) -> tuple[str, Change] | None:
    parts = split(finding.pointer)
    if not parts or parts[-1] != "apiVersion":
        return None
    current = source.value(finding.pointer)
    kind = source.value(join(finding.pointer[: -len("/apiVersion")], "kind"))
    if not isinstance(current, str) or not isinstance(kind, str):
        return None
    replacement = _SAME_OBJECT_VERSIONS.get((current.strip(), kind))
    change = source.set(finding.pointer, replacement) if replacement else None
    if change is None:
        return None
    return f'Replace apiVersion "{current}" with "{replacement}"', change


FIXERS: dict[str, Fixer] = {
    "pss-run-as-non-root": _set_security_field("runAsNonRoot", True),
    "pss-allow-privilege-escalation": _set_security_field("allowPrivilegeEscalation", False),
    "pss-privileged": _set_security_field("privileged", False),
    "pss-seccomp-profile-restricted": _set_security_field("seccompProfile.type", "RuntimeDefault"),
    "pss-capabilities-restricted": _drop_all_capabilities,
    "read-only-root-filesystem": _set_security_field("readOnlyRootFilesystem", True),
    "automount-service-account-token": _set_pod_field("automountServiceAccountToken", False),
    "suspicious-quantity": _memory_milli_to_mebi,
    "removed-api-version": _rename_api_version,
    "deprecated-api-version": _rename_api_version,
}


def is_safe(rule_id: str, rules: Mapping[str, Rule] | None) -> bool:
    """Whether the rule's card calls its fix safe (a fix without a card's word is unsafe)."""
    rule = rules.get(rule_id) if rules is not None else None
    return rule is not None and rule.fix is not None and rule.fix.safe


def fix_for(
    finding: Finding,
    document: Document,
    text: str,
    *,
    rules: Mapping[str, Rule] | None = None,
    index: LineIndex | None = None,
) -> Fix | None:
    """The fix for a finding of ``document`` (parsed from ``text``), if its rule offers one.

    The fix is not checked here; see ``verified``.
    """
    fixer = FIXERS.get(finding.rule)
    if fixer is None:
        return None
    try:
        found = fixer(finding, SourceText(text, document, index))
    except RecursionError:  # nesting too deep to walk: no fix rather than a crash
        return None
    if found is None or not found[1].edits:
        return None
    title, change = found
    return Fix(title, change.edits, change.target, is_safe(finding.rule, rules))


# --- checking a fix ------------------------------------------------------------------------

DocumentKey = tuple[int, str]


@dataclass
class Reading:
    """What a text reads as: its objects and how many reading problems of each rule."""

    documents: list[Document]
    problems: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, text: str, path: str) -> Reading:
        reading = cls([])
        for item in parse_text(text, path):
            reading.add(item)
        return reading

    def add(self, item: Document | SourceProblem) -> None:
        if isinstance(item, Document):
            self.documents.append(item)
        else:
            self.problems[item.rule] += 1

    def by_key(self) -> dict[DocumentKey, Document]:
        return {(d.index, d.pointer): d for d in self.documents}


def keeps_reading(before: Reading, after: Reading, targets: Mapping[DocumentKey, str]) -> bool:
    """Whether ``after`` reads at least as well as ``before`` and differs from it only inside
    the ``targets`` (document -> absolute pointer of the value a fix may change)."""
    if any(count > before.problems[rule] for rule, count in after.problems.items()):
        return False
    old, new = before.by_key(), after.by_key()
    if old.keys() != new.keys():
        return False
    try:
        for key, document in old.items():
            target = targets.get(key)
            parts = split(target[len(document.pointer) :]) if target is not None else None
            if not _same_outside(document.data, new[key].data, parts, set()):
                return False
    except RecursionError:
        return False
    return True


def _same_outside(a: Any, b: Any, parts: list[str] | None, seen: set[tuple[int, int]]) -> bool:
    """``a == b`` except at the path ``parts`` (None: nowhere); recursive data compares once."""
    if parts is not None and not parts:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        if _seen(a, b, parts, seen):
            return True
        skip = parts[0] if parts else None
        if a.keys() - {skip} != b.keys() - {skip}:
            return False
        for key, value in a.items():
            if parts is not None and key == skip:
                if key in b and not _same_outside(value, b[key], parts[1:], seen):
                    return False
            elif not _same_outside(value, b[key], None, seen):
                return False
        return True
    if isinstance(a, list) and isinstance(b, list):
        if _seen(a, b, parts, seen):
            return True
        skip_at = int(parts[0]) if parts and parts[0].isdigit() else -1
        if len(a) != len(b) and not (skip_at == len(a) and len(b) == len(a) + 1):
            return False
        for position, value in enumerate(a):
            inner = parts[1:] if parts and position == skip_at else None
            if not _same_outside(value, b[position], inner, seen):
                return False
        return True
    if parts:
        return False  # the path to the target must exist on both sides
    return type(a) is type(b) and bool(a == b)


def _seen(a: Any, b: Any, parts: list[str] | None, seen: set[tuple[int, int]]) -> bool:
    """Whether this pair is already being compared in full (aliases share values, and a
    recursive alias would otherwise be compared forever)."""
    if parts is not None:
        return False  # compared along the target's path, which is finite
    pair = (id(a), id(b))
    if pair in seen:
        return True
    seen.add(pair)
    return False


def verified(
    fix: Fix, document: Document, text: str, path: str, before: Reading | None = None
) -> bool:
    """Whether applying ``fix`` keeps ``text`` readable and changes only its target."""
    after = Reading.of(apply_edits(text, fix.edits), path)
    if before is None:
        before = Reading.of(text, path)
    return keeps_reading(before, after, {(document.index, document.pointer): fix.target})


def _point(line: int, column: int) -> Span:
    return Span(line, column, line, column)


# --- suppression comments ---------------------------------------------------------------

_DISABLE = re.compile(
    r"(?:^|[ \t])#[ \t]*podlint[ \t]*:[ \t]*disable[ \t]*=[ \t]*"
    r"([^,\s#]+(?:[ \t]*,[ \t]*[^,\s#]+)*)"
)


def disable_edit(line_text: str, line: int, rule_id: str) -> TextEdit | None:
    """The edit that adds ``# podlint: disable=<rule_id>`` to a line (extending an existing
    disable comment), or None when the line already disables the rule."""
    text = line_text.rstrip("\r\n")
    existing = _DISABLE.search(text)
    if existing:
        ids = [part.strip() for part in existing.group(1).split(",")]
        if rule_id in ids:
            return None
        end = existing.end(1)
        return TextEdit(_point(line, end), f",{rule_id}")
    content_end = len(text.rstrip())
    return TextEdit(_point(line, content_end), f"  # podlint: disable={rule_id}")


def disable_next_line_edit(line_text: str, line: int, rule_id: str) -> TextEdit:
    """A ``# podlint: disable-next-line=<rule_id>`` comment on a new line above ``line``."""
    indent = len(line_text) - len(line_text.lstrip(" "))
    newline = "\r\n" if line_text.endswith("\r\n") else "\n"
    comment = f"# podlint: disable-next-line={rule_id}"
    return TextEdit(_point(line, 0), " " * indent + comment + newline)


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """``text`` with non-overlapping edits applied (positions refer to the original text)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for row in lines:
        starts.append(starts[-1] + len(row))

    def offset(line: int, column: int) -> int:
        if line >= len(lines):
            return len(text)
        return starts[line] + column

    result = text
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        begin = offset(edit.span.line, edit.span.column)
        end = offset(edit.span.end_line, edit.span.end_column)
        result = result[:begin] + edit.new_text + result[end:]
    return result


@dataclass
class FixOutcome:
    """The fixed text; how many fixes were applied; how many unsafe fixes were left out
    (without ``unsafe``); how many fixes were refused because they did not check out."""

    text: str
    applied: int = 0
    unsafe_left: int = 0
    refused: int = 0


FindingKey = tuple[str, int | None, str, str]


def _key(finding: Finding) -> FindingKey:
    return (finding.rule, finding.document, finding.pointer, finding.message)


@dataclass
class _Lint:
    text: str
    reading: Reading
    findings: list[Finding]


def _lint(engine: Engine, path: str, text: str) -> _Lint:
    from podlint.lint import is_fragment, source_result

    reading = Reading([])

    def items() -> Iterator[Document | SourceProblem]:
        for item in parse_text(text, path):
            reading.add(item)
            yield item

    findings = list(engine.lint(path, items()))
    # A kustomize patch is fixed only where it is reported: what it leaves out is the base's.
    fragment = is_fragment(path)
    result = source_result(engine, path, text, findings, reading.documents, fragment=fragment)
    return _Lint(text, reading, result.findings)


def _planned(
    current: _Lint, rules: Mapping[str, Rule], unsafe: bool, refused: set[FindingKey]
) -> tuple[list[tuple[FindingKey, Document, Fix]], int]:
    """At most one fix per YAML document (two fixes of one object could both add its missing
    securityContext), and how many unsafe fixes were left out."""
    index = LineIndex(current.text)
    plan: list[tuple[FindingKey, Document, Fix]] = []
    touched: set[int | None] = set()
    left_out = 0
    for finding in current.findings:
        if finding.rule not in FIXERS or _key(finding) in refused:
            continue
        if not unsafe and not is_safe(finding.rule, rules):
            document = document_of(current.reading.documents, finding)
            if document is not None and fix_for(finding, document, current.text, index=index):
                left_out += 1
            continue
        if finding.document in touched:
            continue
        document = document_of(current.reading.documents, finding)
        fix = (
            fix_for(finding, document, current.text, rules=rules, index=index) if document else None
        )
        if fix is not None and document is not None:
            plan.append((_key(finding), document, fix))
            touched.add(finding.document)
    return plan, left_out


def _accepts(before: _Lint, after: _Lint, plan: Sequence[tuple[FindingKey, Document, Fix]]) -> bool:
    targets = {(document.index, document.pointer): fix.target for _, document, fix in plan}
    if len(targets) < len(plan):
        return False
    if not keeps_reading(before.reading, after.reading, targets):
        return False
    remaining = {_key(finding) for finding in after.findings}
    return not any(key in remaining for key, _, _ in plan)


def fix_text(
    engine: Engine, path: str, text: str, *, unsafe: bool = False, rounds: int = 50
) -> FixOutcome:
    """``text`` with every available fix applied (only the safe ones unless ``unsafe``).

    Each round lints the text and applies at most one fix per YAML document, so the next
    round sees the result. A round is kept only if the text still reads as well, nothing but
    the fixed values changed, and the fixed findings are gone; otherwise each of its fixes is
    tried alone, and a fix that fails is refused (its finding stays, and is reported).
    """
    rules = engine.registry.rules
    current = _lint(engine, path, text)
    refused: set[FindingKey] = set()
    applied = 0
    left_out = 0
    for _ in range(rounds):
        plan, left_out = _planned(current, rules, unsafe, refused)
        if not plan:
            break
        candidate = _lint(
            engine, path, apply_edits(current.text, [e for _, _, f in plan for e in f.edits])
        )
        if _accepts(current, candidate, plan):
            current = candidate
            applied += len(plan)
            continue
        for entry in plan:
            alone = _lint(engine, path, apply_edits(current.text, entry[2].edits))
            if not _accepts(current, alone, [entry]):
                refused.add(entry[0])
    else:
        _, left_out = _planned(current, rules, unsafe, refused)
    return FixOutcome(current.text, applied, left_out, len(refused))


def changed_lines(before: str, after: str) -> TextEdit | None:
    """One edit that turns ``before`` into ``after``, replacing only the lines that differ."""
    if before == after:
        return None
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old), len(new)) - head
        and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]
    ):
        tail += 1
    end = len(old) - tail
    return TextEdit(Span(head, 0, end, 0), "".join(new[head : len(new) - tail]))
