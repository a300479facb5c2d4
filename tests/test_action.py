"""The composite GitHub Action: its shape, and its lint step run for real with bash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

BAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest
"""


def load_action(repo_root: Path) -> dict:
    return YAML(typ="safe").load((repo_root / "action.yml").read_text())


def test_action_is_composite_and_uploads_sarif(repo_root: Path) -> None:
    action = load_action(repo_root)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert {"paths", "args", "changed-since", "version", "sarif-file", "upload-sarif"} <= set(
        action["inputs"]
    )
    assert "Deprecated" in action["inputs"]["diff"]["description"]


def test_lint_step_writes_annotations_and_sarif(repo_root: Path, tmp_path: Path) -> None:
    step = next(s for s in load_action(repo_root)["runs"]["steps"] if s.get("id") == "lint")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text(BAD)
    (tmp_path / ".git").mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PODLINT_PATHS": "k8s",
        "PODLINT_ARGS": "--select latest-image-tag --fail-on warning",
        "PODLINT_CHANGED_SINCE": "",
        "PODLINT_DIFF": "",
        "PODLINT_SARIF": "out/podlint.sarif",
    }
    (tmp_path / "out").mkdir()
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("::warning file=k8s/pod.yaml,line=8,"), result.stdout
    sarif = json.loads((tmp_path / "out" / "podlint.sarif").read_text())
    [finding] = sarif["runs"][0]["results"]
    assert finding["ruleId"] == "latest-image-tag"


def test_lint_step_with_changed_since_and_the_deprecated_diff_input(
    repo_root: Path, tmp_path: Path
) -> None:
    step = next(s for s in load_action(repo_root)["runs"]["steps"] if s.get("id") == "lint")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "old.yaml").write_text(BAD)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "old"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True)
    (tmp_path / "k8s" / "new.yaml").write_text(BAD)
    base = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PODLINT_PATHS": "k8s",
        "PODLINT_ARGS": "--select latest-image-tag --fail-on warning",
        "PODLINT_SARIF": "podlint.sarif",
    }
    for inputs in (
        {"PODLINT_CHANGED_SINCE": "main", "PODLINT_DIFF": ""},
        {"PODLINT_CHANGED_SINCE": "", "PODLINT_DIFF": "main"},
    ):
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=tmp_path,
            env={**base, **inputs},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1, result.stderr
        files = {line.split(",")[0] for line in result.stdout.splitlines() if "file=" in line}
        assert files == {"::warning file=k8s/new.yaml"}, result.stdout
        deprecated = "the 'diff' input is deprecated" in result.stdout
        assert deprecated == bool(inputs["PODLINT_DIFF"])
