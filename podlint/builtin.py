"""The built-in plugin: podlint's own rules, checks, formatters, policies and kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podlint.catalog import policies_dir, rules_dir
from podlint.hookspecs import hookimpl
from podlint.rule import Rule, card_data, rule_from_card

_CHECKS_DIR = Path(__file__).resolve().parent / "checks"


@hookimpl
def podlint_rules() -> list[Rule]:
    from podlint.datacache import load_cached

    paths = sorted(rules_dir().glob("*.yaml"))
    cards = load_cached("rules", paths, card_data)
    return [rule_from_card(card, str(path)) for path, card in zip(paths, cards, strict=True)]


@hookimpl
def podlint_checks() -> dict[str, Any]:
    """Cards name built-in checks ``<family>.<function>`` for ``podlint/checks/<family>.py``."""
    return {
        f"{path.stem}.*": f"podlint.checks.{path.stem}"
        for path in sorted(_CHECKS_DIR.glob("*.py"))
        if not path.stem.startswith("_")
    }


@hookimpl
def podlint_formatters() -> dict[str, Any]:
    return {
        "text": "podlint.formatters.text:TextFormatter",
        "concise": "podlint.formatters.text:ConciseFormatter",
        "json": "podlint.formatters.json:JsonFormatter",
        "sarif": "podlint.formatters.sarif:SarifFormatter",
        "github": "podlint.formatters.github:GithubFormatter",
        "gitlab": "podlint.formatters.gitlab:GitlabFormatter",
        "junit": "podlint.formatters.junit:JunitFormatter",
    }


@hookimpl
def podlint_policies() -> dict[str, Path]:
    return {path.stem: path for path in sorted(policies_dir().glob("*.yaml"))}


@hookimpl
def podlint_workload_kinds() -> dict[str, str]:
    return {"argoproj.io/Rollout": "/spec/template/spec"}
