from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint import __version__
from podlint.cli import cli, main

BAD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: nginx:latest
  - name: web
"""


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "pod.yaml"
    path.write_text(BAD_POD)
    return path


# The CLI contract is tested with a fixed rule set, independent of what the default policy grows.
CORE = ("--select", "latest-image-tag,missing-image,duplicate-container-name")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def test_text_output_lines_and_caret(bad_file: Path) -> None:
    result = run("lint", *CORE, str(bad_file), env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f'{bad_file}:9:12: warning: container "web": image "nginx:latest" uses the mutable '
        '":latest" tag; pin a version or a digest [latest-image-tag]'
    ) in lines
    index = lines.index(next(line for line in lines if line.startswith(f"{bad_file}:9:12")))
    assert lines[index + 2] == "9 |     image: nginx:latest"
    assert lines[index + 3] == "  |            ^^^^^^^^^^^^"
    assert "\x1b[" not in result.output
    assert lines[-1] == (
        "default policy: found 2 errors, 1 warning in 1 file (1 document); "
        "`--policy recommended` for resources and probes, `--statistics` for counts per rule"
    )


def test_color_only_when_forced_and_never_with_no_color(bad_file: Path) -> None:
    assert "\x1b[" in run("lint", str(bad_file), env={"FORCE_COLOR": "1", "NO_COLOR": ""}).output
    assert (
        "\x1b[" not in run("lint", str(bad_file), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).output
    )


def test_json_contract(bad_file: Path) -> None:
    result = run("lint", *CORE, "--format", "json", str(bad_file))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["version"] == 1
    assert report["summary"] == {
        "files": 1,
        "documents": 1,
        "findings": 3,
        "errors": 2,
        "warnings": 1,
        "infos": 0,
        "helmTemplates": 0,
    }
    first = report["findings"][0]
    assert set(first) == {
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "endLine",
        "endColumn",
        "pointer",
        "document",
        "kind",
        "namespace",
        "name",
    }
    by_rule = {f["rule"]: f for f in report["findings"]}
    image = by_rule["latest-image-tag"]
    assert (image["line"], image["column"], image["endLine"], image["endColumn"]) == (9, 12, 9, 24)
    assert image["pointer"] == "/spec/containers/0/image"
    assert (image["kind"], image["namespace"], image["name"], image["document"]) == (
        "Pod",
        "shop",
        "web",
        0,
    )
    assert by_rule["duplicate-container-name"]["pointer"] == "/spec/containers/1/name"


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(tmp_path: Path, fail_on: str, code: int) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: nginx}]\n"
    )
    result = run("lint", "--fail-on", fail_on, str(path))
    expected = 0 if fail_on == "error" else code
    assert result.exit_code == expected


def rules_reported(*args: str) -> set[str]:
    return {
        f["rule"] for f in json.loads(run("lint", "--format", "json", *args).output)["findings"]
    }


def test_select_and_ignore(bad_file: Path) -> None:
    assert rules_reported("--select", "latest-image-tag", str(bad_file)) == {"latest-image-tag"}
    assert rules_reported(*CORE, "--ignore", "latest-image-tag,missing-image", str(bad_file)) == {
        "duplicate-container-name"
    }
    # Globs select by id; an explicit id in --ignore beats the glob.
    assert rules_reported(
        "--select", "*-container-name,missing-i*", "--ignore", "missing-image", str(bad_file)
    ) == {"duplicate-container-name"}
    assert "latest-image-tag" not in rules_reported("--ignore", "latest-*", str(bad_file))


def test_unknown_rule_policy_and_version_are_usage_errors(bad_file: Path) -> None:
    for args in (
        ("--select", "no-such-rule"),
        ("--policy", "no-such-policy"),
        ("--kubernetes-version", "2.0"),
        ("--kubernetes-version", "banana"),
        ("--format", "yaml"),
    ):
        result = run("lint", *args, str(bad_file))
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_missing_path_exits_2_naming_it_and_still_lints_the_rest(
    bad_file: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(cli, ["lint", str(missing), str(bad_file)])
    assert result.exit_code == 2
    assert f"cannot read {missing}: no such file or directory" in result.output
    assert "latest-image-tag" in result.output


def test_unreadable_file_exits_2_naming_it(tmp_path: Path, bad_file: Path) -> None:
    # A UNIX socket exists but cannot be opened for reading, whoever runs the test.
    path = tmp_path / "socket.yaml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = run("lint", str(path), str(bad_file))
    finally:
        server.close()
    assert result.exit_code == 2
    assert f"cannot read {path}:" in result.output
    assert "latest-image-tag" in result.output


def test_stdin_with_filename() -> None:
    result = run(
        "lint", "-", "--stdin-filename", "chart/web.yaml", "--format", "json", input=BAD_POD
    )
    report = json.loads(result.output)
    assert {f["file"] for f in report["findings"]} == {"chart/web.yaml"}


def test_output_file(bad_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run("lint", *CORE, "--format", "json", "--output", str(out), str(bad_file))
    assert result.exit_code == 1
    assert result.output == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 3


def test_directories_are_recursive_sorted_and_stay_in_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "b").mkdir(parents=True)
    (tree / "a").mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text(BAD_POD)
    (tree / "b" / "x.yml").write_text(BAD_POD)
    (tree / "a" / "y.json").write_text(
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "j", "image": "j"}]}}'
    )
    (tree / "a" / "notes.txt").write_text(BAD_POD)
    (tree / "link.yaml").symlink_to(outside)
    (tree / "loop").symlink_to(tree)
    result = run("lint", "--format", "json", str(tree))
    files = [f["file"] for f in json.loads(result.output)["findings"]]
    assert sorted(set(files)) == [str(tree / "a" / "y.json"), str(tree / "b" / "x.yml")]
    assert files == sorted(files)


def test_rules_explain_and_version() -> None:
    table = run("rules")
    assert table.exit_code == 0 and "latest-image-tag" in table.output
    rows = json.loads(run("rules", "--format", "json").output)
    latest = next(r for r in rows if r["id"] == "latest-image-tag")
    assert latest["severity"] == "warning" and "default:warning" in latest["policies"]
    explained = run("explain", "latest-image-tag")
    assert explained.exit_code == 0
    assert "## Why is this bad?" in explained.output
    assert run("explain", "nope").exit_code == 2
    assert __version__ in run("--version").output


def test_main_returns_exit_codes(bad_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--quiet", str(bad_file)]) == 1
    assert main(["lint", "--no-such-option"]) == 2


HEAVY_PROBE = (
    "import sys; from podlint.cli import main; rc = main(sys.argv[1:]);"
    "heavy = [m for m in ('jsonschema', 'pygls', 'uvicorn', 'starlette', 'hypercorn',"
    " 'cryptography', 'multiprocessing', 'podlint.webhook', 'podlint.lsp', 'podlint.audit')"
    " if m in sys.modules];"
    "print('HEAVY', heavy); raise SystemExit(rc)"
)


def _heavy_modules(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE, *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    return result.stdout.splitlines()[-1]


def test_lint_imports_no_webhook_or_lsp_stack(bad_file: Path) -> None:
    heavy = _heavy_modules("lint", "-q", str(bad_file))
    for module in ("pygls", "uvicorn", "starlette", "hypercorn", "cryptography"):
        assert module not in heavy
    for module in ("podlint.webhook", "podlint.lsp", "podlint.audit"):
        assert module not in heavy


def test_a_small_lint_run_starts_no_worker_pool(bad_file: Path) -> None:
    heavy = _heavy_modules("lint", "-q", "--jobs", "2", str(bad_file))
    assert "multiprocessing" not in heavy


def test_lint_imports_no_jsonschema_when_no_rule_needs_it(bad_file: Path) -> None:
    selected = "latest-image-tag,duplicate-container-name,missing-image"
    assert _heavy_modules("lint", "-q", "--select", selected, str(bad_file)) == "HEAVY []"


def test_python_dash_m() -> None:
    module = subprocess.run(
        [sys.executable, "-m", "podlint", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0 and __version__ in module.stdout


def test_schema_location_validates_custom_resources(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "widget_v1.json").write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "properties": {"size": {"type": "integer"}},
                        "additionalProperties": False,
                    }
                },
            }
        )
    )
    manifest = tmp_path / "widget.yaml"
    manifest.write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: large\n"
    )
    without = rules_reported("--select", "schema", str(manifest))
    assert without == set()
    report = json.loads(
        run(
            "lint",
            "--format",
            "json",
            "--select",
            "schema",
            "--schema-location",
            str(schemas),
            str(manifest),
        ).output
    )
    [finding] = report["findings"]
    assert (finding["rule"], finding["line"], finding["pointer"]) == ("schema", 5, "/spec/size")
    # The option never enables a rule the policy leaves off.
    ignored = rules_reported(
        "--select", "latest-image-tag", "--schema-location", str(schemas), str(manifest)
    )
    assert ignored == set()


DEPLOYMENT_WITHOUT_REQUESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  metrics:
  - type: Resource
    resource:
      name: cpu{comment}
      target: {type: Utilization, averageUtilization: 70}
"""


