"""`podlint diff OLD NEW` and `podlint lint --base REF`: real files, a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.cli import main

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: example.com/migrate:{tag}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


@pytest.fixture
def chdir(tmp_path: Path) -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    # Configuration files that other tests leave in parent directories must not apply here.
    code = main([*args, "--no-config"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report(out: str) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


def test_diff_reports_against_new_with_new_positions(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "old.yaml").write_text(DEPLOYMENT.format(app="web") + "---\n" + JOB.format(tag="1"))
    (chdir / "new.yaml").write_text(
        "# moved around\n" + JOB.format(tag="2") + "---\n" + DEPLOYMENT.format(app="web")
    )
    code, out, _ = run(capsys, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert code == 1
    found = [(f["rule"], f["file"], f["line"], f["column"], f["kind"]) for f in report(out)]
    assert found == [("immutable-job-template", "new.yaml", 12, 16, "Job")]
    assert '(was "example.com/migrate:1")' in report(out)[0]["message"]


def test_diff_of_directories_matches_objects_across_files(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "old").mkdir()
    (chdir / "new").mkdir()
    (chdir / "old" / "all.yaml").write_text(
        DEPLOYMENT.format(app="web") + "---\n" + JOB.format(tag="1")
    )
    (chdir / "new" / "web.yaml").write_text(DEPLOYMENT.format(app="site"))
    (chdir / "new" / "created.yaml").write_text(
        JOB.format(tag="1").replace("migrate\n", "seed\n", 1)
    )
    code, out, _ = run(capsys, "diff", "old", "new", "--format", "json")
    assert code == 1
    found = [(f["rule"], f["file"], f["line"]) for f in report(out)]
    assert found == [("immutable-selector", os.path.join("new", "web.yaml"), 8)]


def test_diff_honours_suppression_comments_and_fail_on(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "old.yaml").write_text(JOB.format(tag="1"))
    (chdir / "new.yaml").write_text(
        JOB.format(tag="2 # podlint: disable=immutable-job-template -- recreated by the pipeline")
    )
    code, out, _ = run(capsys, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert (code, report(out)) == (0, [])
    (chdir / "new.yaml").write_text(JOB.format(tag="2"))
    code, _, _ = run(capsys, "diff", "old.yaml", "new.yaml", "--fail-on", "never")
    assert code == 0


def test_diff_reports_unreadable_old_side_once_and_goes_on(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "old.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: [oops\n---\n"
        "apiVersion: v1\nkind: ConfigMap\ndata: {x: [\n---\n" + JOB.format(tag="1")
    )
    (chdir / "new.yaml").write_text(JOB.format(tag="2"))
    code, out, err = run(capsys, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert code == 1
    assert [f["rule"] for f in report(out)] == ["immutable-job-template"]
    assert err.count("not compared") == 1
    assert "old.yaml:5:" in err


def test_diff_new_side_syntax_error_is_a_finding(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "old.yaml").write_text(JOB.format(tag="1"))
    (chdir / "new.yaml").write_text("kind: [\n")
    code, out, _ = run(capsys, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert code == 1
    assert [(f["rule"], f["line"]) for f in report(out)] == [("yaml-syntax", 1)]


def test_missing_old_path_is_a_usage_error(chdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (chdir / "new.yaml").write_text(JOB.format(tag="2"))
    code, _, err = run(capsys, "diff", "nope.yaml", "new.yaml")
    assert code == 2
    assert "nope.yaml" in err


def test_plain_lint_never_reports_update_rules(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chdir / "job.yaml").write_text(JOB.format(tag="1"))
    code, out, _ = run(capsys, "lint", "job.yaml", "--select", "immutable-*", "--format", "json")
    assert (code, report(out)) == (0, [])


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_lint_base_follows_renamed_files(chdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(chdir, "init", "-q")
    (chdir / "k8s").mkdir()
    (chdir / "k8s" / "all.yaml").write_text(
        DEPLOYMENT.format(app="web") + "---\n" + JOB.format(tag="1")
    )
    git(chdir, "add", ".")
    git(chdir, "commit", "-q", "-m", "base")
    git(chdir, "mv", "k8s/all.yaml", "k8s/job.yaml")
    (chdir / "k8s" / "job.yaml").write_text(JOB.format(tag="2"))
    (chdir / "k8s" / "web.yaml").write_text(DEPLOYMENT.format(app="web"))
    code, out, _ = run(
        capsys, "lint", "--base", "HEAD", "k8s", "--format", "json", "--select", "immutable-*"
    )
    assert code == 1
    found = [(f["rule"], f["file"], f["line"]) for f in report(out)]
    assert found == [("immutable-job-template", os.path.join("k8s", "job.yaml"), 11)]


def test_lint_base_adds_to_the_usual_findings(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(chdir, "init", "-q")
    (chdir / "job.yaml").write_text(JOB.format(tag="1"))
    git(chdir, "add", ".")
    git(chdir, "commit", "-q", "-m", "base")
    (chdir / "job.yaml").write_text(JOB.format(tag="latest"))
    code, out, _ = run(
        capsys,
        "lint",
        "--base",
        "HEAD",
        "job.yaml",
        "--format",
        "json",
        "--select",
        "immutable-*,latest-image-tag",
    )
    assert code == 1
    assert sorted(f["rule"] for f in report(out)) == ["immutable-job-template", "latest-image-tag"]


def test_lint_base_errors_exit_2(chdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (chdir / "job.yaml").write_text(JOB.format(tag="1"))
    code, _, err = run(capsys, "lint", "--base", "origin/main", "job.yaml")
    assert code == 2
    assert "--base needs a git repository" in err
    git(chdir, "init", "-q")
    git(chdir, "add", ".")
    git(chdir, "commit", "-q", "-m", "base")
    code, _, err = run(capsys, "lint", "--base", "no-such-ref", "job.yaml")
    assert code == 2
    assert "unknown git revision 'no-such-ref'" in err


def test_lint_base_with_a_renamed_file_given_by_name(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(chdir, "init", "-q")
    (chdir / "old-name.yaml").write_text(JOB.format(tag="1"))
    git(chdir, "add", ".")
    git(chdir, "commit", "-q", "-m", "base")
    git(chdir, "mv", "old-name.yaml", "job.yaml")
    (chdir / "job.yaml").write_text(JOB.format(tag="2"))
    code, out, _ = run(
        capsys, "lint", "--base", "HEAD", "job.yaml", "--format", "json", "--select", "immutable-*"
    )
    assert code == 1
    assert [(f["rule"], f["file"], f["line"]) for f in report(out)] == [
        ("immutable-job-template", "job.yaml", 11)
    ]


def test_update_rule_suppressions_are_unused_only_when_versions_are_compared(
    chdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suppressed = JOB.format(tag="2  # podlint: disable=immutable-job-template -- recreated")
    (chdir / "job.yaml").write_text(suppressed)
    rules = "immutable-*,unused-suppression"
    code, out, _ = run(capsys, "lint", "job.yaml", "--select", rules, "--format", "json")
    assert (code, report(out)) == (0, [])
    (chdir / "old.yaml").write_text(JOB.format(tag="2"))
    code, out, _ = run(
        capsys, "diff", "old.yaml", "job.yaml", "--select", rules, "--format", "json"
    )
    assert [(f["rule"], f["line"]) for f in report(out)] == [("unused-suppression", 11)]
