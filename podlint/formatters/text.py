"""``--format text``: one line per finding, then the source line with a caret (like ruff)."""

from __future__ import annotations

from podlint.formatters import Formatter, Summary, counted, left_out_line, printable
from podlint.lint import SourceResult
from podlint.model.finding import Finding, Severity
from podlint.source.lines import split_lines

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
# Characters of a source line an excerpt shows at most, and before the finding.
_EXCERPT_WIDTH = 160
_EXCERPT_CONTEXT = 60


class TextFormatter(Formatter):
    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def handle(self, result: SourceResult) -> None:
        suppressed = result.suppressed if self.show_suppressed else []
        if not result.findings and not suppressed:
            return
        lines = split_lines(result.text) if result.text is not None else []
        for finding in result.findings:
            self.stream.write(self._headline(finding) + "\n")
            excerpt = self._excerpt(finding, lines)
            if excerpt:
                self.stream.write(excerpt)
        for item in suppressed:
            reason = f" -- {printable(item.reason)}" if item.reason else ""
            headline = self._headline(item.finding).replace(
                f": {item.finding.severity.value}: ", ": suppressed: ", 1
            )
            self.stream.write(f"{headline} (by {item.form}{reason})\n")
        self.stream.write("\n")

    def _headline(self, finding: Finding) -> str:
        if finding.span is not None:
            where = f"{finding.path}:{finding.span.line + 1}:{finding.span.column + 1}"
        else:
            where = f"{finding.path}:{finding.pointer or '/'}"
        severity = self._paint(finding.severity.value, "1;" + _COLORS[finding.severity])
        rule = self._paint(f"[{printable(finding.rule)}]", "2")
        message = printable(finding.message)
        return f"{self._paint(printable(where), '1')}: {severity}: {message} {rule}"

    def _excerpt(self, finding: Finding, lines: list[str]) -> str:
        span = finding.span
        if span is None or span.line >= len(lines):
            return ""
        raw = lines[span.line].replace("\t", " ")
        start_column = span.column
        end = span.end_column if span.end_line == span.line else span.column + 1
        if len(raw) > _EXCERPT_WIDTH:
            # A long line (minified JSON) is shown around the finding, not whole: a report
            # would otherwise repeat the whole line for every finding on it.
            first = max(0, min(span.column - _EXCERPT_CONTEXT, len(raw) - _EXCERPT_WIDTH))
            window = raw[first : first + _EXCERPT_WIDTH]
            prefix = "..." if first > 0 else ""
            suffix = "..." if first + _EXCERPT_WIDTH < len(raw) else ""
            raw = prefix + window + suffix
            start_column = span.column - first + len(prefix)
            end = min(end - first + len(prefix), len(prefix) + len(window))
        # Escapes are wider than the characters they stand for: the caret follows them.
        source = printable(raw)
        column = len(printable(raw[:start_column]))
        width = len(printable(raw[start_column:end])) or 1
        width = max(1, min(width, len(source) - column))
        number = str(span.line + 1)
        gutter = " " * len(number)
        caret = " " * column + self._paint("^" * width, _COLORS[finding.severity])
        bar = self._paint("|", "34")
        return (
            f"{gutter} {bar}\n{self._paint(number, '34')} {bar} {source}\n{gutter} {bar} {caret}\n"
        )

    def stop(self, summary: Summary) -> None:
        self.stream.write(summary_line(summary) + "\n")
        left_out = left_out_line(summary)
        if left_out:
            self.stream.write(left_out + "\n")


class ConciseFormatter(TextFormatter):
    """``--format concise``: one line per finding, no source excerpt (ruff's concise)."""

    def handle(self, result: SourceResult) -> None:
        for finding in result.findings:
            self.stream.write(self._headline(finding) + "\n")
        if self.show_suppressed:
            for item in result.suppressed:
                reason = f" -- {printable(item.reason)}" if item.reason else ""
                headline = self._headline(item.finding).replace(
                    f": {item.finding.severity.value}: ", ": suppressed: ", 1
                )
                self.stream.write(f"{headline} (by {item.form}{reason})\n")


# What the next policy up adds, for the summary line's hint.
MORE = {
    "default": "`--policy recommended` for resources and probes",
    "baseline": "`--policy recommended` for resources and probes",
    "recommended": "`--policy hardened` for security hardening",
    "restricted": "`--policy hardened` for resources, probes and hardening",
}


def summary_line(summary: Summary, *, statistics: bool = False) -> str:
    """Which policy ran, what it found, and how to see more."""
    if summary.findings == 0:
        found = (
            f"no findings ({counted(summary.files, 'file')}, "
            f"{counted(summary.documents, 'document')})"
        )
    else:
        parts = []
        for count, word in (
            (summary.errors, "error"),
            (summary.warnings, "warning"),
            (summary.infos, "info"),
        ):
            if count:
                parts.append(counted(count, word))
        found = (
            f"found {', '.join(parts)} in {counted(summary.files, 'file')} "
            f"({counted(summary.documents, 'document')})"
        )
    policies = [printable(policy) for policy in summary.policies]  # a config can name a file
    if len(policies) == 1:
        found = f"{policies[0]} policy: {found}"
    elif policies:
        found = f"policies {', '.join(policies)}: {found}"
    hints = [MORE[policies[0]]] if len(policies) == 1 and policies[0] in MORE else []
    if summary.findings and not statistics:
        hints.append("`--statistics` for counts per rule")
    return f"{found}; {', '.join(hints)}" if hints else found