def test_cross_object_rules_see_every_file_of_the_run(tmp_path: Path) -> None:
    (tmp_path / "a-hpa.yaml").write_text(HPA.replace("{comment}", ""))
    (tmp_path / "b-deployment.yaml").write_text(DEPLOYMENT_WITHOUT_REQUESTS)
    result = run(
        "lint", "--format", "json", "--select", "hpa-target-missing-requests", str(tmp_path)
    )
    report = json.loads(result.output)
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["kind"]) == (
        str(tmp_path / "a-hpa.yaml"),
        10,
        "HorizontalPodAutoscaler",
    )
    assert (
        'Deployment "web"' in finding["message"]
        and str(tmp_path / "b-deployment.yaml") in finding["message"]
    )
    assert report["summary"]["files"] == 2
    text = run(
        "lint", "--select", "hpa-target-missing-requests", str(tmp_path), env={"NO_COLOR": "1"}
    )
    assert "10 |       name: cpu" in text.output
    # Linted alone, the HPA has no target to judge.
    alone = rules_reported("--select", "hpa-target-missing-requests", str(tmp_path / "a-hpa.yaml"))
    assert alone == set()


def test_cross_object_findings_honour_suppressions(tmp_path: Path) -> None:
    (tmp_path / "hpa.yaml").write_text(
        HPA.replace("{comment}", "  # podlint: disable=hpa-target-missing-requests")
        + "---\n"
        + DEPLOYMENT_WITHOUT_REQUESTS
    )
    report = json.loads(
        run(
            "lint",
            "--format",
            "json",
            "--select",
            "hpa-target-missing-requests,unused-suppression",
            str(tmp_path),
        ).output
    )
    assert report["findings"] == []


