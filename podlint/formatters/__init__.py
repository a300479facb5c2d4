"""Output formats; each module is one format, registered through ``podlint_formatters``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from podlint.lazyre import LazyPattern
from podlint.lint import SourceResult
from podlint.model.finding import Finding, Severity

if TYPE_CHECKING:
    from podlint.registry import Registry


@dataclass
class Summary:
    """The counts a report ends with."""

    files: int = 0
    documents: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    # The policies that ran (--policy, or a configuration's extends), for the summary line.
    policies: list[str] = field(default_factory=list)
    # Templates of Helm charts, left out (not counted in ``files``), and their charts.
    helm_templates: int = 0
    helm_charts: set[str] = field(default_factory=set)

    def add_policy(self, policy: str) -> None:
        if policy not in self.policies:
            self.policies.append(policy)

    def add(self, result: SourceResult) -> None:
        if result.helm_chart is not None:
            self.helm_templates += 1
            self.helm_charts.add(result.helm_chart)
            return
        if not result.supplement:
            self.files += 1
        self.documents += result.documents
        for finding in result.findings:
            self.findings += 1
            if finding.severity is Severity.ERROR:
                self.errors += 1
            elif finding.severity is Severity.WARNING:
                self.warnings += 1
            else:
                self.infos += 1


class Formatter:
    """Base formatter: ``start``, then ``handle`` per source, then ``stop`` with the summary."""

    def __init__(
        self,
        stream: TextIO,
        *,
        color: bool = False,
        registry: Registry | None = None,
        root: Path | None = None,
        show_suppressed: bool = False,
    ) -> None:
        self.stream = stream
        self.color = color
        # Rule metadata (docs links, categories) and the repository root paths are relative to.
        self.registry = registry
        self.root = root or Path.cwd()
        self.show_suppressed = show_suppressed

    def start(self) -> None:
        pass

    def handle(self, result: SourceResult) -> None:
        raise NotImplementedError

    def stop(self, summary: Summary) -> None:
        pass


def counted(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count and its noun, in the plural unless it is one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def left_out_line(summary: Summary) -> str | None:
    """What the summary says about the Helm templates left out, and how to lint them."""
    if not summary.helm_templates:
        return None
    count = summary.helm_templates
    templates = f"{count} template{'s' if count != 1 else ''}"
    if len(summary.helm_charts) == 1:
        chart = next(iter(summary.helm_charts))
        where = f"of the Helm chart {chart}"
    else:
        chart = "CHART"
        where = f"of {len(summary.helm_charts)} Helm charts"
    return (
        f"left out {templates} {where}: lint what Helm renders instead: "
        f"helm template {chart} | podlint lint - --stdin-filename {chart}"
    )


def one_based(finding: Finding) -> tuple[int | None, int | None, int | None, int | None]:
    """(line, column, end line, end column), 1-based, or None where unknown."""
    span = finding.span
    if span is None:
        return None, None, None, None
    return span.line + 1, span.column + 1, span.end_line + 1, span.end_column + 1


# What a report must not carry raw: C0 and C1 controls (ESC starts terminal and log-viewer
# sequences; a newline forges a line), DEL, line and paragraph separators, bidirectional
# overrides (text that reads differently than it is), the surrogates a file name that is
# not UTF-8 decodes to, and the non-characters XML refuses. Tabs stay.
_UNPRINTABLE = LazyPattern(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character a report must not carry raw written as an escape:
    ``\\x1b``, ``\\n``, ``\\u2028``, and a byte of a file name that is not UTF-8 as ``\\xff``."""
    return _UNPRINTABLE.sub(_escaped, text)


def path_bytes(path: str) -> bytes:
    """A file name as the bytes it has on disk (names that are not UTF-8 included)."""
    return os.fsencode(path)
