"""Configuration files: discovery, validation with positions, precedence, caching."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.config import (
    ConfigError,
    ConfigResolver,
    config_schema,
    find_config_file,
    load_config,
    merge_options,
)
from podlint.model.finding import Severity
from podlint.model.version import KubeVersion
from podlint.runtime import Options

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_closest_config_wins_and_discovery_stops_at_the_repository_root(repo: Path) -> None:
    top = write(repo / ".podlint.yaml", "rules: {'*': off, latest-image-tag: info}\n")
    nested = write(repo / "apps" / "podlint.yaml", "rules: {'*': off}\n")
    write(repo / "apps" / "web" / "pod.yaml", POD)
    write(repo / "infra" / "pod.yaml", POD)
    assert find_config_file(repo / "apps" / "web" / "pod.yaml") == nested.resolve()
    assert find_config_file(repo / "infra" / "pod.yaml") == top.resolve()

    result = run("lint", "--format", "json", "apps", "infra")
    findings = json.loads(result.output)["findings"]
    assert [(f["file"], f["severity"]) for f in findings] == [("infra/pod.yaml", "info")]


def test_outside_a_repository_no_parent_config_is_used_beyond_the_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path / ".podlint.yaml", "rules: {latest-image-tag: off}\n")
    pod = write(tmp_path / "repo" / "pod.yaml", POD)
    assert find_config_file(pod) is None


def test_config_values_and_precedence(repo: Path) -> None:
    write(
        repo / ".podlint.yaml",
        "extends: default\n"
        "kubernetes-version: 1.30\n"  # unquoted: must not be read as the float 1.3
        "fail-on: warning\n"
        "rules:\n"
        "  '*': off\n"
        "  '@reliability': info\n"
        "  latest-*: off\n"
        "  latest-image-tag: {severity: warning}\n",
    )
    pod = write(repo / "pod.yaml", POD)
    config = load_config(repo / ".podlint.yaml")
    assert config.kubernetes_version == KubeVersion(1, 30)
    options = merge_options(config, Options())
    assert options.kubernetes_version == KubeVersion(1, 30)
    assert options.fail_on == "warning"
    # The command line beats the file for the fields the user set there.
    explicit = merge_options(
        config, Options(kubernetes_version=KubeVersion(1, 33)), explicit={"kubernetes_version"}
    )
    assert explicit.kubernetes_version == KubeVersion(1, 33)
    # An exact id beats a category, which beats a glob, whatever the order in the file.
    engine = ConfigResolver().engine_for(pod)
    assert engine.settings["latest-image-tag"].severity is Severity.WARNING

    assert run("lint", "pod.yaml").exit_code == 1  # fail-on: warning from the file
    assert run("lint", "--fail-on", "error", "pod.yaml").exit_code == 0  # CLI wins
    assert run("lint", "--no-config", "--select", "latest-image-tag", "pod.yaml").exit_code == 0


def test_cli_select_beats_a_rule_the_config_turns_off(repo: Path) -> None:
    write(repo / ".podlint.yaml", "rules: {latest-image-tag: off}\n")
    write(repo / "pod.yaml", POD)
    assert "latest-image-tag" not in run("lint", "pod.yaml").output
    assert "latest-image-tag" in run("lint", "--select", "latest-image-tag", "pod.yaml").output


def test_per_file_ignores_match_globs_relative_to_the_config(repo: Path) -> None:
    write(
        repo / ".podlint.yaml",
        "rules: {'*': off, latest-image-tag: warning}\n"
        "per-file-ignores:\n  'legacy/**': [latest-image-tag]\n  'one.yaml': '@reliability'\n",
    )
    write(repo / "legacy" / "deep" / "pod.yaml", POD)
    write(repo / "one.yaml", POD)
    write(repo / "new" / "pod.yaml", POD)
    output = run("lint", "--format", "json", ".").output
    files = {f["file"] for f in json.loads(output)["findings"]}
    assert files == {"new/pod.yaml"}


def test_explicit_config_file_and_extends_a_policy_file(repo: Path) -> None:
    write(repo / "policies" / "team.yaml", "name: team\nrules:\n  latest-image-tag: error\n")
    write(repo / "conf" / "lint.yaml", "extends: ../policies/team.yaml\n")
    write(repo / "pod.yaml", POD)
    result = run("lint", "--config", "conf/lint.yaml", "pod.yaml")
    assert result.exit_code == 1
    assert "error: container" in result.output


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("rules:\n  latest-image-tag: warn\n", ":2:21:", ['"warn" is not valid', "off, info"]),
        ("fail-on: always\n", ":1:10:", ["one of error, warning, info, never"]),
        ("rulez: {}\n", ":1:1:", ['unknown key "rulez"', 'did you mean "rules"']),
        ("rules:\n  latest-imag-tag: off\n", ":2:3:", ['did you mean "latest-image-tag"']),
        ("rules:\n  '@securty': off\n", ":2:3:", ["unknown category '@securty'", "@security"]),
        ("kubernetes-version: 1.2\n", ":1:21:", ["unsupported Kubernetes version 1.2"]),
        ("rules: [a\n", ":1:", ["invalid YAML"]),
        ("per-file-ignores:\n  'a/*': []\n", ":2:10:", ["expected a rule id, or a list"]),
        ("extends: no-such-policy\n", ":1:10:", ["unknown policy 'no-such-policy'"]),
        (
            "rules:\n  liveness-without-startup:\n    options: {initial-delay: 5}\n",
            ":3:15:",
            ["unknown option 'initial-delay'", 'did you mean "initial-delay-seconds"'],
        ),
        (
            "rules:\n  liveness-without-startup:\n    options:\n      initial-delay-seconds: soon\n",
            ":4:7:",
            ['"soon" is not valid; expected a number like the default 60'],
        ),
        ("rule-paths: [missing]\n", ":1:14:", ['"', "is not a directory"]),
    ],
)
def test_bad_config_is_reported_with_position_and_exit_2(
    repo: Path, text: str, where: str, words: list[str]
) -> None:
    write(repo / ".podlint.yaml", text)
    write(repo / "pod.yaml", POD)
    result = run("lint", "pod.yaml")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f".podlint.yaml{where}" in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def test_rule_paths_add_declarative_cards_and_workload_kinds_map_crds(repo: Path) -> None:
    write(
        repo / "team-rules" / "no-host-ipc.yaml",
        """\
