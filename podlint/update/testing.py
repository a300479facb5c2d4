"""Fixture pairs for update rules, checked like rule fixtures (exact ``# expect:`` markers).

A case is a directory holding ``old*.yaml`` files (the previous versions) and ``new*.yaml``
files (the change). Objects are matched across all files of the case by identity, so an
object may move between files. Only ``new*`` files carry ``# expect: <rule-id>`` markers; the
update rules (every card in ``UPDATE_RULES``) run over them and the reported (file, line, rule)
set must equal the markers exactly. A case without markers is an allowed change and must
report nothing. An optional ``fixture.yaml`` sets ``kubernetes-version``.
"""

from __future__ import annotations

from pathlib import Path

from podlint.engine import Engine
from podlint.lint import lint_bytes
from podlint.model.version import LATEST, KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import Registry, default_registry
from podlint.testing import expected_markers
from podlint.update import UPDATE_RULES
from podlint.update.engine import UpdateEngine
from podlint.update.run import OldObjects


def case_version(directory: Path) -> KubeVersion:
    from podlint.source.data import load_yaml_file

    config = directory / "fixture.yaml"
    if not config.is_file():
        return LATEST
    data = load_yaml_file(config) or {}
    return KubeVersion.parse(str(data.get("kubernetes-version", "latest")))


def update_engine(
    directory: Path, registry: Registry | None = None, version: KubeVersion | None = None
) -> UpdateEngine:
    registry = registry or default_registry()
    settings = {
        rule.id: RuleSetting(rule.severity)
        for rule in registry.rules.values()
        if rule.id in UPDATE_RULES
    }
    old = OldObjects()
    for path in sorted(directory.glob("old*.yaml")):
        old.add_text(str(path), path.read_bytes(), 10 * 1024 * 1024)
    assert not old.problems, f"{directory}: old side does not read: {old.problems}"
    inner = Engine(registry, settings, version or case_version(directory))
    return UpdateEngine.around(inner, old, lint=False)


def check_case(directory: Path, registry: Registry | None = None) -> None:
    """Assert that every new* file's findings equal its markers exactly."""
    engine = update_engine(directory, registry)
    news = sorted(directory.glob("new*.yaml"))
    assert news, f"{directory}: a case needs new*.yaml files"
    problems = []
    for path in news:
        text = path.read_text(encoding="utf-8")
        expected = expected_markers(text)
        findings = lint_bytes(engine, str(path), path.read_bytes(), 10 * 1024 * 1024).findings
        assert all(f.span is not None for f in findings), f"{path}: findings without position"
        actual = {(f.span.line + 1, f.rule) for f in findings if f.span is not None}
        if actual != expected:
            details = "\n".join(
                f"    line {f.span.line + 1}: {f.rule}: {f.message}" for f in findings if f.span
            )
            problems.append(
                f"{path}:\n  expected but not reported: {sorted(expected - actual)}\n"
                f"  reported but not expected: {sorted(actual - expected)}\n{details}"
            )
    assert not problems, "\n".join(problems)


def cases(root: Path) -> list[Path]:
    """Every case directory below ``root`` (``tests/update``): those holding new*.yaml."""
    return sorted({path.parent for path in root.rglob("new*.yaml")})
