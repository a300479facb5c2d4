"""A repository being linted is untrusted (pull requests): nothing in it may make podlint read,
and then show, a file outside it.

Secrets outside the repository are planted next to it; the manifests and configuration try
every way in that the catalog offers, and the output of every run is searched for the secret.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.k8s.custom import find_schema_file, schema_file_names

SECRET = "SECRET-7f3a9c-never-print-me"
# Valid JSON whose keys and values would surface in a jsonschema error message.
SECRET_JSON = json.dumps({"type": SECRET, "private_key": SECRET, "properties": {SECRET: 1}})


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """``outside/`` holds secrets; ``repo/`` is a git repository holding manifests."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "key_v1.json").write_text(SECRET_JSON)
    (outside / "environ").write_text(f"{SECRET}=1\nTOKEN={SECRET}\n")
    (outside / "policy.yaml").write_text(f"rules:\n  {SECRET}: error\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def lint(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["lint", "--format", "github", *args],
        catch_exceptions=False,
        env={"GITHUB_ACTIONS": "", "NO_COLOR": "1"},
    )
    return result.exit_code, result.output


def run_in(repo: Path, *args: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        return lint(repo, *args)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("../outside/v1", "key"),
        ("../../outside/v1", "Key"),
        ("example.com/../../v1", "key"),
        ("v1", "../outside/key"),
        ("/etc/v1", "passwd"),
        ("example.com/v1", "key/../../x"),
        ("example..com/v1", "key"),
        ("example.com/V1", "key"),
        ("example.com/v1", ""),
    ],
)
def test_manifest_names_that_no_apiserver_serves_are_never_looked_up(
    api_version: str, kind: str
) -> None:
    assert schema_file_names(api_version, kind) == []


def test_servable_names_keep_the_kubeconform_layouts() -> None:
    assert schema_file_names("example.com/v1alpha1", "Widget") == [
        "example.com/widget_v1alpha1.json",
        "widget_v1alpha1.json",
        "widget-example-v1alpha1.json",
    ]
    assert schema_file_names("v1", "Widget") == ["widget_v1.json", "widget-v1.json"]


def test_a_link_out_of_the_schema_location_is_not_followed(tmp_path: Path) -> None:
    location = tmp_path / "schemas"
    (location / "example.com").mkdir(parents=True)
    (tmp_path / "secret_v1.json").write_text(SECRET_JSON)
    (location / "example.com" / "secret_v1.json").symlink_to(tmp_path / "secret_v1.json")
    assert find_schema_file([str(location)], "example.com/v1", "Secret") is None
    (location / "inside_v1.json").write_text("{}")
    assert find_schema_file([str(location)], "example.com/v1", "Inside") == (
        location / "inside_v1.json"
    )


def test_repository_configuration_cannot_point_schema_locations_outside(workspace: Path) -> None:
    (workspace / "cr.yaml").write_text("apiVersion: x.io/v1\nkind: Key\nmetadata: {name: k}\n")
    (workspace / ".podlint.yaml").write_text(
        "rules:\n  schema:\n    options:\n      schema-locations: [/, ../outside]\n"
    )
    status, output = run_in(workspace, "--select", "schema", "cr.yaml")
    assert status == 2
    assert SECRET not in output
    assert ".podlint.yaml:4:" in output, output
    assert '"/" is outside the repository' in output
    assert '"../outside" is outside the repository' in output


def test_schema_locations_in_configuration_are_relative_to_the_file(workspace: Path) -> None:
    (workspace / "deploy" / "schemas").mkdir(parents=True)
    (workspace / "deploy" / "schemas" / "widget_v1.json").write_text(
        json.dumps({"type": "object", "properties": {"spec": {"type": "object"}}})
    )
    (workspace / "deploy" / ".podlint.yaml").write_text(
        "rules:\n  schema:\n    options:\n      schema-locations: [schemas]\n"
    )
    (workspace / "deploy" / "w.yaml").write_text(
        "apiVersion: x.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: 3\n"
    )
    # Run from elsewhere: the location is the configuration file's, not the working directory's.
    status, output = run_in(workspace, "--select", "schema", "deploy/w.yaml")
    assert status == 1, output
    assert "file=deploy/w.yaml,line=4," in output


