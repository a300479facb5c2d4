"""``--format github``: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from podlint.formatters import Formatter, Summary, counted, left_out_line, printable
from podlint.gitutil import relative_path
from podlint.lint import SourceResult
from podlint.model.finding import Finding, Severity
from podlint.rule import DOCS_BASE_URL

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _value(text: str) -> str:
    """A value from a manifest or a file name: no character of it reaches the log raw."""
    return escape_data(printable(text))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, path: str, docs_url: str) -> str:
    properties = [("file", printable(path))]
    span = finding.span
    if span is not None:
        properties += [
            ("line", str(span.line + 1)),
            ("endLine", str(span.end_line + 1)),
            ("col", str(span.column + 1)),
            ("endColumn", str(span.end_column + 1)),
        ]
    properties.append(("title", f"podlint {finding.rule}"))
    head = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    where = "" if span is not None else f"{finding.pointer or '/'}: "
    message = f"{_value(where + finding.message)}%0A{escape_data(docs_url)}"
    return f"::{COMMANDS[finding.severity]} {head}::{message}"


class GithubFormatter(Formatter):
    def handle(self, result: SourceResult) -> None:
        rules = self.registry.rules if self.registry else {}
        for finding in result.findings:
            rule = rules.get(finding.rule)
            url = rule.docs_url if rule else f"{DOCS_BASE_URL}/README.md"
            path = relative_path(finding.path, self.root)
            self.stream.write(annotation(finding, path, url) + "\n")

    def stop(self, summary: Summary) -> None:
        self.stream.write(
            f"podlint: {counted(summary.errors, 'error')}, "
            f"{counted(summary.warnings, 'warning')}, {counted(summary.infos, 'info')} in "
            f"{counted(summary.files, 'file')} ({counted(summary.documents, 'document')})\n"
        )
        left_out = left_out_line(summary)
        if left_out:
            self.stream.write(f"podlint: {left_out}\n")
