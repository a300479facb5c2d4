"""Fixes for findings, as text edits that keep the user's comments and formatting.

A fix never re-serialises YAML: it replaces one scalar, or inserts the missing keys as new
lines in the style of their neighbours (block mappings) or as a new entry (flow mappings and
JSON). Fixers are keyed by rule id and work from the finding's pointer, so they apply to the
pod-level and container-level variants of a rule alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from podlint.engine import Engine
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.pointer import join, split
from podlint.model.span import Span
from podlint.source.locator import NodeLocator
from podlint.source.manifest import parse_text

Scalar = bool | int | str
# A tuple is a list of strings, written as a flow sequence: [ALL].
Value = Scalar | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``span`` (0-based, end-exclusive; empty for an insertion) with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]


class SourceText:
    """The text of one source with the node tree of one of its documents."""

    def __init__(self, text: str, document: Document) -> None:
        self.lines = text.splitlines()
        self.ends_with_newline = text.endswith(("\n", "\r"))
        # New lines follow the file's line endings.
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.document = document
        locator = document.locator
        self.root: Node | None = locator.root if isinstance(locator, NodeLocator) else None
        self.offset = locator.line_offset if isinstance(locator, NodeLocator) else 0

    def value(self, pointer: str) -> Any:
        """The plain value at an absolute pointer of the document, or None."""
        node: Any = self.document.data
        relative = pointer[len(self.document.pointer) :]
        for part in split(relative):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def set(self, pointer: str, value: Value) -> tuple[TextEdit, ...] | None:
        """Edits that make ``pointer`` hold ``value``, creating missing mappings on the way."""
        if self.root is None:
            return None
        parts = split(pointer)
        node = self.root
        key_node: Node | None = None
        for depth, part in enumerate(parts):
            child = _child(node, part)
            if child is None:
                return self._insert(node, key_node, parts[depth:], value)
            key_node, node = child
        if not isinstance(node, ScalarNode):
            return None
        return (TextEdit(self._span(node), _render_replacement(node, value)),)

    def append(self, pointer: str, item: str) -> tuple[TextEdit, ...] | None:
        """Edits that add ``item`` at the end of the sequence at ``pointer``."""
        if self.root is None:
            return None
        node = self.root
        for part in split(pointer):
            child = _child(node, part)
            if child is None:
                return None
            node = child[1]
        if not isinstance(node, SequenceNode):
            return None
        if node.flow_style:
            if not node.value:
                start = node.start_mark
                rendered = json.dumps(item)
                return (TextEdit(_point(start.line + self.offset, start.column + 1), rendered),)
            first, last = node.value[0], node.value[-1]
            as_json = isinstance(first, ScalarNode) and first.style == '"'
            rendered = json.dumps(item) if as_json else _render_yaml(item)
            end = last.end_mark
            return (TextEdit(_point(end.line + self.offset, end.column), ", " + rendered),)
        if not node.value:
            return None
        dash = node.start_mark.column
        line = _last_line(node, self.lines, self.offset)
        row = " " * dash + "- " + _render_yaml(item)
        if line + 1 < len(self.lines) or self.ends_with_newline:
            return (TextEdit(_point(line + 1, 0), row + self.newline),)
        return (TextEdit(_point(line, len(self.lines[line])), self.newline + row),)

    def _span(self, node: Node) -> Span:
        start, end = node.start_mark, node.end_mark
        return Span(start.line + self.offset, start.column, end.line + self.offset, end.column)

    def _insert(
        self, node: Node, key_node: Node | None, missing: Sequence[str], value: Value
    ) -> tuple[TextEdit, ...] | None:
        if isinstance(node, MappingNode):
            if node.flow_style:
                return self._insert_flow(node, missing, value)
            return self._insert_block(node, missing, value)
        if isinstance(node, ScalarNode) and key_node is not None and _is_null(node):
            return self._replace_null(node, key_node, missing, value)
        return None

    def _insert_block(
        self, node: MappingNode, missing: Sequence[str], value: Value
    ) -> tuple[TextEdit, ...] | None:
        if not node.value:
            return None
        indent = node.value[0][0].start_mark.column
        block = _block_lines(missing, value, indent, _indent_step(node), self.newline)
        line = _last_line(node, self.lines, self.offset)
        if line + 1 < len(self.lines) or self.ends_with_newline:
            return (TextEdit(_point(line + 1, 0), block + self.newline),)
        end = len(self.lines[line])
        return (TextEdit(_point(line, end), self.newline + block),)

    def _insert_flow(
        self, node: MappingNode, missing: Sequence[str], value: Value
    ) -> tuple[TextEdit, ...]:
        if not node.value:
            start = node.start_mark
            entry = _flow_entry(missing, value, as_json=True)
            return (TextEdit(_point(start.line + self.offset, start.column + 1), entry),)
        first_key, _ = node.value[0]
        last_key, last_value = node.value[-1]
        entry = _flow_entry(missing, value, as_json=first_key.style == '"')
        end = last_value.end_mark
        separator = ", "
        if last_key.start_mark.line != first_key.start_mark.line or (
            node.start_mark.line != first_key.start_mark.line
        ):
            # A multi-line (pretty-printed) mapping gets the new entry on its own line.
            separator = "," + self.newline + " " * last_key.start_mark.column
        return (TextEdit(_point(end.line + self.offset, end.column), separator + entry),)

    def _replace_null(
        self, node: ScalarNode, key_node: Node, missing: Sequence[str], value: Value
    ) -> tuple[TextEdit, ...] | None:
        key_line = key_node.start_mark.line + self.offset
        if node.start_mark.line + self.offset != key_line or key_line >= len(self.lines):
            return None
        indent = key_node.start_mark.column + 2
        block = _block_lines(missing, value, indent, 2, self.newline)
        end_of_line = len(self.lines[key_line])
        edits = []
        if node.end_mark.column > node.start_mark.column:  # an explicit ~ or null
            edits.append(TextEdit(self._span(node), ""))
        edits.append(TextEdit(_point(key_line, end_of_line), self.newline + block))
        return tuple(edits)


def _point(line: int, column: int) -> Span:
    return Span(line, column, line, column)


def _child(node: Node, part: str) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, ScalarNode) and key_node.value == part:
                return key_node, value_node
        return None
    if isinstance(node, SequenceNode) and part.isdigit() and int(part) < len(node.value):
        return None, node.value[int(part)]
    return None


def _is_null(node: ScalarNode) -> bool:
    return not node.style and node.value in ("", "~", "null", "Null", "NULL")


def _indent_step(node: MappingNode) -> int:
    """How far this file indents a nested block mapping (2 unless a child shows otherwise)."""
    for key_node, value_node in node.value:
        if isinstance(value_node, MappingNode) and not value_node.flow_style and value_node.value:
            step = int(value_node.value[0][0].start_mark.column - key_node.start_mark.column)
            if step > 0:
                return step
    return 2


def _last_line(node: Node, lines: Sequence[str], offset: int) -> int:
    """The last line that holds content of ``node`` (block collections end at the next token)."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        key_node, value_node = node.value[-1]
        key_line: int = key_node.start_mark.line + offset
        return max(key_line, _last_line(value_node, lines, offset))
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return _last_line(node.value[-1], lines, offset)
    end = node.end_mark
    line: int = end.line + offset
    if end.column == 0 and end.line > node.start_mark.line:
        line -= 1
        while line > node.start_mark.line + offset and not lines[line].strip():
            line -= 1
    return line


