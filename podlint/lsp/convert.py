"""Findings -> LSP diagnostics, and which buffers get diagnostics at all."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from podlint.model.finding import Finding, Severity
from podlint.model.span import Span
from podlint.rule import Rule

SOURCE = "podlint"

SEVERITIES: dict[Severity, types.DiagnosticSeverity] = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

# Findings about the file as a whole that would only be noise on a buffer being edited: a new
# empty buffer, a Helm chart template (it is rendered before it is a manifest).
_EDITOR_SILENT = frozenset({"empty-file", "helm-template"})
_LOOKS_KUBERNETES = re.compile(r"""^\s*["']?(?:apiVersion|kind)["']?\s*:""", re.MULTILINE)


def wants_diagnostics(text: str, documents: int, findings: Sequence[Finding]) -> bool:
    """Only buffers holding Kubernetes objects get diagnostics; other YAML is left alone.

    A buffer whose objects cannot be parsed yet (a syntax error while typing) still counts when
    it names an apiVersion or kind.
    """
    if any(f.rule == "helm-template" for f in findings):
        return False
    return documents > 0 or bool(_LOOKS_KUBERNETES.search(text))


def client_range(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """A podlint span (code points, 0-based, end-exclusive) in the client's position units."""
    return types.Range(
        start=_position(span.line, span.column, lines, codec),
        end=_position(span.end_line, span.end_column, lines, codec),
    )


def _position(line: int, column: int, lines: Sequence[str], codec: PositionCodec) -> types.Position:
    if line < len(lines) and not lines[line].isascii():
        return codec.position_to_client_units(lines, ServerTextPosition(line, column))
    return types.Position(line=line, character=column)


def finding_data(finding: Finding) -> dict[str, Any]:
    """What a code action needs to find the finding again (sent back by the client)."""
    return {
        "rule": finding.rule,
        "pointer": finding.pointer,
        "document": finding.document,
        "key": finding.key,
    }


def to_diagnostic(
    finding: Finding,
    lines: Sequence[str],
    codec: PositionCodec,
    rules: Mapping[str, Rule],
) -> types.Diagnostic:
    span = finding.span or Span(0, 0, 0, 0)
    rule = rules.get(finding.rule)
    return types.Diagnostic(
        range=client_range(span, lines, codec),
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=rule.docs_url) if rule else None,
        source=SOURCE,
        data=finding_data(finding),
    )


def diagnostics_for(
    text: str,
    documents: int,
    findings: Sequence[Finding],
    lines: Sequence[str],
    codec: PositionCodec,
    rules: Mapping[str, Rule],
) -> list[tuple[Finding, types.Diagnostic]]:
    if not wants_diagnostics(text, documents, findings):
        return []
    return [
        (finding, to_diagnostic(finding, lines, codec, rules))
        for finding in findings
        if finding.rule not in _EDITOR_SILENT
    ]
