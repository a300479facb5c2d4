"""``--format gitlab``: GitLab Code Quality (the CodeClimate subset GitLab reads)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from podlint.baseline import Fingerprints
from podlint.formatters import Formatter, Summary, one_based, printable
from podlint.gitutil import relative_path
from podlint.lint import SourceResult
from podlint.model.finding import Finding, Severity
from podlint.rule import DOCS_BASE_URL

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
CATEGORIES = {
    "security": "Security",
    "efficiency": "Performance",
    "best-practice": "Style",
    "syntax": "Bug Risk",
    "correctness": "Bug Risk",
    "reliability": "Bug Risk",
}


class GitlabFormatter(Formatter):
    def start(self) -> None:
        project = os.environ.get("CI_PROJECT_DIR")
        self.base = Path(project).resolve() if project else self.root
        self.fingerprints = Fingerprints(self.base)
        self.issues: list[dict[str, Any]] = []

    def _issue(self, finding: Finding) -> dict[str, Any]:
        rule = self.registry.rules.get(finding.rule) if self.registry else None
        category = rule.category if rule else "correctness"
        severity = SEVERITIES[finding.severity]
        if category == "security" and finding.severity is Severity.ERROR:
            severity = "critical"
        url = rule.docs_url if rule else f"{DOCS_BASE_URL}/README.md"
        line, column, end_line, end_column = one_based(finding)
        location: dict[str, Any] = {
            "path": printable(relative_path(finding.path, self.base)),
            "lines": {"begin": line or 1, "end": end_line or line or 1},
        }
        if line is not None:
            location["positions"] = {
                "begin": {"line": line, "column": column},
                "end": {"line": end_line, "column": end_column},
            }
        return {
            "type": "issue",
            "check_name": finding.rule,
            "description": printable(f"{finding.message} [{finding.rule}]"),
            "content": {"body": f"[{finding.rule}]({url})"},
            "categories": [CATEGORIES.get(category, "Bug Risk")],
            "severity": severity,
            "fingerprint": self.fingerprints(finding),
            "location": location,
        }

    def handle(self, result: SourceResult) -> None:
        self.issues.extend(self._issue(finding) for finding in result.findings)

    def stop(self, summary: Summary) -> None:
        json.dump(self.issues, self.stream, indent=2)
        self.stream.write("\n")