def test_an_unusable_schema_file_is_named_but_never_quoted(tmp_path: Path) -> None:
    location = tmp_path / "schemas"
    location.mkdir()
    (location / "key_v1.json").write_text(SECRET_JSON)
    (location / "raw_v1.json").write_text(f"not json {SECRET}")
    manifest = tmp_path / "cr.yaml"
    manifest.write_text(
        "apiVersion: x.io/v1\nkind: Key\nmetadata: {name: k}\n---\n"
        "apiVersion: x.io/v1\nkind: Raw\nmetadata: {name: r}\n"
    )
    status, output = lint(
        tmp_path, "--select", "schema", "--schema-location", str(location), str(manifest)
    )
    assert status == 1
    assert SECRET not in output
    assert "key_v1.json cannot be used (not a valid" in output
    assert "raw_v1.json cannot be used (not readable as JSON)" in output


def test_a_schema_whose_refs_cannot_resolve_is_never_quoted(tmp_path: Path) -> None:
    location = tmp_path / "schemas"
    location.mkdir()
    (location / "key_v1.json").write_text(
        json.dumps({"$ref": f"file:///{SECRET}", "description": SECRET})
    )
    manifest = tmp_path / "cr.yaml"
    manifest.write_text("apiVersion: x.io/v1\nkind: Key\nmetadata: {name: k}\n")
    status, output = lint(
        tmp_path, "--select", "schema", "--schema-location", str(location), str(manifest)
    )
    assert status == 1
    assert SECRET not in output
    assert "cannot be used" in output


@pytest.mark.parametrize(
    "setting",
    [
        "extends: ../outside/policy.yaml",
        "extends: {outside}/policy.yaml",
        "rule-paths: [../outside]",
        "rule-paths: [{outside}]",
        "rule-paths: [/proc/self]",
    ],
)
def test_repository_configuration_cannot_name_files_outside(workspace: Path, setting: str) -> None:
    outside = workspace.parent / "outside"
    (workspace / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers: [{name: a, image: nginx:1.27}]\n"
    )
    (workspace / ".podlint.yaml").write_text(setting.format(outside=outside) + "\n")
    status, output = run_in(workspace, "pod.yaml")
    assert status == 2
    assert SECRET not in output
    assert ".podlint.yaml:1:" in output
    assert "is outside the repository" in output


def test_a_link_in_the_repository_does_not_lead_configuration_out(workspace: Path) -> None:
    (workspace / "policy.yaml").symlink_to(workspace.parent / "outside" / "policy.yaml")
    (workspace / ".podlint.yaml").write_text("extends: policy.yaml\n")
    (workspace / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    status, output = run_in(workspace, "pod.yaml")
    assert status == 2
    assert SECRET not in output
    assert "is outside the repository" in output


def test_a_policy_file_cannot_extend_or_locate_outside(workspace: Path) -> None:
    outside = workspace.parent / "outside"
    (workspace / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    (workspace / "team.yaml").write_text(f"extends: {outside}/policy.yaml\n")
    (workspace / ".podlint.yaml").write_text("extends: team.yaml\n")
    status, output = run_in(workspace, "pod.yaml")
    assert status == 2
    assert SECRET not in output
    assert "is outside the repository" in output
    (workspace / "team.yaml").write_text(
        f"extends: default\nrules:\n  schema:\n    options:\n      schema-locations: [{outside}]\n"
    )
    status, output = run_in(workspace, "pod.yaml")
    assert status == 2
    assert "is outside the repository" in output


@pytest.mark.parametrize("check", ["schema.Path", "schema.json", "schema._custom_validator"])
def test_a_card_check_must_name_a_check_not_any_module_attribute(
    workspace: Path, check: str
) -> None:
    (workspace / "rules").mkdir()
    (workspace / "rules" / "mine.yaml").write_text(
        "id: mine\nsummary: s\ncategory: correctness\nseverity: error\ntarget: object\n"
        f"check: {check}\n"
    )
    (workspace / ".podlint.yaml").write_text("rule-paths: [rules]\n")
    (workspace / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    status, output = run_in(workspace, "pod.yaml")
    assert status == 2
    assert "is not an installed check" in output
