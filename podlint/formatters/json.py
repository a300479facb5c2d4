"""``--format json``: the stable machine contract (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from podlint.formatters import Formatter, Summary, one_based
from podlint.lint import SourceResult
from podlint.model.finding import Finding

JSON_VERSION = 1


def finding_record(finding: Finding) -> dict[str, Any]:
    line, column, end_line, end_column = one_based(finding)
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.path,
        "line": line,
        "column": column,
        "endLine": end_line,
        "endColumn": end_column,
        "pointer": finding.pointer,
        "document": finding.document,
        "kind": finding.kind,
        "namespace": finding.namespace,
        "name": finding.name,
    }


class JsonFormatter(Formatter):
    def start(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.suppressed: list[dict[str, Any]] = []

    def handle(self, result: SourceResult) -> None:
        self.records.extend(finding_record(f) for f in result.findings)
        if self.show_suppressed:
            self.suppressed.extend(
                {**finding_record(item.finding), "suppressedBy": item.form, "reason": item.reason}
                for item in result.suppressed
            )

    def stop(self, summary: Summary) -> None:
        report: dict[str, Any] = {
            "version": JSON_VERSION,
            "findings": self.records,
            "summary": {
                "files": summary.files,
                "documents": summary.documents,
                "findings": summary.findings,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "infos": summary.infos,
                "helmTemplates": summary.helm_templates,
            },
        }
        if self.show_suppressed:
            report["suppressed"] = self.suppressed
        json.dump(report, self.stream, indent=2)
        self.stream.write("\n")
