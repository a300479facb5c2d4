"""Helm charts: templates are left out (the summary says how to lint the rendered chart), and
``helm template ... | podlint lint -`` reports against the template files.

tests/repos/helm-app holds a chart laid out as ``helm create`` lays one out; Helm is not
installed here, so tests/repos/helm-app.rendered is what ``helm template charts/web`` prints
for it (Helm's ``---`` / ``# Source:`` layout, objects in Helm's install order, so the two
documents of templates/worker.yaml are apart).
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from podlint.cli import cli

REPOS = Path(__file__).parent / "repos"
APP = REPOS / "helm-app"
RENDERED = (REPOS / "helm-app.rendered").read_text()
ONLY = ("--select", "latest-image-tag,pss-privileged,missing-image", "--no-config")


def run(*args: str, stdin: str | None = None) -> Result:
    before = Path.cwd()
    os.chdir(APP)
    try:
        return CliRunner().invoke(cli, ["lint", *args], input=stdin, catch_exceptions=False)
    finally:
        os.chdir(before)


def report(*args: str, stdin: str | None = None) -> Any:
    result = run(*ONLY, "--format", "json", *args, stdin=stdin)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_directory_walk_leaves_templates_out_and_says_how_to_lint_them() -> None:
    result = run(*ONLY, ".")
    assert result.exit_code == 0, result.output
    assert "templates" not in result.output.replace("left out 4 templates", "")
    assert result.output.splitlines()[-1] == (
        "left out 4 templates of the Helm chart charts/web: lint what Helm renders instead: "
        "helm template charts/web | podlint lint - --stdin-filename charts/web"
    )
    github = run(*ONLY, "--format", "github", ".")
    assert github.output.splitlines()[-1] == "podlint: " + result.output.splitlines()[-1]
    summary = report(".")["summary"]
    assert summary["helmTemplates"] == 4
    assert summary["files"] == 3  # Chart.yaml, values.yaml and the namespace: not templates


def test_templates_named_by_file_are_left_out_too() -> None:
    # pre-commit passes files by name; deployment.yaml renders an image with a :latest tag.
    names = [
        "charts/web/templates/deployment.yaml",
        "charts/web/templates/tests/test-connection.yaml",
    ]
    result = run(*ONLY, *names)
    assert result.exit_code == 0, result.output
    assert "helm-template" not in result.output and "error" not in result.output
    assert "left out 2 templates of the Helm chart charts/web" in result.output
    assert report(*names)["summary"]["helmTemplates"] == 2


def test_a_templates_directory_without_a_chart_is_linted(tmp_path: Path) -> None:
    # "templates/" alone is not a chart: without Chart.yaml beside it, files are manifests.
    (tmp_path / "templates").mkdir()
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: x}]\n"
    (tmp_path / "templates" / "pod.yaml").write_text(pod)
    out = report(str(tmp_path))
    assert [f["rule"] for f in out["findings"]] == ["missing-image"]
    assert out["summary"]["helmTemplates"] == 0


EXPECTED = {
    ("web/templates/deployment.yaml", 16, 18, "latest-image-tag", 0),
    ("web/templates/worker.yaml", 25, 25, "pss-privileged", 1),
}


def test_rendered_chart_findings_name_the_template_and_its_line() -> None:
    out = report("-", stdin=RENDERED)
    found = {(f["file"], f["line"], f["column"], f["rule"], f["document"]) for f in out["findings"]}
    assert found == EXPECTED
    assert out["summary"]["files"] == 4  # the templates rendered, not "<stdin>"
    assert out["summary"]["documents"] == 5


def test_stdin_filename_naming_the_chart_gives_paths_in_the_repository() -> None:
    out = report("--stdin-filename", "charts/web", "-", stdin=RENDERED)
    found = {(f["file"], f["line"], f["rule"]) for f in out["findings"]}
    assert found == {
        ("charts/web/templates/deployment.yaml", 16, "latest-image-tag"),
        ("charts/web/templates/worker.yaml", 25, "pss-privileged"),
    }


def test_text_output_quotes_the_rendered_line() -> None:
    result = run(*ONLY, "-", stdin=RENDERED)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index(
        'web/templates/worker.yaml:25:25: error: privileged (container "worker" must not set '
        "securityContext.privileged=true) [pss-privileged]"
    )
    assert lines[at + 2] == "25 |             privileged: true"
    assert "<stdin>" not in result.output


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "junit"])
def test_every_format_names_the_template(fmt: str) -> None:
    result = run(*ONLY, "--stdin-filename", "charts/web", "--format", fmt, "-", stdin=RENDERED)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "<stdin>" not in out and 'charts/web"' not in out
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        places = {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }
        assert places == {
            ("tests/repos/helm-app/charts/web/templates/deployment.yaml", 16),
            ("tests/repos/helm-app/charts/web/templates/worker.yaml", 25),
        }
    elif fmt == "github":
        assert "file=tests/repos/helm-app/charts/web/templates/worker.yaml,line=25," in out
        assert "file=tests/repos/helm-app/charts/web/templates/deployment.yaml,line=16," in out
    elif fmt == "gitlab":
        issues = json.loads(out)
        assert {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues} == {
            ("tests/repos/helm-app/charts/web/templates/deployment.yaml", 16),
            ("tests/repos/helm-app/charts/web/templates/worker.yaml", 25),
        }
    else:
        suites = ET.fromstring(out).findall("testsuite")
        assert {suite.get("name") for suite in suites} == {
            f"tests/repos/helm-app/charts/web/templates/{name}"
            for name in (
                "worker.yaml",
                "service.yaml",
                "deployment.yaml",
                "tests/test-connection.yaml",
            )
        }


def test_suppression_comments_apply_within_the_template() -> None:
    suppressed = RENDERED.replace(
        "privileged: true", "privileged: true  # podlint: disable=pss-privileged"
    )
    out = report("-", stdin=suppressed)
    assert {f["rule"] for f in out["findings"]} == {"latest-image-tag"}


def test_input_before_the_first_source_comment_keeps_the_stdin_name() -> None:
    extra = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: x}]\n"
    out = report("-", stdin=extra + RENDERED)
    found = {(f["file"], f["line"], f["rule"]) for f in out["findings"]}
    assert ("<stdin>", 5, "missing-image") in found
    assert ("web/templates/worker.yaml", 25, "pss-privileged") in found


def test_a_stdin_filename_naming_a_file_reports_against_it() -> None:
    # `cat deploy.yaml | podlint lint - --stdin-filename deploy.yaml`: a file generated by
    # helm template once keeps its # Source: comments, but it is the file that is linted.
    out = report("--stdin-filename", "deploy.yaml", "-", stdin=RENDERED)
    found = {(f["file"], f["line"], f["rule"]) for f in out["findings"]}
    assert found == {("deploy.yaml", 38, "latest-image-tag"), ("deploy.yaml", 61, "pss-privileged")}
