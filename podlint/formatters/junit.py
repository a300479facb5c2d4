"""``--format junit``: JUnit XML, one test suite per file, one test case per object, and a
failure per finding (CI servers render it as a test report)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from podlint.formatters import Formatter, Summary, printable
from podlint.gitutil import relative_path
from podlint.lint import SourceResult
from podlint.model.finding import Finding


def _object_name(kind: str | None, namespace: str | None, name: str | None, index: int) -> str:
    if name is None:
        return printable(f"{kind or 'document'} (document {index + 1})")
    return printable(f"{kind or '?'} {namespace + '/' if namespace else ''}{name}")


class JunitFormatter(Formatter):
    def start(self) -> None:
        self.root_element = ET.Element("testsuites", name="podlint")
        self.total = 0
        self.failures = 0

    def handle(self, result: SourceResult) -> None:
        if result.helm_chart is not None:
            return  # a Helm template, left out: nothing was tested
        # Every string is printable, so also free of what XML 1.0 forbids: the report parses.
        path = printable(relative_path(result.path, self.root))
        cases: dict[tuple[int | None, str], tuple[str, list[Finding]]] = {}
        for ref in result.objects:
            name = _object_name(ref.kind, ref.namespace, ref.name, ref.document)
            cases[(ref.document, ref.pointer)] = (name, [])
        for finding in result.findings:
            key = next(
                (
                    k
                    for k in cases
                    if k[0] == finding.document
                    and (
                        not k[1]
                        or finding.pointer == k[1]
                        or finding.pointer.startswith(k[1] + "/")
                    )
                ),
                None,
            )
            if key is None:
                key = (finding.document, "")
                label = "file" if finding.document is None else f"document {finding.document + 1}"
                cases.setdefault(key, (label, []))
            cases[key][1].append(finding)
        if not cases:
            cases[(None, "")] = ("file", [])
        suite = ET.SubElement(self.root_element, "testsuite", name=path)
        failures = 0
        for name, findings in cases.values():
            case = ET.SubElement(suite, "testcase", classname=path, name=name, file=path)
            if findings and findings[0].span is not None:
                case.set("line", str(findings[0].span.line + 1))
            for finding in findings:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=printable(f"{finding.message} [{finding.rule}]"),
                    type=f"{finding.severity.value}:{finding.rule}",
                )
                failure.text = self._details(finding, path)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        self.total += len(cases)
        self.failures += failures

    def _details(self, finding: Finding, path: str) -> str:
        rule = self.registry.rules.get(finding.rule) if self.registry else None
        where = (
            f"{path}:{finding.span.line + 1}:{finding.span.column + 1}"
            if finding.span
            else f"{path}:{finding.pointer or '/'}"
        )
        lines = [f"{where}: {finding.severity.value}: {finding.message} [{finding.rule}]"]
        if finding.pointer:
            lines.append(f"pointer: {finding.pointer}")
        lines = [printable(line) for line in lines]
        if rule is not None:
            lines.append(f"docs: {rule.docs_url}")
        return "\n".join(lines)

    def stop(self, summary: Summary) -> None:
        self.root_element.set("tests", str(self.total))
        self.root_element.set("failures", str(self.failures))
        self.root_element.set("errors", "0")
        ET.indent(self.root_element)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(self.root_element, encoding="unicode"))
        self.stream.write("\n")
