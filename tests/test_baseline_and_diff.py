"""--write-baseline / --baseline, --changed-since REF (with real git), and the progress line."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.progress import Progress, progress_wanted

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: web
    image: nginx:latest
"""
SELECT = ("--select", "latest-image-tag,missing-image")


def run(*args: str):
    return CliRunner().invoke(cli, ["lint", *SELECT, *args])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    git("init", "-q", "-b", "main")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "a.yaml").write_text(POD.format(name="a"))
    (tmp_path / "k8s" / "b.yaml").write_text(POD.format(name="b"))
    (tmp_path / "README.md").write_text("docs\n")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    return tmp_path


def git(*args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_baseline_hides_known_findings_across_unrelated_edits(repo: Path) -> None:
    written = CliRunner().invoke(cli, ["lint", *SELECT, "--write-baseline", "base.json", "k8s"])
    assert written.exit_code == 0, written.output
    assert "wrote 2 findings to base.json" in written.output
    entries = json.loads((repo / "base.json").read_text())["findings"]
    assert {(e["file"], e["object"], e["pointer"]) for e in entries} == {
        ("k8s/a.yaml", "Pod a", "/spec/containers/0/image"),
        ("k8s/b.yaml", "Pod b", "/spec/containers/0/image"),
    }
    assert run("--baseline", "base.json", "k8s").exit_code == 0

    # Lines move: still known. A new finding: reported, and only it.
    a = repo / "k8s" / "a.yaml"
    a.write_text("# moved down\n\n" + a.read_text())
    a.write_text(a.read_text() + "  - name: second\n")
    result = run("--baseline", "base.json", "--format", "json", "k8s")
    findings = json.loads(result.output)["findings"]
    assert [(f["file"], f["line"], f["rule"]) for f in findings] == [
        ("k8s/a.yaml", 11, "missing-image")
    ]
    assert result.exit_code == 1


def test_bad_baseline_file_is_a_usage_error(repo: Path) -> None:
    (repo / "base.json").write_text("{not json")
    result = run("--baseline", "base.json", "k8s")
    assert result.exit_code == 2
    assert "base.json: not a podlint baseline" in result.output


def test_changed_since_lints_only_changed_manifests(repo: Path) -> None:
    git("checkout", "-q", "-b", "feature")
    (repo / "k8s" / "b.yaml").write_text(POD.format(name="b2"))
    git("commit", "-q", "-am", "change b")
    (repo / "k8s" / "c.yaml").write_text(POD.format(name="c"))  # untracked, new
    (repo / "README.md").write_text("more docs\n")
    result = run("--changed-since", "main", "--format", "json")
    files = sorted({f["file"] for f in json.loads(result.output)["findings"]})
    assert files == ["k8s/b.yaml", "k8s/c.yaml"]
    scoped = run("--changed-since", "main", "--format", "json", "k8s/c.yaml")
    assert {f["file"] for f in json.loads(scoped.output)["findings"]} == {"k8s/c.yaml"}


def test_changed_since_with_nothing_changed_and_with_a_bad_ref(repo: Path) -> None:
    clean = run("--changed-since", "HEAD")
    assert clean.exit_code == 0
    assert "no findings (0 files" in clean.output
    bad = run("--changed-since", "no-such-ref")
    assert bad.exit_code == 2
    assert "git merge-base no-such-ref HEAD" in bad.output


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("variable", ["CI", "PRE_COMMIT", "GITHUB_ACTIONS"])
def test_no_progress_in_ci_or_pre_commit(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    for name in ("CI", "PRE_COMMIT", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert progress_wanted(_Tty(), quiet=False)
    assert not progress_wanted(_Tty(), quiet=True)
    assert not progress_wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv(variable, "1")
    assert not progress_wanted(_Tty(), quiet=False)


def test_progress_line_is_shown_then_cleared() -> None:
    stream = _Tty()
    progress = Progress(stream, enabled=True, delay=0, interval=0)
    progress.update(3, "k8s/a.yaml")
    progress.close()
    assert stream.getvalue() == "\r\x1b[Kpodlint: 3 files ... k8s/a.yaml\r\x1b[K"
    quiet = _Tty()
    Progress(quiet, enabled=False, delay=0, interval=0).update(1, "x")
    assert quiet.getvalue() == ""


PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web   # the app
    image: nginx:1.27\r
    securityContext:
      privileged: true  # reviewed
"""


def test_fix_rewrites_files_in_place_keeping_comments(repo: Path) -> None:
    path = repo / "k8s" / "priv.yaml"
    path.write_bytes(PRIVILEGED.encode())
    args = ["lint", "--select", "pss-privileged"]
    assert CliRunner().invoke(cli, [*args, "k8s/priv.yaml"]).exit_code == 1
    result = CliRunner().invoke(cli, [*args, "--fix", "k8s"])
    assert result.exit_code == 1, result.output  # the fix is unsafe: not applied by --fix alone
    assert "fixed 0 findings in 0 files; 1 more with --unsafe-fixes" in result.output
    assert path.read_bytes() == PRIVILEGED.encode()
    result = CliRunner().invoke(cli, [*args, "--fix", "--unsafe-fixes", "k8s"])
    assert result.exit_code == 0, result.output
    assert "podlint: fixed 1 finding in 1 file" in result.output
    assert path.read_bytes() == PRIVILEGED.replace("privileged: true", "privileged: false").encode()
    assert (repo / "k8s" / "a.yaml").read_text() == POD.format(name="a")  # nothing to fix there
    refused = CliRunner().invoke(cli, [*args, "--fix", "-"], input=PRIVILEGED)
    assert refused.exit_code == 2
    assert "cannot fix '-'" in refused.output