def _block_lines(missing: Sequence[str], value: Value, indent: int, step: int, newline: str) -> str:
    rows = []
    for depth, part in enumerate(missing):
        prefix = " " * (indent + depth * step) + _render_key(part) + ":"
        rows.append(prefix + " " + _render_yaml(value) if depth == len(missing) - 1 else prefix)
    return newline.join(rows)


def _flow_entry(missing: Sequence[str], value: Value, *, as_json: bool) -> str:
    key = json.dumps if as_json else _render_key
    entry = json.dumps(value) if as_json else _render_yaml(value)
    for part in reversed(missing[1:]):
        entry = "{" + key(part) + ": " + entry + "}"
    return key(missing[0]) + ": " + entry


_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def _render_key(key: str) -> str:
    return key if _PLAIN_SAFE.match(key) else json.dumps(key)


def _render_yaml(value: Value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_render_yaml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    from podlint.source.compose import resolve_plain_scalar

    if _PLAIN_SAFE.match(value) and resolve_plain_scalar(value) == value:
        return value
    return json.dumps(value)


def _render_replacement(node: ScalarNode, value: Value) -> str:
    if isinstance(value, str) and node.style == '"':
        return json.dumps(value)
    if isinstance(value, str) and node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    return _render_yaml(value)


# --- fixers, keyed by rule id -------------------------------------------------------------

Fixer = Callable[[Finding, SourceText], Fix | None]

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

    def fixer(finding: Finding, source: SourceText) -> Fix | None:
        pointer = _field_pointer(finding, source, *fields)
        if pointer is None:
            return None
        edits = source.set(pointer, value)
        if not edits:
            return None
        return Fix(f"Set securityContext.{field}: {_render_yaml(value)}", edits)

    return fixer


def _drop_all_capabilities(finding: Finding, source: SourceText) -> Fix | None:
    """``capabilities.drop`` must include ALL: add it to the list, or write the list."""
    pointer = _field_pointer(finding, source, "capabilities", "drop")
    if pointer is None:
        return None
    current = source.value(pointer)
    if isinstance(current, list):
        edits = source.append(pointer, "ALL") if "ALL" not in current else None
    else:
        edits = source.set(pointer, ("ALL",))
    if not edits:
        return None
    return Fix('Drop all capabilities (securityContext.capabilities.drop: ["ALL"])', edits)


def _pod_field_pointer(finding: Finding, source: SourceText, field: str) -> str | None:
    parts = split(finding.pointer)
    if parts and parts[-1] == field:
        return finding.pointer
    target = source.value(finding.pointer)
    if isinstance(target, dict) and "containers" in target:
        return join(finding.pointer, field)
    return None


def _set_pod_field(field: str, value: bool) -> Fixer:
    def fixer(finding: Finding, source: SourceText) -> Fix | None:
        pointer = _pod_field_pointer(finding, source, field)
        edits = source.set(pointer, value) if pointer is not None else None
        if not edits:
            return None
        return Fix(f"Set {field}: {_render_yaml(value)}", edits)

    return fixer


_MILLI_MEMORY = re.compile(r"^([0-9]+)m$")


def _memory_milli_to_mebi(finding: Finding, source: SourceText) -> Fix | None:
    """``512m`` memory is 0.512 bytes; what was meant is ``512Mi``."""
    parts = split(finding.pointer)
    if not parts or parts[-1] != "memory":
        return None
    value = source.value(finding.pointer)
    match = _MILLI_MEMORY.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    replacement = f"{match.group(1)}Mi"
    edits = source.set(finding.pointer, replacement)
    if not edits:
        return None
    return Fix(f'Replace memory "{value}" with "{replacement}"', edits)


FIXERS: dict[str, Fixer] = {
    "pss-run-as-non-root": _set_security_field("runAsNonRoot", True),
    "pss-allow-privilege-escalation": _set_security_field("allowPrivilegeEscalation", False),
    "pss-privileged": _set_security_field("privileged", False),
    "pss-seccomp-profile-restricted": _set_security_field("seccompProfile.type", "RuntimeDefault"),
    "pss-capabilities-restricted": _drop_all_capabilities,
    "read-only-root-filesystem": _set_security_field("readOnlyRootFilesystem", True),
    "automount-service-account-token": _set_pod_field("automountServiceAccountToken", False),
    "suspicious-quantity": _memory_milli_to_mebi,
}


def fix_for(finding: Finding, document: Document, text: str) -> Fix | None:
    """The fix for a finding of ``document`` (parsed from ``text``), if its rule offers one."""
    fixer = FIXERS.get(finding.rule)
    if fixer is None:
        return None
    return fixer(finding, SourceText(text, document))


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


def document_of(documents: Sequence[Document], finding: Finding) -> Document | None:
    """The object a finding is about (the innermost, when the document is a ``kind: List``)."""
    candidates = [
        document
        for document in documents
        if document.index == finding.document
        and (finding.pointer + "/").startswith(document.pointer + "/")
    ]
    return max(candidates, key=lambda d: len(d.pointer), default=None)


def fix_text(engine: Engine, path: str, text: str, *, rounds: int = 50) -> tuple[str, int]:
    """``text`` with every available fix applied, and how many were applied.

    Each round lints the text and applies at most one fix per YAML document (two fixes of one
    object could both add its missing securityContext), so the next round sees the result.
    """
    from podlint.lint import lint_text

    applied = 0
    for _ in range(rounds):
        findings = lint_text(engine, path, text).findings
        documents = [item for item in parse_text(text, path) if isinstance(item, Document)]
        edits: list[TextEdit] = []
        touched: set[int | None] = set()
        for finding in findings:
            if finding.rule not in FIXERS or finding.document in touched:
                continue
            document = document_of(documents, finding)
            fix = fix_for(finding, document, text) if document is not None else None
            if fix is not None:
                edits.extend(fix.edits)
                touched.add(finding.document)
        if not edits:
            break
        applied += len(touched)
        text = apply_edits(text, edits)
    return text, applied


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
