"""--fix, --unsafe-fixes and --diff on real files (and real git for the diff and old spelling)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli

CRONJOB = """\
apiVersion: batch/v1beta1   # from the old chart
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.example.com/report:1.0.0
            securityContext:
              privileged: true
"""
SELECT = ("--select", "removed-api-version,pss-privileged")


def lint(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["lint", *SELECT, *args], input=input)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "cron.yaml").write_text(CRONJOB)
    return tmp_path


def test_fix_applies_only_safe_fixes(workdir: Path) -> None:
    result = lint("--fix", "cron.yaml")
    assert result.exit_code == 1, result.output  # pss-privileged is left, at error
    assert "podlint: fixed 1 finding in 1 file; 1 more with --unsafe-fixes" in result.output
    assert (workdir / "cron.yaml").read_text() == CRONJOB.replace("batch/v1beta1", "batch/v1")
    assert "[pss-privileged]" in result.output
    assert "[removed-api-version]" not in result.output
    result = lint("--fix", "--unsafe-fixes", "cron.yaml")
    assert result.exit_code == 0, result.output
    assert (workdir / "cron.yaml").read_text() == CRONJOB.replace(
        "batch/v1beta1", "batch/v1"
    ).replace("privileged: true", "privileged: false")


def test_diff_previews_and_writes_nothing(workdir: Path) -> None:
    result = lint("--diff", "cron.yaml")
    assert result.exit_code == 1
    assert (workdir / "cron.yaml").read_text() == CRONJOB
    assert result.stdout == (
        "--- a/cron.yaml\n"
        "+++ b/cron.yaml\n"
        "@@ -1,4 +1,4 @@\n"
        "-apiVersion: batch/v1beta1   # from the old chart\n"
        "+apiVersion: batch/v1   # from the old chart\n"
        " kind: CronJob\n"
        " metadata:\n"
        "   name: report\n"
    )
    assert "would fix 1 finding in 1 file; 1 more with --unsafe-fixes" in result.stderr
    both = lint("--diff", "--unsafe-fixes", "cron.yaml")
    assert both.exit_code == 1
    assert "+              privileged: false\n" in both.stdout
    assert (workdir / "cron.yaml").read_text() == CRONJOB


def test_diff_applies_with_git_apply(workdir: Path) -> None:
    diff = lint("--diff", "--unsafe-fixes", "cron.yaml").stdout
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "apply", "-"], input=diff, text=True, check=True)
    assert lint("cron.yaml").exit_code == 0
    assert lint("--diff", "cron.yaml").exit_code == 0  # nothing left to fix
    assert lint("--diff", "cron.yaml").stdout == ""


def test_diff_names_absolute_paths_as_git_apply_reads_them(workdir: Path) -> None:
    inside = lint("--diff", str(workdir / "cron.yaml")).stdout
    assert inside.startswith("--- a/cron.yaml\n+++ b/cron.yaml\n")
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    outside = lint("--diff", str(workdir / "cron.yaml")).stdout
    assert outside.startswith(f"--- a{workdir}/cron.yaml\n")
    assert "//" not in outside.splitlines()[0]


def test_diff_reads_stdin(workdir: Path) -> None:
    result = lint("--diff", "--stdin-filename", "k8s/cron.yaml", "-", input=CRONJOB)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/k8s/cron.yaml\n+++ b/k8s/cron.yaml\n")


def test_fix_option_mistakes(workdir: Path) -> None:
    alone = lint("--unsafe-fixes", "cron.yaml")
    assert alone.exit_code == 2
    assert "--unsafe-fixes goes with --fix or --diff" in alone.output
    stdin = lint("--fix", "-", input=CRONJOB)
    assert stdin.exit_code == 2
    assert "use --diff to see the fixes" in stdin.output


def test_old_diff_spelling_names_changed_since(workdir: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], check=True)
    result = lint("--diff", "main")
    assert result.exit_code == 2
    assert "'main' is a git revision: use --changed-since main" in result.output
    # A path that exists is a path, even when a branch has the same name.
    (workdir / "main").mkdir()
    assert lint("--diff", "main").exit_code == 0


def test_rules_and_explain_say_whether_a_fix_is_safe() -> None:
    import json

    rows = {
        r["id"]: r
        for r in json.loads(CliRunner().invoke(cli, ["rules", "--format", "json"]).output)
    }
    assert rows["removed-api-version"]["fix"] == "safe"
    assert rows["pss-privileged"]["fix"] == "unsafe"
    assert rows["latest-image-tag"]["fix"] is None
    table = CliRunner().invoke(cli, ["rules"]).output.splitlines()
    assert table[0].split()[:5] == ["RULE", "CATEGORY", "SEVERITY", "FIX", "POLICIES"]
    assert [line.split()[3] for line in table if line.startswith("pss-privileged ")] == ["unsafe"]
    explained = CliRunner().invoke(cli, ["explain", "suspicious-quantity"]).output
    assert "## Fix\n\nUnsafe: applied only with `podlint lint --fix --unsafe-fixes`." in explained
    assert "512M" in explained


def test_fix_skips_what_is_not_a_regular_file(workdir: Path) -> None:
    import threading

    (workdir / "k8s").mkdir()
    os.mkfifo(workdir / "k8s" / "pipe.yaml")
    (workdir / "k8s" / "cron.yaml").write_text(CRONJOB)
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(lint("--diff", "k8s")), daemon=True)
    thread.start()
    thread.join(60)
    assert done, "--diff waited on the FIFO"
    assert "+++ b/k8s/cron.yaml" in done[0].stdout  # type: ignore[attr-defined]
