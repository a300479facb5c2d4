"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning reads it.

Locations are relative to the repository root (``%SRCROOT%``), every result has a full region,
and ``partialFingerprints`` hold podlint's line-independent identity of the finding, so an
edit elsewhere in the file does not close and reopen the alert.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from podlint import __version__
from podlint.baseline import Fingerprints, object_label
from podlint.formatters import Formatter, Summary, path_bytes, printable
from podlint.gitutil import relative_path
from podlint.lint import SourceResult
from podlint.model.finding import Finding, Severity
from podlint.rule import DOCS_BASE_URL, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/podlint/podlint"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks security alerts by this score: >= 7.0 high, 4.0-6.9 medium, < 4.0 low.
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "2.0"}
_LIMIT = 1024


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3] + "..."


def rule_descriptor(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    url = rule.docs_url if rule else f"{DOCS_BASE_URL}/README.md"
    if rule is None:
        return {
            "id": rule_id,
            "shortDescription": {"text": rule_id},
            "helpUri": url,
            "help": {"text": f"See {url}", "markdown": f"See [the rule reference]({url})."},
        }
    what = str(rule.docs.get("what", "")).strip() or rule.summary
    why = str(rule.docs.get("why", "")).strip()
    use_instead = str(rule.docs.get("use-instead", "")).rstrip()
    markdown = [f"**{rule.summary}**", "", what, ""]
    if why:
        markdown += ["**Why is this bad?**", "", why, ""]
    if use_instead:
        markdown += ["**Use instead:**", "", "```yaml", use_instead, "```", ""]
    markdown += [f"[Rule documentation]({url})"]
    properties: dict[str, Any] = {
        "tags": sorted({rule.category, "kubernetes"}),
        "precision": "very-high",
    }
    if rule.category == "security":
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        properties["problem.severity"] = {
            Severity.ERROR: "error",
            Severity.WARNING: "warning",
            Severity.INFO: "recommendation",
        }[rule.severity]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace("/", "-").split("-")),
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(what)},
        "help": {
            "text": f"{rule.summary}\n\n{what}\n\n{why}\n\nDocumentation: {url}".strip(),
            "markdown": "\n".join(markdown),
        },
        "helpUri": url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


class SarifFormatter(Formatter):
    def start(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.rule_ids: dict[str, int] = {}
        self.fingerprints = Fingerprints(self.root)

    def _rule_index(self, rule_id: str) -> int:
        if rule_id not in self.rule_ids:
            self.rule_ids[rule_id] = len(self.rule_ids)
        return self.rule_ids[rule_id]

    def _result(self, finding: Finding) -> dict[str, Any]:
        path = relative_path(finding.path, self.root)
        # Quoted from the name's bytes, so a name that is not UTF-8 keeps them (%FF).
        artifact: dict[str, Any] = {"uri": quote(path_bytes(path))}
        if not path.startswith("/"):
            artifact["uriBaseId"] = "%SRCROOT%"
        else:
            artifact["uri"] = "file://" + quote(path_bytes(path))
        span = finding.span
        if span is not None:
            region = {
                "startLine": span.line + 1,
                "startColumn": span.column + 1,
                "endLine": span.end_line + 1,
                "endColumn": max(span.end_column + 1, 1),
            }
        else:
            region = {"startLine": 1, "startColumn": 1}
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": artifact, "region": region}
        }
        label = object_label(finding)
        if label:
            location["logicalLocations"] = [
                {
                    "name": printable(label),
                    "fullyQualifiedName": printable(f"{label}{finding.pointer}"),
                }
            ]
        return {
            "ruleId": finding.rule,
            "ruleIndex": self._rule_index(finding.rule),
            "level": LEVELS[finding.severity],
            "message": {"text": printable(finding.message)},
            "locations": [location],
            "partialFingerprints": {"podlintIdentity/v1": self.fingerprints(finding)},
            "properties": {"pointer": finding.pointer},
        }

    def handle(self, result: SourceResult) -> None:
        for finding in result.findings:
            self.results.append(self._result(finding))
        if self.show_suppressed:
            for item in result.suppressed:
                record = self._result(item.finding)
                suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
                if item.reason:
                    suppression["justification"] = item.reason
                record["suppressions"] = [suppression]
                self.results.append(record)

    def stop(self, summary: Summary) -> None:
        rules = self.registry.rules if self.registry else {}
        descriptors = [rule_descriptor(rule_id, rules.get(rule_id)) for rule_id in self.rule_ids]
        log = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "podlint",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI,
                            "rules": descriptors,
                        }
                    },
                    "originalUriBaseIds": {"%SRCROOT%": {"uri": self.root.as_uri() + "/"}},
                    "columnKind": "unicodeCodePoints",
                    "results": self.results,
                }
            ],
        }
        json.dump(log, self.stream, indent=2)
        self.stream.write("\n")
