"""The release: ``python -m build`` makes an sdist and a wheel that ``twine check`` accepts;
the wheel (built by ``build`` from the unpacked sdist, so the sdist is complete) installs into a
fresh virtual environment without extras, ships the catalog, runs the Python API, loads
third-party plugins through the entry-point group, and its front doors without their extra
say what to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from podlint import __version__

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
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, as the release workflow builds them."""
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
    return out


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    [sdist] = dist.glob("podlint-*.tar.gz")
    [wheel] = dist.glob("podlint-*-py3-none-any.whl")
    assert sdist.name == f"podlint-{__version__}.tar.gz"
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names
    assert "rules/latest-image-tag.yaml" in names
    assert "tests/data/sarif/sarif-schema-2.1.0.json" in names
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"podlint-{__version__}.dist-info/METADATA").decode()
        wheel_names = set(archive.namelist())
    assert "License-Expression: Apache-2.0" in metadata
    assert "Provides-Extra: webhook" in metadata
    assert "podlint/_catalog/rules/latest-image-tag.yaml" in wheel_names
    assert not any(name.startswith("tests/") for name in wheel_names)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, dist: Path) -> Path:
    """A fresh venv with the podlint wheel (no extras) and a tiny plugin; returns its bin dir."""
    work = tmp_path_factory.mktemp("packaging")
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
    [wheel] = dist.glob("podlint-*.whl")
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


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["webhook", "serve", "--tls-cert", "tls.crt", "--tls-key", "tls.key"], "webhook"),
        (["webhook", "--help"], "webhook"),
        (["lsp", "--stdio"], "lsp"),
        (["audit", "--namespace", "shop"], "audit"),
    ],
)
def test_front_door_without_its_extra_says_what_to_install(
    installed: Path, tmp_path: Path, args: list[str], extra: str
) -> None:
    result = _run(installed / "podlint", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"pip install 'podlint[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr
    listing = _run(installed / "podlint", "--help", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "Not installed: pip install 'podlint[webhook]'" in listing.stdout


API_PROBE = """\
import json, sys
import podlint
findings = podlint.lint_text(open(sys.argv[1]).read(), filename="bad.yaml")
request = json.load(open(sys.argv[2]))
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
answer = podlint.review(review)["response"]
print(json.dumps({"rules": sorted({f.rule for f in findings}), "allowed": answer["allowed"]}))
"""


def test_python_api_runs_without_extras(installed: Path, tmp_path: Path) -> None:
    capture = ROOT / "tests" / "data" / "admission" / "kw-pod-create-privileged-container.json"
    result = _run(
        installed / "python",
        "-c",
        API_PROBE,
        ROOT / "examples" / "bad" / "pod-mistakes.yaml",
        capture,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "latest-image-tag" in answer["rules"]
    assert answer["allowed"] is False
