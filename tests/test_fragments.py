"""Kustomize repositories: patches are linted as fragments, however they reach podlint.

tests/repos/kustomize-app is laid out as kustomize users lay it out (a base, two overlays, a
component) and builds with the real kustomize (``kubectl kustomize``). Every line that must
be reported, with every rule enabled, ends with ``# expect: <rule-id>``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.testing import expected_markers

HERE = Path(__file__).parent
APP = HERE / "repos" / "kustomize-app"
EVERY_RULE = ("--select", "*", "--format", "json", "--no-config")
PATCHES = sorted(
    str(path.relative_to(APP))
    for path in APP.rglob("*.yaml")
    if path.name != "kustomization.yaml" and "base" not in path.parts
)


def lint(*args: str, cwd: Path = APP) -> tuple[int, Any]:
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["lint", *EVERY_RULE, *args], catch_exceptions=False)
    finally:
        os.chdir(before)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def found(report: Any) -> set[tuple[str, int, str]]:
    return {(f["file"], f["line"], f["rule"]) for f in report["findings"]}


def markers(root: Path) -> set[tuple[str, int, str]]:
    return {
        (str(path.relative_to(root)), line, rule)
        for path in sorted(root.rglob("*.yaml"))
        for line, rule in expected_markers(path.read_text())
    }


def test_the_tree_has_exactly_the_marked_findings() -> None:
    code, report = lint(".")
    assert found(report) == markers(APP)
    assert code == 1
    # The base is a whole Deployment and is clean; every finding is on what a patch writes.
    assert not any(f["file"].startswith("base/") for f in report["findings"])


def test_patches_named_one_by_one_get_the_same_findings() -> None:
    # As pre-commit passes them: by name, each file alone.
    for name in PATCHES:
        _, report = lint(name)
        expected = {m for m in markers(APP) if m[0] == name}
        assert found(report) == expected, name


def test_patch_named_from_another_directory(tmp_path: Path) -> None:
    _, report = lint(str(APP / "overlays" / "staging" / "probes.yaml"), cwd=tmp_path)
    assert report["findings"] == []  # probe timings only: no "must specify a handler type"


def test_the_same_file_outside_a_kustomization_is_a_whole_object(tmp_path: Path) -> None:
    alone = tmp_path / "security.yaml"
    shutil.copy(APP / "overlays" / "prod" / "security.yaml", alone)
    _, report = lint(str(alone), cwd=tmp_path)
    rules = {rule for _, _, rule in found(report)}
    assert {"schema", "missing-image", "missing-resources"} <= rules  # refused as written


def test_changed_files_through_changed_since(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(APP, repo)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "app"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
        )
    resources = repo / "overlays" / "prod" / "resources.yaml"
    resources.write_text(
        resources.read_text().replace("512m  # expect: suspicious-quantity", "1Gi")
    )
    debug = repo / "components" / "debug" / "debug-sidecar.yaml"
    debug.write_text(debug.read_text() + "          # a comment\n")
    _, report = lint("--changed-since", "HEAD", cwd=repo)
    assert found(report) == {("components/debug/debug-sidecar.yaml", 11, "latest-image-tag")}
    assert report["summary"]["files"] == 2


def test_a_kustomization_that_cannot_be_read_makes_nothing_a_patch(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("patches: [\n")
    shutil.copy(APP / "overlays" / "prod" / "security.yaml", tmp_path / "security.yaml")
    _, report = lint("security.yaml", cwd=tmp_path)
    assert "missing-image" in {rule for _, _, rule in found(report)}


KUSTOMIZE = shutil.which("kubectl")


@pytest.mark.skipif(KUSTOMIZE is None, reason="kubectl (for kubectl kustomize) is not installed")
@pytest.mark.parametrize("overlay", ["overlays/prod", "overlays/staging"])
def test_every_fragment_finding_is_a_finding_of_what_kustomize_builds(
    overlay: str, tmp_path: Path
) -> None:
    assert KUSTOMIZE is not None
    built = subprocess.run(
        [KUSTOMIZE, "kustomize", str(APP / overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    output = tmp_path / "built.yaml"
    output.write_text(built)
    _, whole = lint(str(output), cwd=tmp_path)
    _, fragments = lint(".")
    merged = {(f["rule"], f["message"]) for f in whole["findings"]}
    used = [name for name in PATCHES if name.startswith(overlay) or name.startswith("components")]
    if overlay == "overlays/staging":
        used = [name for name in used if name.startswith(overlay)]
    for finding in fragments["findings"]:
        if finding["file"] not in used:
            continue
        if finding["file"].endswith("image.yaml"):  # JSON 6902: no container name to quote
            assert finding["rule"] in {rule for rule, _ in merged}
        else:
            assert (finding["rule"], finding["message"]) in merged, finding
