"""Findings as the apiserver will carry them: denial messages, warnings, audit annotations.

kube-apiserver silently drops a warning that holds any control character, deduplicates
identical ones, and once 4096 characters of warnings have been written it truncates every
warning to 256 characters and drops the rest. We stay inside those limits ourselves so that
what the user sees is what we chose, ending with "and N more" when we had to cut.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from podlint.model.finding import Finding

WARNINGS_TOTAL = 4096
WARNING_ITEM = 256
DENY_LINES = 50
DENY_LINE = 1024
DENY_TOTAL = 8192
ANNOTATION_VALUE = 4096


def clean(text: str) -> str:
    """One line, no control characters (tabs and newlines become spaces)."""
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_line(finding: Finding) -> str:
    return f"{finding.rule}: {finding.pointer or '/'}: {finding.message}"


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """The most severe first; stable otherwise, so document order is kept."""
    return sorted(findings, key=lambda finding: -finding.severity.rank)


def warnings_for(findings: Sequence[Finding], total: int = WARNINGS_TOTAL) -> list[str]:
    """Deduplicated single-line warnings, most severe first, under the total budget."""
    texts: list[str] = []
    seen: set[str] = set()
    for finding in by_severity(findings):
        text = _shorten(clean(finding_line(finding)), WARNING_ITEM)
        if text and text not in seen:
            seen.add(text)
            texts.append(text)
    kept: list[str] = []
    used = 0
    for index, text in enumerate(texts):
        remaining_after = len(texts) - index - 1
        reserve = len(f"and {remaining_after} more") if remaining_after else 0
        if used + len(text) + reserve >= total:
            kept.append(f"and {len(texts) - index} more")
            return kept
        kept.append(text)
        used += len(text)
    return kept


def denial_message(
    findings: Sequence[Finding], limit: int = DENY_LINES, total: int = DENY_TOTAL
) -> str:
    """One `rule: pointer: message` line per finding, the first standing on its own; lines
    and their total are bounded as warnings are, so one object cannot make a huge answer."""
    lines = [_shorten(clean(finding_line(f)), DENY_LINE) for f in by_severity(findings)]
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        left = len(lines) - index
        if (index == limit - 1 and left > 1) or used + len(line) + 1 > total:
            kept.append(f"and {left} more")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def annotation_value(findings: Sequence[Finding], limit: int = ANNOTATION_VALUE) -> str:
    return _shorten("; ".join(clean(finding_line(finding)) for finding in findings), limit)
