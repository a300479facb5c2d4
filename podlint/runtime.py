"""Builds an Engine from what a front door was told (policy, version, selection)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podlint.engine import Engine
from podlint.model.version import LATEST, KubeVersion
from podlint.policy import (
    Layer,
    RuleSetting,
    narrow,
    policy_layers,
    resolve_settings,
    selector_matches,
)
from podlint.registry import Registry, default_registry

DEFAULT_POLICY = "default"


@dataclass(frozen=True)
class Options:
    """What a front door was told; ``podlint.config`` fills it from configuration files."""

    policy: str = DEFAULT_POLICY
    kubernetes_version: KubeVersion = LATEST
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extra_layers: tuple[tuple[str, Layer], ...] = ()
    workload_kinds: Mapping[str, str] = field(default_factory=dict)
    rule_paths: tuple[Path, ...] = ()
    fail_on: str = "error"
    config: Path | None = None
    # Options for rules that end up enabled, by selector; they never enable a rule
    # (--pss-version, --schema-location).
    rule_options: tuple[tuple[str, Mapping[str, Any]], ...] = ()


def build_engine(options: Options, registry: Registry | None = None) -> Engine:
    registry = registry or default_registry()
    if options.rule_paths:
        from podlint.rule import load_card

        registry = registry.with_rules(
            [load_card(card) for path in options.rule_paths for card in sorted(path.glob("*.yaml"))]
        )
    layers = [*policy_layers(options.policy, registry.policies), *options.extra_layers]
    settings = resolve_settings(layers, registry.rules)
    settings = narrow(settings, registry.rules, options.select, options.ignore)
    for selector, rule_options in options.rule_options:
        for rule_id, setting in settings.items():
            if selector_matches(selector, registry.rules[rule_id]):
                settings[rule_id] = RuleSetting(
                    setting.severity, {**setting.options, **rule_options}
                )
    return Engine(
        registry,
        settings,
        options.kubernetes_version,
        registry.kind_map(options.workload_kinds),
    )


def split_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Accept both repeated options and comma-separated lists."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
