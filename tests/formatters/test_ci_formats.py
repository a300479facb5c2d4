"""SARIF, GitHub annotations, GitLab Code Quality and JUnit, produced by the real CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.formatters.github import escape_data, escape_property

BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:latest
        securityContext:
          privileged: true
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
"""
RULES = "latest-image-tag,pss-privileged,missing-image"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(BAD)
    (tmp_path / "deploy" / "good.yaml").write_text(
        BAD.replace("nginx:latest", "nginx:1.27").replace("privileged: true", "privileged: false")
    )
    monkeypatch.chdir(tmp_path / "deploy")  # paths must still be relative to the repository
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["lint", "--select", RULES, *args], env=env)


def test_sarif_validates_and_has_rule_metadata(repo: Path, sarif_schema: dict[str, Any]) -> None:
    result = run("--format", "sarif", ".")
    assert result.exit_code == 1
    log = json.loads(result.output)
    errors = list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log))
    assert not errors, [e.message for e in errors]
    run_ = log["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert set(rules) == {"latest-image-tag", "pss-privileged"}
    privileged = rules["pss-privileged"]
    assert privileged["properties"]["security-severity"] == "8.0"
    assert "security" in privileged["properties"]["tags"]
    assert privileged["helpUri"].endswith("/docs/rules/pss-privileged.md")
    assert privileged["helpUri"] in privileged["help"]["markdown"]
    assert privileged["helpUri"] in privileged["help"]["text"]
    assert "security-severity" not in rules["latest-image-tag"]["properties"]
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    location = by_rule["latest-image-tag"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {
        "startLine": 15,
        "startColumn": 16,
        "endLine": 15,
        "endColumn": 28,
    }
    assert by_rule["pss-privileged"]["level"] == "error"
    assert run_["results"][0]["ruleIndex"] == list(rules).index(run_["results"][0]["ruleId"])
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_sarif_fingerprints_survive_unrelated_edits(repo: Path) -> None:
    def fingerprints() -> dict[str, tuple[str, int]]:
        log = json.loads(run("--format", "sarif", "web.yaml").output)
        return {
            r["ruleId"]: (
                r["partialFingerprints"]["podlintIdentity/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in log["runs"][0]["results"]
        }

    before = fingerprints()
    path = repo / "deploy" / "web.yaml"
    path.write_text("# owned by the shop team\n# reviewed 2026-01\n" + path.read_text())
    after = fingerprints()
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert all(after[k][1] == before[k][1] + 2 for k in before)
    path.write_text(path.read_text().replace("name: web\n  namespace", "name: api\n  namespace"))
    assert fingerprints()["latest-image-tag"][0] != before["latest-image-tag"][0]


def test_github_annotations_are_escaped_and_relative(repo: Path) -> None:
    result = run("--format", "github", ".")
    lines = [line for line in result.output.splitlines() if line.startswith("::")]
    assert lines[0] == (
        "::warning file=deploy/web.yaml,line=15,endLine=15,col=16,endColumn=28,"
        'title=podlint latest-image-tag::container "web": image "nginx:latest" uses the '
        'mutable ":latest" tag; pin a version or a digest%0A'
        "https://github.com/podlint/podlint/blob/main/docs/rules/latest-image-tag.md"
    )
    assert lines[1].startswith("::error file=deploy/web.yaml,line=17,")
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


@pytest.mark.parametrize(
    ("env", "expected"), [({"GITHUB_ACTIONS": "true"}, "::"), ({}, "web.yaml:15:16: warning")]
)
def test_auto_format_follows_github_actions(repo: Path, env: dict[str, str], expected: str) -> None:
    assert expected in run("web.yaml", env=env).output


def test_gitlab_code_quality(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_PROJECT_DIR", str(repo / "deploy"))
    issues = json.loads(run("--format", "gitlab", ".").output)
    assert isinstance(issues, list) and len(issues) == 2
    by_rule = {issue["check_name"]: issue for issue in issues}
    latest = by_rule["latest-image-tag"]
    assert latest["severity"] == "minor"
    assert latest["location"]["path"] == "web.yaml"
    assert latest["location"]["lines"]["begin"] == 15
    assert latest["location"]["positions"]["begin"] == {"line": 15, "column": 16}
    assert "nginx:latest" in latest["description"]
    assert "docs/rules/latest-image-tag.md" in latest["content"]["body"]
    assert by_rule["pss-privileged"]["severity"] == "critical"
    assert len({issue["fingerprint"] for issue in issues}) == 2


def test_junit_has_a_testcase_per_object_and_a_failure_per_finding(repo: Path) -> None:
    result = run("--format", "junit", ".")
    root = ET.fromstring(result.output)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    suites = {suite.get("name"): suite for suite in root}
    assert set(suites) == {"deploy/good.yaml", "deploy/web.yaml"}
    cases = {case.get("name"): case for case in suites["deploy/web.yaml"]}
    assert set(cases) == {"Deployment shop/web", "ConfigMap settings"}
    failures = cases["Deployment shop/web"].findall("failure")
    assert [f.get("type") for f in failures] == ["warning:latest-image-tag", "error:pss-privileged"]
    assert "deploy/web.yaml:15:16" in (failures[0].text or "")
    assert "docs/rules/latest-image-tag.md" in (failures[0].text or "")
    assert not cases["ConfigMap settings"].findall("failure")


def test_several_reports_in_one_run(repo: Path) -> None:
    result = run(
        "--format",
        "sarif",
        "--output",
        "out.sarif",
        "--format",
        "text",
        "--format",
        "junit",
        "-o",
        "junit.xml",
        ".",
    )
    assert result.exit_code == 1
    assert "web.yaml:15:16: warning" in result.output
    assert json.loads((repo / "deploy" / "out.sarif").read_text())["version"] == "2.1.0"
    assert ET.parse(repo / "deploy" / "junit.xml").getroot().tag == "testsuites"


def test_two_reports_on_stdout_are_refused(repo: Path) -> None:
    result = run("--format", "sarif", "--format", "json", ".")
    assert result.exit_code == 2
    assert "only one --format may write to stdout" in result.output


def test_an_unwritable_output_is_named_without_a_traceback(repo: Path) -> None:
    result = run("--format", "sarif", "--output", "missing-dir/out.sarif", ".")
    assert result.exit_code == 2
    assert "cannot write missing-dir/out.sarif: No such file or directory" in result.output
    assert "Traceback" not in result.output


def test_auto_writes_text_to_a_file_and_quiet_github_has_no_summary(repo: Path) -> None:
    env = {"GITHUB_ACTIONS": "true"}
    result = run("--output", "report.txt", "web.yaml", env=env)
    assert result.exit_code == 1
    assert (repo / "deploy" / "report.txt").read_text().startswith("web.yaml:15:16: warning")
    quiet = run("--quiet", "web.yaml", env=env).output.splitlines()
    assert quiet and all(line.startswith("::") for line in quiet)
