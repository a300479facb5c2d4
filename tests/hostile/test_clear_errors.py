"""What used to end in a traceback ends in one clear line on stderr and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from podlint.policy import POLICY_SCHEMA
from podlint.registry import default_registry

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
FULL = Path("/dev/full")


def _lint(tmp_path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pod.yaml").write_text(POD)
    options = kwargs or {"capture_output": True}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "podlint", "lint", "pod.yaml", *args],
        cwd=tmp_path,
        text=True,
        timeout=120,
        **options,
    )


def _clear(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert message in result.stderr


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("output_format", ["text", "sarif", "junit", "json"])
def test_output_on_a_full_disk(tmp_path: Path, output_format: str) -> None:
    result = _lint(tmp_path, "--format", output_format, "--output", str(FULL))
    _clear(result, "podlint: error: cannot write /dev/full: No space left on device")


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
def test_stdout_on_a_full_disk(tmp_path: Path) -> None:
    with FULL.open("w") as full:
        result = _lint(tmp_path, stdout=full, stderr=subprocess.PIPE)
    _clear(result, "podlint: error: cannot write standard output: No space left on device")


def test_a_baseline_nested_100000_deep(tmp_path: Path) -> None:
    (tmp_path / "baseline.json").write_text("[" * 100_000 + "]" * 100_000)
    result = _lint(tmp_path, "--baseline", "baseline.json")
    _clear(result, "baseline.json: not a podlint baseline (JSON nested too deep to read)")


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            "rules:\n  latest-image-tag:\n    severity: warning\n    options: [1, 2]\n",
            "policy.yaml:4:14: rules.latest-image-tag.options: [1, 2] is not valid; "
            "expected a mapping of option name to value",
        ),
        (
            "rules:\n  latest-image-tag: {severity: loud}\n",
            'policy.yaml:2:32: rules.latest-image-tag.severity: "loud" is not valid; '
            "expected one of off, info, warning, error, default",
        ),
        (
            "extends: [default, 3]\n",
            "policy.yaml:1:20: extends.1: 3 is not valid",
        ),
        ("rulez: {}\n", 'policy.yaml:1:1: unknown key "rulez"; valid keys: description'),
    ],
)
def test_a_policy_file_with_wrong_types(tmp_path: Path, policy: str, message: str) -> None:
    (tmp_path / "policy.yaml").write_text(policy)
    result = _lint(tmp_path, "--policy", "policy.yaml")
    _clear(result, message)


def test_the_shipped_policies_follow_the_policy_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(POLICY_SCHEMA.read_text("utf-8")))
    from podlint.source.data import load_yaml_file

    policies = default_registry().policies
    assert policies
    for path in policies.values():
        assert list(validator.iter_errors(load_yaml_file(path))) == [], path
