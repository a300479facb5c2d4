"""The wheel ships the catalog, and third-party plugins load through the entry-point group.

Both build a real wheel and install it into a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PLUGIN_CARD = """\
id: acme/no-team-label
summary: The pod template has no "team" label
category: best-practice
severity: warning
target: pod-spec
check: acme.no_team_label
docs:
  what: Reports pods without a team label.
  why: Nobody knows whom to page.
  example: "see README"
  use-instead: "see README"
  references: ["internal"]
"""

PLUGIN_MODULE = """\
from pathlib import Path

from podlint.api import Finding, hookimpl, load_card


@hookimpl
def podlint_rules():
    return [load_card(Path(__file__).parent / "no-team-label.yaml")]


@hookimpl
def podlint_checks():
    return {"acme.no_team_label": no_team_label}


@hookimpl
def podlint_policies():
    return {"acme": Path(__file__).parent / "acme-policy.yaml"}


def no_team_label(pod, ctx):
    if "team" not in pod.metadata.get("labels", {}):
        yield Finding(pod.metadata_pointer, "pod has no team label")
"""

PLUGIN_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "podlint-acme"
version = "1.0"

[project.entry-points.podlint]
acme = "podlint_acme"

[tool.hatch.build.targets.wheel]
packages = ["podlint_acme"]
"""


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the podlint wheel and a tiny plugin installed; returns its bin dir."""
    work = tmp_path_factory.mktemp("packaging")
    wheels = work / "wheels"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    plugin = work / "plugin"
    package = plugin / "podlint_acme"
    package.mkdir(parents=True)
    (plugin / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (package / "__init__.py").write_text(PLUGIN_MODULE)
    (package / "no-team-label.yaml").write_text(PLUGIN_CARD)
    (package / "acme-policy.yaml").write_text(
        "rules:\n  acme/no-team-label: error\n  latest-image-tag: warning\n"
    )
    environment = work / "venv"
    venv.create(environment, with_pip=True)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    [wheel] = wheels.glob("podlint-*.whl")
    install = _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, plugin)
    assert install.returncode == 0, install.stderr[-3000:]
    return bin_dir


def test_wheel_ships_the_catalog_and_lints_an_example(installed: Path, tmp_path: Path) -> None:
    result = _run(
        installed / "podlint", "lint", "--format", "json", ROOT / "examples" / "bad", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert {"latest-image-tag", "missing-image", "duplicate-key", "yaml-syntax"} <= rules
    listing = _run(installed / "podlint", "rules", "--format", "json", cwd=tmp_path)
    ids = {row["id"] for row in json.loads(listing.stdout)}
    assert {path.stem for path in (ROOT / "rules").glob("*.yaml")} <= ids


def test_entry_point_plugin_rule_runs(installed: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
            """
        )
    )
    result = _run(installed / "podlint", "lint", "--policy", "acme", "--format", "json", manifest)
    assert result.returncode == 1, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "acme/no-team-label"
    assert finding["pointer"] == "/spec/template/metadata"
    assert finding["line"] == 7
    # Without autoloading, neither the plugin's policy nor its rule exists.
    disabled = _run(
        installed / "podlint",
        "lint",
        "--policy",
        "acme",
        manifest,
        env={**os.environ, "PODLINT_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert disabled.returncode == 2, disabled.stdout + disabled.stderr
    assert "unknown policy 'acme'" in disabled.stderr
