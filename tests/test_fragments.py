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


def test_update_comparisons_see_the_base_not_the_patches(tmp_path: Path) -> None:
    # Each patch names the base's Deployment "web"; compared with it, a patch would look
    # like an update that drops the selector. Only the base is compared, on both sides.
    repo = tmp_path / "repo"
    shutil.copytree(APP, repo)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "app"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
        )
    deployment = repo / "base" / "deployment.yaml"
    deployment.write_text(
        deployment.read_text().replace("      app: web\n", "      app: web2\n", 2)
    )
    _, report = lint("--base", "HEAD", ".", cwd=repo)
    updates = {(f, line, rule) for f, line, rule in found(report) if rule.startswith("immutable")}
    assert updates == {("base/deployment.yaml", 11, "immutable-selector")}
    assert found(report) - updates == markers(APP)
    old = tmp_path / "old"
    shutil.copytree(APP, old)
    _, diffed = lint_diff(old, repo)
    assert found(diffed) == {(str(repo / "base/deployment.yaml"), 11, "immutable-selector")}


def lint_diff(old: Path, new: Path) -> tuple[int, Any]:
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--select", "*", "--format", "json", "--no-config"]
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_a_patch_gets_nothing_about_what_its_base_holds(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [../base]\npatches: [{path: p.yaml}]\n"
    )
    (tmp_path / "p.yaml").write_text(
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata: {name: web}\n"
        "spec:\n"
        "  template:\n"
        "    metadata:\n"
        "      annotations:\n"
        "        container.apparmor.security.beta.kubernetes.io/sidecar: runtime/default\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: web\n"
        "          volumeMounts: [{name: data, mountPath: /data}]\n"
        "          livenessProbe: {periodSeconds: 5}\n"
        "          env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n"
    )
    # The sidecar, the volume "data", the probe's handler and the image are the base's.
    _, report = lint("p.yaml", cwd=tmp_path)
    assert report["findings"] == []
    (tmp_path / "kustomization.yaml").write_text("resources: [p.yaml]\n")
    _, whole = lint("p.yaml", cwd=tmp_path)
    assert {"api-pod-spec", "api-volumes", "api-probes", "missing-image", "schema"} <= {
        rule for _, _, rule in found(whole)
    }


def test_a_json6902_patch_names_the_container_it_writes_by_its_place() -> None:
    # The operation writes /spec/template/spec/containers/0/image and names no container.
    _, report = lint("overlays/prod/image.yaml")
    [finding] = report["findings"]
    assert finding["message"].startswith('container containers[0]: image "registry.example.com')


def test_a_json6902_patch_whose_target_names_only_the_kind(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [../base]\n"
        "patches:\n"
        "  - path: ops.yaml\n"
        "    target: {kind: Deployment, name: web}\n"
    )
    (tmp_path / "ops.yaml").write_text(
        "- op: add\n"
        "  path: /spec/template/spec/containers/0/securityContext\n"
        "  value:\n"
        "    privileged: true\n"
        "    runAsUsr: 1000\n"
        "- op: remove\n"
        "  path: /spec/template/spec/containers/0/resources\n"
        "- op: replace\n"
        "  path: /spec/replicas\n"
        "  value: 3\n"
    )
    _, report = lint("ops.yaml", cwd=tmp_path)
    assert found(report) == {("ops.yaml", 4, "pss-privileged"), ("ops.yaml", 5, "schema")}
    schema = next(f for f in report["findings"] if f["rule"] == "schema")
    assert 'unknown field "runAsUsr"' in schema["message"] and "runAsUser" in schema["message"]


def test_fixes_change_only_what_a_patch_is_reported_for(tmp_path: Path) -> None:
    # Every fix, with the hardened policy: a patch gets no runAsNonRoot, no readOnly root
    # filesystem, no dropped capabilities of its own; those are the base's to set.
    tree = tmp_path / "app"
    shutil.copytree(APP, tree)
    before = {p: p.read_text() for p in tree.rglob("*.yaml")}
    before_dir = Path.cwd()
    os.chdir(tree)
    try:
        result = CliRunner().invoke(
            cli, ["lint", "--fix", "--unsafe-fixes", "--policy", "hardened", "--no-config", "."]
        )
    finally:
        os.chdir(before_dir)
    assert result.exit_code == 1, result.output
    changed = {
        str(p.relative_to(tree)): [
            (old, new)
            for old, new in zip(text.splitlines(), p.read_text().splitlines(), strict=True)
            if old != new
        ]
        for p, text in before.items()
        if p.read_text() != text
    }
    assert changed == {
        "overlays/prod/resources.yaml": [
            (
                "              memory: 512m  # expect: suspicious-quantity",
                "              memory: 512Mi  # expect: suspicious-quantity",
            )
        ],
        "overlays/prod/security.yaml": [
            (
                "            privileged: true  # expect: pss-privileged",
                "            privileged: false  # expect: pss-privileged",
            )
        ],
    }
