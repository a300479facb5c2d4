"""Fixture-driven rule tests, reusable by plugin authors (``pytest_plugins = ["podlint.testing"]``).

A fixture directory ``tests/rules/<rule-id>/`` holds ``fail-*.yaml`` and ``pass-*.yaml``
files. Every line that must be reported ends with ``# expect: <rule-id>`` (several ids may be
listed, comma-separated). The file is linted with only that rule enabled, and the set of
(line, rule) pairs found must equal the markers exactly. An optional ``fixture.yaml`` in the
directory sets ``kubernetes-version``, ``max-file-size`` or rule ``options`` for its files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podlint.engine import Engine
from podlint.lint import lint_sources
from podlint.model.finding import Finding
from podlint.model.version import LATEST, KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import Registry, default_registry

EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9/,\s-]+?)\s*$")


@dataclass(frozen=True)
class FixtureSettings:
    kubernetes_version: KubeVersion = LATEST
    max_file_size: int = 10 * 1024 * 1024
    options: dict[str, Any] = field(default_factory=dict)


def expected_markers(text: str) -> set[tuple[int, str]]:
    """(1-based line, rule id) for every ``# expect:`` marker."""
    found = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for rule_id in match.group(1).split(","):
                if rule_id.strip():
                    found.add((number, rule_id.strip()))
    return found


def fixture_settings(directory: Path) -> FixtureSettings:
    from podlint.source.data import load_yaml_file

    config = directory / "fixture.yaml"
    if not config.is_file():
        return FixtureSettings()
    data = load_yaml_file(config) or {}
    return FixtureSettings(
        kubernetes_version=KubeVersion.parse(str(data.get("kubernetes-version", "latest"))),
        max_file_size=int(data.get("max-file-size", 10 * 1024 * 1024)),
        options=dict(data.get("options") or {}),
    )


def lint_with_only(
    rule_id: str,
    path: Path,
    settings: FixtureSettings | None = None,
    registry: Registry | None = None,
) -> list[Finding]:
    """Lint one file with only ``rule_id`` enabled, at its default severity."""
    registry = registry or default_registry()
    settings = settings or fixture_settings(path.parent)
    rule = registry.rules[rule_id]
    engine = Engine(
        registry,
        {rule_id: RuleSetting(rule.severity, settings.options)},
        settings.kubernetes_version,
    )
    results = lint_sources(engine, [str(path)], max_bytes=settings.max_file_size)
    return [finding for result in results for finding in result.findings]


def check_fixture(rule_id: str, path: Path, registry: Registry | None = None) -> None:
    """Assert that the findings of ``path`` match its ``# expect:`` markers exactly."""
    text = path.read_text(encoding="utf-8", errors="replace")
    expected = expected_markers(text)
    if path.name.startswith("pass-"):
        assert not expected, f"{path}: a pass-* fixture must not carry expect markers"
    elif path.name.startswith("fail-"):
        assert expected, f"{path}: a fail-* fixture needs at least one '# expect:' marker"
    findings = lint_with_only(rule_id, path, registry=registry)
    unlocated = [f for f in findings if f.span is None]
    assert not unlocated, f"{path}: findings without a position: {unlocated}"
    actual = {(f.span.line + 1, f.rule) for f in findings if f.span is not None}
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    details = "\n".join(
        f"  line {f.span.line + 1}: {f.rule}: {f.message}" for f in findings if f.span
    )
    assert not missing and not unexpected, (
        f"{path}:\n  expected but not reported: {missing}\n"
        f"  reported but not expected: {unexpected}\n  all findings:\n{details}"
    )


def fixture_files(root: Path) -> list[tuple[str, Path]]:
    """(rule id, fixture file) for every fixture under ``root`` (``tests/rules``)."""
    cases = []
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(directory.iterdir()):
            if path.name.startswith(("fail-", "pass-")) and path.suffix in (
                ".yaml",
                ".yml",
                ".json",
            ):
                cases.append((directory.name, path))
    return cases
