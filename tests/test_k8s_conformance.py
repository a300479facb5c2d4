"""The conformance cases of research/k8s-validation.md §7, one fixture each.

Every file in tests/k8s_conformance/ is linted with the apiserver rules (schema, api-*,
missing-image, duplicate-container-name) at every Kubernetes version of its ``# versions:``
range (default: every supported version), and the (line, rule) pairs found must equal its
``# expect:`` markers exactly. A ``# options: RULE KEY=VALUE`` line sets a rule option (case 17
is about the apiserver's --allow-privileged flag). The update-time cases (47-54, 58, 59, 64)
are old/new pairs under update/, checked with the immutable-* rules like tests/update/.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from podlint.engine import Engine
from podlint.lint import lint_bytes
from podlint.model.version import SUPPORTED, KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.testing import expected_markers

CASES = Path(__file__).parent / "k8s_conformance"
VERSIONS = re.compile(r"^# versions: (\S+)-(\S+)$", re.MULTILINE)
OPTIONS = re.compile(r"^# options: (\S+) (\S+)=(\S+)$", re.MULTILINE)
RULES = ("schema", "missing-image", "duplicate-container-name")


def _versions(text: str) -> list[KubeVersion]:
    match = VERSIONS.search(text)
    if not match:
        return list(SUPPORTED)
    low, high = KubeVersion.parse(match.group(1)), KubeVersion.parse(match.group(2))
    return [version for version in SUPPORTED if low <= version <= high]


def _params() -> list[tuple[Path, KubeVersion]]:
    return [
        (path, version)
        for path in sorted(CASES.glob("*.yaml"))
        for version in _versions(path.read_text(encoding="utf-8"))
    ]


@cache
def _engine(version: KubeVersion, options: tuple[tuple[str, str, str], ...] = ()) -> Engine:
    registry = default_registry()
    ids = [r for r in registry.rules if r.startswith("api-") or r in RULES]
    settings = {r: RuleSetting(registry.rules[r].severity, {}) for r in ids}
    for rule, key, value in options:
        parsed = {"true": True, "false": False}.get(value, value)
        settings[rule] = RuleSetting(settings[rule].severity, {key: parsed})
    return Engine(registry, settings, version)


def test_every_create_case_is_present() -> None:
    numbers = {int(p.name[:2]) for p in CASES.glob("*.yaml")}
    create_cases = set(range(1, 47)) | {55, 56, 57, 60, 61, 62, 63}
    assert create_cases <= numbers, sorted(create_cases - numbers)


@pytest.mark.parametrize(
    ("path", "version"), _params(), ids=[f"{p.stem}@{v}" for p, v in _params()]
)
def test_conformance_case(path: Path, version: KubeVersion) -> None:
    text = path.read_text(encoding="utf-8")
    expected = expected_markers(text)
    options = tuple(OPTIONS.findall(text))
    result = lint_bytes(_engine(version, options), str(path), path.read_bytes(), 1 << 20)
    actual = {(f.span.line + 1, f.rule) for f in result.findings if f.span is not None}
    details = "\n".join(
        f"  line {f.span.line + 1}: {f.rule}: {f.message}" for f in result.findings if f.span
    )
    assert actual == expected, f"{path.name} at {version}:\n{details}"


UPDATES = sorted(path for path in (CASES / "update").iterdir() if path.is_dir())


def test_every_update_case_is_present() -> None:
    numbers = {int(path.name[:2]) for path in UPDATES}
    assert {47, 48, 49, 50, 51, 52, 53, 54, 58, 59, 64} <= numbers


@pytest.mark.parametrize("case", UPDATES, ids=[path.name for path in UPDATES])
def test_conformance_update_case(case: Path) -> None:
    from podlint.update.testing import check_case

    check_case(case)