def test_cross_object_targets_are_looked_up_near_the_hpa(tmp_path: Path) -> None:
    (tmp_path / "app" / "hpa").mkdir(parents=True)
    (tmp_path / "app" / "deployments").mkdir()
    (tmp_path / "other" / "project" / "k8s").mkdir(parents=True)
    (tmp_path / "app" / "hpa" / "web.yaml").write_text(HPA.replace("{comment}", ""))
    # A sibling directory holds the target; a far-away one of the same name is not it.
    (tmp_path / "app" / "deployments" / "web.yaml").write_text(DEPLOYMENT_WITHOUT_REQUESTS)
    (tmp_path / "other" / "project" / "k8s" / "web.yaml").write_text(DEPLOYMENT_WITHOUT_REQUESTS)
    report = json.loads(
        run(
            "lint", "--format", "json", "--select", "hpa-target-missing-requests", str(tmp_path)
        ).output
    )
    [finding] = report["findings"]
    assert str(tmp_path / "app" / "deployments" / "web.yaml") in finding["message"]
    (tmp_path / "app" / "deployments" / "web.yaml").unlink()
    far = json.loads(
        run(
            "lint", "--format", "json", "--select", "hpa-target-missing-requests", str(tmp_path)
        ).output
    )
    assert far["findings"] == []


def test_cross_object_message_names_the_target_file_only_when_it_is_another(
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(HPA.replace("{comment}", "") + "---\n" + DEPLOYMENT_WITHOUT_REQUESTS)
    report = json.loads(
        run(
            "lint", "--format", "json", "--select", "hpa-target-missing-requests", str(manifest)
        ).output
    )
    [finding] = report["findings"]
    assert finding["message"].startswith('scales on cpu utilization of Deployment "web", but')


@pytest.mark.parametrize(
    ("args", "broken", "extra"),
    [
        (["webhook", "certs", "--namespace", "n", "--out", "certs"], "cryptography", "webhook"),
        (["webhook", "manifests"], "starlette", "webhook"),
        (["lsp"], "lsprotocol", "lsp"),
    ],
)
def test_front_door_with_a_broken_extra_says_what_to_install(
    tmp_path: Path, args: list[str], broken: str, extra: str
) -> None:
    # Present but not importable (a partial install); a missing extra is tested in a real
    # venv without it (tests/test_packaging.py).
    (tmp_path / broken).mkdir()
    (tmp_path / broken / "__init__.py").write_text("raise ImportError('partial install')\n")
    result = subprocess.run(
        [sys.executable, "-m", "podlint", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"pip install 'podlint[{extra}]'" in result.stderr
    assert f"missing: {broken}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "certs").exists()


def test_a_directory_without_manifests_is_said_so(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# not a manifest\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\n")
    result = run("lint", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"podlint: warning: no manifests found in {tmp_path} (podlint reads *.yaml, *.yml "
        "and *.json files; hidden directories are skipped)"
    ]
    (tmp_path / "docs" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\n")
    assert run("lint", str(tmp_path)).stderr == ""
    assert run("lint", "--quiet", str(tmp_path / "docs" / "README.md")).stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "--select", "latest-image-tga", "-"],
        ["lint", "--ignore", "pss-priviliged", "-"],
        ["explain", "latest-image-tga"],
    ],
)
def test_a_mistyped_rule_id_gets_the_closest_one(args: list[str]) -> None:
    result = run(*args, input="")
    assert result.exit_code == 2
    meant = "pss-privileged" if "pss-priviliged" in args else "latest-image-tag"
    assert f"; did you mean \"{meant}\"? (see 'podlint rules')" in result.stderr
    assert "Traceback" not in result.output


def test_the_readme_options_table_lists_every_lint_option() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("### Options of `podlint lint`", 1)[1].split("\n### ", 1)[0]
    command = cli.commands["lint"]
    documented = set(re.findall(r"`(--[a-z-]+)", table))
    options = {
        name
        for param in command.params
        for name in param.opts
        if name.startswith("--") and name != "--help"
    }
    assert options - documented == set()
    assert documented - options == set()
