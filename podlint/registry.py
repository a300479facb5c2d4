"""Everything the plugins provide, collected once at start-up."""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import pluggy

from podlint import builtin, hookspecs
from podlint.model.kinds import KindMap
from podlint.rule import CardError, Check, Rule

LOG = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "podlint"


class RegistryError(Exception):
    """A plugin conflict or an unknown name; the message says which."""


def make_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    manager = pluggy.PluginManager("podlint")
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, name="podlint.builtin")
    autoload = load_entry_points and not os.environ.get("PODLINT_DISABLE_PLUGIN_AUTOLOAD")
    if autoload and declares_entry_points(ENTRY_POINT_GROUP):
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


def declares_entry_points(group: str, path: Sequence[str] | None = None) -> bool:
    """Whether a distribution on ``path`` (default ``sys.path``) may declare entry points of
    ``group``, read from the ``entry_points.txt`` of its dist-info or egg-info directory.

    Importing ``importlib.metadata`` and parsing every distribution's entry points cost a
    one-file lint more than a tenth of its start-up, and nearly every installation has no
    plugin. A path entry that is not a directory (a zip archive) answers yes: the full lookup
    decides.
    """
    for entry in sys.path if path is None else path:
        directory = entry or "."
        try:
            names = os.listdir(directory)
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(
                    os.path.join(directory, name, "entry_points.txt"), encoding="utf-8"
                ) as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError):
                continue
            if group in text and group in _sections(text):
                return True
    return False


def _sections(text: str) -> set[str]:
    sections = set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            sections.add(line[1:-1].strip())
    return sections


def _plugin_name(manager: pluggy.PluginManager, plugin: object) -> str:
    return manager.get_name(plugin) or repr(plugin)


def _merge(manager: pluggy.PluginManager, hook_name: str, what: str) -> dict[str, tuple[Any, str]]:
    """Merge dict answers of one hook, refusing a name that two plugins give."""
    merged: dict[str, tuple[Any, str]] = {}
    hook = getattr(manager.hook, hook_name)
    for impl in hook.get_hookimpls():
        owner = _plugin_name(manager, impl.plugin)
        for name, value in (impl.function() or {}).items():
            if name in merged:
                raise RegistryError(
                    f"{what} {name!r} is provided by both {merged[name][1]} and {owner}"
                )
            merged[name] = (value, owner)
    return merged


def _import_string(spec: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


@dataclass
class Registry:
    """The rules, checks, formatters, policies and workload kinds of every plugin."""

    rules: dict[str, Rule]
    checks: dict[str, Any]
    formatters: dict[str, Any]
    policies: dict[str, Path]
    workload_kinds: dict[str, str]
    _resolved_checks: dict[str, Check] = field(default_factory=dict)

    @classmethod
    def from_plugin_manager(cls, manager: pluggy.PluginManager) -> Registry:
        rules: dict[str, Rule] = {}
        owners: dict[str, str] = {}
        for impl in manager.hook.podlint_rules.get_hookimpls():
            owner = _plugin_name(manager, impl.plugin)
            try:
                provided = cast("list[Rule]", impl.function() or [])
            except CardError as error:
                raise RegistryError(f"plugin {owner}: {error}") from None
            for rule in provided:
                if rule.id in rules:
                    raise RegistryError(
                        f"rule {rule.id!r} is provided by both {owners[rule.id]} and {owner}"
                    )
                if owner != "podlint.builtin" and "/" not in rule.id:
                    raise RegistryError(
                        f"plugin {owner}: rule id {rule.id!r} must be namespaced "
                        "('<plugin>/<rule>')"
                    )
                rules[rule.id] = rule
                owners[rule.id] = owner

        def values(hook_name: str, what: str) -> dict[str, Any]:
            return {name: value for name, (value, _) in _merge(manager, hook_name, what).items()}

        return cls(
            rules=rules,
            checks=values("podlint_checks", "check"),
            formatters=values("podlint_formatters", "format"),
            policies=values("podlint_policies", "policy"),
            workload_kinds=values("podlint_workload_kinds", "workload kind"),
        )

    def with_rules(self, extra: list[Rule]) -> Registry:
        """A registry with more rules (declarative cards from a project's rule paths)."""
        rules = dict(self.rules)
        for rule in extra:
            if rule.id in rules:
                raise RegistryError(
                    f"rule {rule.id!r} from {rule.source} is already defined by "
                    f"{rules[rule.id].source or 'a plugin'}"
                )
            rules[rule.id] = rule
        return Registry(rules, self.checks, self.formatters, self.policies, self.workload_kinds)

    def kind_map(self, extra: Mapping[str, str] | None = None) -> KindMap:
        return KindMap({**self.workload_kinds, **(extra or {})})

    def check(self, name: str) -> Check:
        """The check function a card names, imported on first use."""
        resolved = self._resolved_checks.get(name)
        if resolved is not None:
            return resolved
        spec = self.checks.get(name)
        if spec is None:
            check = self._family_check(name)
        else:
            check = _import_string(spec) if isinstance(spec, str) else spec
        if not callable(check):
            raise RegistryError(f"check {name!r} is not callable")
        self._resolved_checks[name] = check
        return check  # type: ignore[no-any-return]

    def _family_check(self, name: str) -> Any:
        """``<family>.<function>`` from a registered family module: a public function
        defined there, never whatever else the module happens to import or hold."""
        family, _, function = name.rpartition(".")
        module_name = self.checks.get(f"{family}.*")
        if module_name is None or not function.isidentifier() or function.startswith("_"):
            raise RegistryError(f"no check named {name!r} is registered")
        module = _import_string(module_name) if isinstance(module_name, str) else module_name
        check = getattr(module, function, None)
        if not inspect.isfunction(check) or check.__module__ != module.__name__:
            raise RegistryError(f"no check named {name!r} is registered")
        return check

    def formatter(self, name: str) -> Callable[..., Any]:
        spec = self.formatters.get(name)
        if spec is None:
            raise RegistryError(
                f"unknown format {name!r}; available: {', '.join(sorted(self.formatters))}"
            )
        return _import_string(spec) if isinstance(spec, str) else spec  # type: ignore[no-any-return]


@cache
def default_registry() -> Registry:
    """The registry of the built-ins and installed plugins, built once per process."""
    return Registry.from_plugin_manager(make_plugin_manager())
