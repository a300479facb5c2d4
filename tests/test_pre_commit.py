"""The pre-commit hook, run by the real pre-commit against this checkout (try-repo)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from podlint.runtime import Options, build_engine

GOOD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  level: debug
"""
BAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    image: nginx:1.28
"""
WORKFLOW = "on: push\njobs: {}\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def try_repo(
    repo_root: Path, target: Path, cache: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GITHUB_ACTIONS", "CI", "FORCE_COLOR", "PRE_COMMIT_HOME")
    }
    env["PRE_COMMIT_HOME"] = str(cache)
    # The committed state, so that both runs share one hook environment (it takes a pip install).
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo_root, check=True, capture_output=True, text=True
    ).stdout.strip()
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(repo_root),
            "podlint",
            "--ref",
            head,
            "--verbose",
            *args,
        ],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_fails_on_the_bad_manifest_and_passes_the_good_one(
    repo_root: Path, tmp_path: Path
) -> None:
    target = tmp_path / "project"
    (target / "k8s").mkdir(parents=True)
    (target / ".github" / "workflows").mkdir(parents=True)
    (target / "k8s" / "good.yaml").write_text(GOOD)
    (target / "k8s" / "bad.yaml").write_text(BAD)
    (target / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (target / "notes.txt").write_text("not yaml\n")
    (target / "web").mkdir()
    (target / "web" / "tsconfig.json").write_text(
        '{\n  // comments are allowed here\n  "a": 1,\n}\n'
    )
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)

    # One run (each try-repo builds a fresh hook environment with pip, which is slow): the
    # hook gets both manifests, possibly split over parallel processes.
    run = try_repo(repo_root, target, tmp_path / "pre-commit-home", "--all-files")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert re.search(r"^podlint\.+Failed$", run.stdout, re.MULTILINE), output
    assert "- exit code: 1" in output
    assert "k8s/bad.yaml:9:5: error: duplicate key" in output, output
    assert "good.yaml" not in output  # linted, and nothing to say about it
    assert "ci.yml" not in output and "notes.txt" not in output and "tsconfig" not in output
    linted = sum(int(n) for n in re.findall(r"(?:in |no findings \()(\d+) files", output))
    assert linted == 2, output  # good.yaml and bad.yaml, nothing else
    assert "\x1b[" not in output.split("podlint....")[-1]  # no colour, no progress line


def test_manifest_is_valid_for_pre_commit(repo_root: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=repo_root,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    hooks = YAML(typ="safe").load((repo_root / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"]: hook["entry"] for hook in hooks} == {
        "podlint": "podlint lint",
        "podlint-fix": "podlint lint --fix",
    }
    assert all(hook["types_or"] == ["yaml", "json"] for hook in hooks)


def test_hook_lints_kustomize_patches_as_fragments_and_leaves_chart_templates_out(
    repo_root: Path, tmp_path: Path
) -> None:
    repos = Path(__file__).parent / "repos"
    target = tmp_path / "project"
    shutil.copytree(repos / "kustomize-app", target / "deploy")
    shutil.copytree(repos / "helm-app" / "charts", target / "charts")
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)

    run = try_repo(repo_root, target, tmp_path / "pre-commit-home", "--all-files")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    reported = set(re.findall(r"^(\S+\.yaml):(\d+):\d+: \w+: .* \[([a-z0-9-]+)\]$", output, re.M))
    # Exactly the marked findings of the overlay tree, each file given by name as pre-commit
    # gives them (see tests/test_fragments.py for the same tree with every rule enabled), and
    # nothing from a chart template, although deployment.yaml renders a :latest image.
    default_policy = build_engine(Options())
    assert reported == {
        (f"deploy/{path}", str(line), rule)
        for path, line, rule in _markers(repos / "kustomize-app")
        if default_policy.enabled(rule)
    }, output
    left_out = re.findall(r"left out (\d+) templates? of the Helm chart charts/web", output)
    assert sum(int(n) for n in left_out) == 4, output
    assert "helm template charts/web | podlint lint - --stdin-filename charts/web" in output


def _markers(root: Path) -> set[tuple[str, int, str]]:
    from podlint.testing import expected_markers

    return {
        (str(path.relative_to(root)), line, rule)
        for path in sorted(root.rglob("*.yaml"))
        for line, rule in expected_markers(path.read_text())
    }