id: team/no-host-ipc
summary: hostIPC is not allowed here
category: security
severity: error
target: pod-spec
schema:
  properties:
    hostIPC: {not: {const: true}}
message: "hostIPC must not be true"
""",
    )
    write(
        repo / ".podlint.yaml",
        "rule-paths: [team-rules]\nrules: {'*': off, team/no-host-ipc: error}\nworkload-kinds:\n  example.com/Runner: /spec/podTemplate/spec\n",
    )
    write(
        repo / "runner.yaml",
        """\
apiVersion: example.com/v1
kind: Runner
metadata:
  name: r
spec:
  podTemplate:
    spec:
      hostIPC: true
      containers:
      - name: app
        image: nginx:1.27
""",
    )
    output = run("lint", "--format", "json", "runner.yaml").output
    findings = json.loads(output)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("team/no-host-ipc", 8)]


def test_configs_are_loaded_once_and_reloaded_when_changed(repo: Path) -> None:
    path = write(repo / ".podlint.yaml", "rules: {'*': off, latest-image-tag: info}\n")
    pod = write(repo / "pod.yaml", POD)
    resolver = ConfigResolver()
    first = resolver.engine_for(pod)
    assert resolver.engine_for(pod) is first
    assert load_config(path) is load_config(path)
    path.write_text("rules: {'*': off, latest-image-tag: error}\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert resolver.engine_for(pod).settings["latest-image-tag"].severity is Severity.ERROR


def test_config_error_carries_problems(repo: Path) -> None:
    write(repo / ".podlint.yaml", "fail-on: x\nbogus: 1\n")
    with pytest.raises(ConfigError) as raised:
        load_config(repo / ".podlint.yaml")
    assert len(raised.value.problems) == 2
    assert [line.split(":")[1] for line in raised.value.lines()] == ["1", "2"]


def test_published_schema_is_the_shipped_one_and_is_draft_07() -> None:
    result = run("config-schema")
    assert result.exit_code == 0
    published = json.loads(result.output)
    assert published == config_schema()
    assert published["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(published)
    validator = jsonschema.Draft7Validator(published)
    assert validator.is_valid({"rules": {"latest-image-tag": False, "@security": "error"}})
    assert not validator.is_valid({"rules": {"latest-image-tag": "warn"}})


@pytest.mark.parametrize(
    ("card", "words"),
    [
        (
            "id: team/x\nsummary: x\ncategory: security\nseverity: error\ntarget: pod-spec\n"
            "check: os.system\n",
            ["check 'os.system' is not an installed check"],
        ),
        (
            "id: latest-image-tag\nsummary: x\ncategory: security\nseverity: error\n"
            "target: container\ncheck: images.latest_tag\n",
            ["is already defined by"],
        ),
        ("id: team/y\n", ["x.yaml: rule card field", "is missing"]),
    ],
)
def test_bad_rule_path_cards_are_named(repo: Path, card: str, words: list[str]) -> None:
    write(repo / "cards" / "x.yaml", card)
    write(repo / ".podlint.yaml", "rule-paths: [cards]\n")
    write(repo / "pod.yaml", POD)
    result = run("lint", "pod.yaml")
    assert result.exit_code == 2
    assert ".podlint.yaml:1:" in result.output
    for word in words:
        assert word in result.output, result.output


def test_pss_version_applies_to_the_rules_the_config_enables(repo: Path) -> None:
    from podlint.pss.selection import with_pss_version

    write(repo / ".podlint.yaml", "extends: restricted\n")
    pod = write(repo / "pod.yaml", POD)
    resolver = ConfigResolver(
        finish=lambda options, registry: with_pss_version(options, "1.25", registry)
    )
    settings = resolver.engine_for(pod).settings
    pss = {rule_id: s for rule_id, s in settings.items() if rule_id.startswith("pss-")}
    assert "pss-run-as-non-root" in pss  # a restricted check, not in the default policy
    assert {s.options.get("version") for s in pss.values()} == {"1.25"}
    result = run("lint", "--pss-version", "1.25", "--format", "json", "pod.yaml")
    assert "pss-run-as-non-root" in {f["rule"] for f in json.loads(result.output)["findings"]}


def test_stdin_uses_the_config_of_its_stdin_filename(repo: Path) -> None:
    write(repo / "apps" / ".podlint.yaml", "rules: {'*': off, latest-image-tag: error}\n")
    args = ["lint", "--format", "json", "-"]
    there = CliRunner().invoke(cli, [*args, "--stdin-filename", "apps/x.yaml"], input=POD)
    assert [f["severity"] for f in json.loads(there.output)["findings"]] == ["error"]
    assert there.exit_code == 1
    elsewhere = CliRunner().invoke(cli, [*args, "--stdin-filename", "x.yaml"], input=POD)
    findings = json.loads(elsewhere.output)["findings"]
    assert {f["severity"] for f in findings if f["rule"] == "latest-image-tag"} == {"warning"}
